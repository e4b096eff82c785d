/**
 * `deno task new:plugin` in a copy of the repository, as a user runs it:
 * the scaffolded plugin passes every house check, its own test passes, it
 * is listed and runs through `weir run` and its own `deno task` entry; a
 * second scaffold, a bad name and the verb `run` are refused with exit 2
 * and change nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyRepo, shell } from "../helpers/repo_copy.ts";

Deno.test("new:plugin scaffolds a registered plugin that passes the checks and runs", async () => {
  await using repo = await copyRepo();
  const made = await shell(repo.root, "deno task new:plugin tally");
  assert.equal(made.code, 0, made.stderr);
  for (const path of ["plugins/tally/mod.ts", "plugins/tally/count.ts", "deno.json", "main.ts"]) {
    assert.match(made.stderr, new RegExp(`(created|changed) ${path}\n`));
  }

  const checks = [
    "deno fmt --check",
    "deno lint",
    "deno check main.ts mod.ts plugins/tally/types.ts",
    "deno task doc:lint",
    "deno task check:imports",
    "deno test -P=test --doc plugins/tally/ tests/plugins/tally/",
  ];
  const results = await Promise.all(checks.map((c) => shell(repo.root, c)));
  results.forEach((r, i) => assert.equal(r.code, 0, `${checks[i]}:\n${r.stdout}${r.stderr}`));
  assert.match(results[5].stdout, /ok \| 4 passed \| 0 failed/);

  const list = await shell(repo.root, "deno task weir list");
  assert.equal(list.code, 0, list.stderr);
  const plugins = JSON.parse(list.stdout).plugins as { name: string; tasks: { id: string }[] }[];
  const tally = plugins.find((p) => p.name === "tally");
  assert.deepEqual(tally?.tasks.map((t) => t.id), ["tally.count"]);

  const expected = { dir: "fixtures/tally", files: 2, lines: 8, bytes: 124 };
  for (const command of ["deno task weir run tally.count", "deno task tally:count"]) {
    const run = await shell(repo.root, command);
    assert.equal(run.code, 0, `${command}: ${run.stderr}`);
    assert.deepEqual(JSON.parse(run.stdout).output, expected, command);
  }
});

Deno.test("new:plugin refuses an existing plugin, a bad name and the verb run, writing nothing", async () => {
  await using repo = await copyRepo({
    entries: ["deno.json", "deno.lock", "main.ts", "tools", "kernel", "lib", "plugins/example"],
  });
  const made = await shell(repo.root, "deno task new:plugin tally");
  assert.equal(made.code, 0, made.stderr);
  const snapshot = async () =>
    await Promise.all(
      ["deno.json", "main.ts", "plugins/tally/count.ts"].map((p) =>
        Deno.readTextFile(join(repo.root, p))
      ),
    );
  const before = await snapshot();

  const cases: [string, string][] = [
    [
      "deno task new:plugin tally",
      'Cannot scaffold plugin "tally" as nothing may be overwritten: current value is plugins/tally/, fixtures/tally/, tests/plugins/tally/ (exists)',
    ],
    [
      "deno task new:plugin Bad-Name",
      'Cannot scaffold a plugin as its name must be lower-case snake_case such as "tally": current value is "Bad-Name"',
    ],
    [
      "deno task new:plugin other --verb run",
      `Cannot scaffold a plugin as its task verb must not read as the CLI's "weir run": current value is "run"`,
    ],
    [
      "deno task new:plugin",
      "Cannot scaffold a plugin as exactly one name must be given: current value is []",
    ],
  ];
  for (const [command, message] of cases) {
    const run = await shell(repo.root, command);
    assert.equal(run.code, 2, `${command}: ${run.stderr}`);
    assert.ok(run.stderr.includes(`error: ${message}\n`), `${command}: ${run.stderr}`);
  }
  assert.deepEqual(await snapshot(), before);
  const names = [];
  for await (const entry of Deno.readDir(join(repo.root, "plugins"))) names.push(entry.name);
  assert.deepEqual(names.sort(), ["example", "tally"]);
});
