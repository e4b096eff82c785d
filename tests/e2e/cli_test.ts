/**
 * The CLI contract (DESIGN.md section 3) as a shell script sees it: JSON on
 * stdout only, one clear line on stderr for user errors, and every exit code.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv/dist/2020.js";
import { ROOT, SOURCE_FOLDERS, waitFor, weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts"];

function assertOneErrorLine(stderr: string, expected: string | RegExp): void {
  const lines = stderr.split("\n").filter((l) => l.trim() && !l.includes("experimental"));
  assert.deepEqual(lines.length, 1, `expected one stderr line, got:\n${stderr}`);
  const line = JSON.parse(lines[0]);
  assert.equal(line.level, "error");
  assert.equal(line.exit_code, 2);
  if (typeof expected === "string") assert.ok(line.msg.includes(expected), line.msg);
  else assert.match(line.msg, expected);
  assert(!/\n\s+at /.test(stderr), "no stack trace");
}

Deno.test("weir list prints plugins, tasks and pipelines as JSON and needs no permission", async () => {
  const run = await weir(["list"], { perms: [] });
  assert.deepEqual(run.code, 0);
  const listing = run.json as {
    plugins: { name: string; tasks: { id: string }[] }[];
    pipelines: { name: string }[];
  };
  const example = listing.plugins.find((p) => p.name === "example");
  assert.deepEqual(example?.tasks.map((t) => t.id), ["example.snapshot", "example.verify"]);
  assert(listing.pipelines.some((p) => p.name === "demo"));
});

Deno.test("weir list includes a plugin loaded at run time with --plugin", async () => {
  const run = await weir([...PROBE, "list"], { perms: ["--allow-read"] });
  assert.deepEqual(run.code, 0);
  const listing = run.json as { plugins: { name: string }[]; pipelines: { name: string }[] };
  assert(listing.plugins.some((p) => p.name === "probe"));
  assert(listing.pipelines.some((p) => p.name === "probe-resume"));
});

Deno.test("weir describe prints a valid JSON Schema, the flags and the permissions", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir(
    ["--home", dir, "describe", "example.snapshot", "--source", "fixtures/example"],
    { perms: ["--allow-read", "--allow-env"] },
  );
  assert.deepEqual(run.code, 0, run.stderr);
  const d = run.json as {
    input: Record<string, unknown>;
    output: Record<string, unknown>;
    flags: { flag: string; required: boolean }[];
    permissions: { needs: { read: string[]; write: string[] }; flags: string[] };
  };
  const ajv = new Ajv.default({ strict: false });
  assert(ajv.validateSchema(d.input), JSON.stringify(ajv.errors));
  assert(ajv.validateSchema(d.output), JSON.stringify(ajv.errors));
  const validate = ajv.compile(d.input);
  assert(validate({ source: "x" }));
  assert(!validate({ source: 3 }));
  assert.deepEqual(d.flags.map((f) => f.flag), ["--source", "--name", "--concurrency"]);
  assert(d.flags[0].required);
  assert.deepEqual(d.permissions.needs.read, [
    dir,
    ...SOURCE_FOLDERS,
    join(ROOT, "fixtures/example"),
  ]);
  assert.deepEqual(d.permissions.flags, [
    `--allow-read=${[dir, ...SOURCE_FOLDERS, join(ROOT, "fixtures/example")].join(",")}`,
    `--allow-write=${dir}`,
  ]);
});

Deno.test("weir run prints only the result envelope on stdout and exits 0", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir([
    ...PROBE,
    "--home",
    dir,
    "run",
    "probe.echo",
    "--text",
    "hey",
    "--times=2",
    "--loud",
    "--tags",
    "a",
    "--tags",
    "b",
  ]);
  assert.deepEqual(run.code, 0, run.stderr);
  const env = run.json as { run_id: string; status: string; output: unknown };
  assert.deepEqual(env.status, "succeeded");
  assert.deepEqual(env.output, { text: "HEYHEY", tags: ["a", "b"] });
  assert(existsSync(join(dir, "runs", env.run_id, "manifest.json")));
});

Deno.test("weir run merges --params-file, then --params, then flags", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const file = join(dir, "params.json");
  await Deno.writeTextFile(file, JSON.stringify({ text: "file", times: 3, tags: ["f"] }));
  const run = await weir([
    ...PROBE,
    "--home",
    dir,
    "run",
    "probe.echo",
    "--params-file",
    file,
    "--params",
    '{"text":"json"}',
    "--times",
    "1",
  ]);
  assert.deepEqual(run.code, 0, run.stderr);
  assert.deepEqual((run.json as { output: unknown }).output, { text: "json", tags: ["f"] });
});

Deno.test("weir run exits 1 when the task fails and records the error", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir([
    ...PROBE,
    "--home",
    dir,
    "run",
    "probe.fail",
    "--message",
    "disk on fire",
  ]);
  assert.deepEqual(run.code, 1);
  const env = run.json as { run_id: string; status: string; error: string };
  assert.deepEqual(env.status, "failed");
  assert.deepEqual(env.error, "disk on fire");
  const shown = await weir([...PROBE, "--home", dir, "runs", "show", env.run_id]);
  assert.deepEqual((shown.json as { status: string; error: string }).error, "disk on fire");
});

const usageCases: [string, string[], string | RegExp][] = [
  ["an unknown command", ["frobnicate"], 'Cannot run unknown command "frobnicate"'],
  [
    "an unknown task",
    ["run", "probe.ech"],
    /Cannot find task "probe.ech".*did you mean "probe.echo"/,
  ],
  ["an unknown flag", ["run", "probe.echo", "--txt", "x"], "Cannot use unknown flag --txt"],
  [
    "bad JSON",
    ["run", "probe.echo", "--params", "{nope"],
    "Cannot read --params as it is not valid JSON",
  ],
  [
    "a wrong type",
    ["run", "probe.echo", "--times", "many"],
    'Cannot use --times as it expects a number: current value is "many"',
  ],
  [
    "an out-of-range value",
    ["run", "probe.echo", "--times", "99"],
    /"--times": Too big: expected number to be <=10/,
  ],
  [
    "a missing required field",
    ["run", "probe.read"],
    /"--path": Invalid input: expected string, received undefined/,
  ],
  [
    "a missing --params-file",
    ["run", "probe.echo", "--params-file", "/nonexistent/p.json"],
    'Cannot read --params-file "/nonexistent/p.json"',
  ],
];

for (const [what, args, expected] of usageCases) {
  Deno.test(`weir exits 2 with one clear line for ${what}`, async () => {
    await using tmp = await tempDir("weir-e2e-");
    const dir = tmp.path;
    const run = await weir([...PROBE, "--home", dir, ...args]);
    assert.deepEqual(run.code, 2, run.stderr);
    assert.deepEqual(run.stdout, "");
    assertOneErrorLine(run.stderr, expected);
  });
}

Deno.test("weir exits 2 naming the exact missing flag and touches nothing", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const weirHome = join(dir, "home");
  const run = await weir([
    "--home",
    weirHome,
    "run",
    "example.snapshot",
    "--source",
    "fixtures/example",
  ], {
    perms: [`--allow-read=${[weirHome, ...SOURCE_FOLDERS].join(",")}`, `--allow-write=${weirHome}`],
  });
  assert.deepEqual(run.code, 2);
  assertOneErrorLine(
    run.stderr,
    `Cannot run "example.snapshot" as a permission is missing: run again with --allow-read=${
      join(ROOT, "fixtures/example")
    }`,
  );
  assert(!existsSync(weirHome), "the home directory was not created");
});

Deno.test("weir without read access to its own folders exits 2 naming them, before anything runs", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir(["--home", dir, "run", "example.verify"], {
    perms: [`--allow-read=${dir}`, `--allow-write=${dir}`],
  });
  assert.deepEqual(run.code, 2);
  assertOneErrorLine(
    run.stderr,
    `Cannot run "weir" as a permission is missing: run again with --allow-read=${
      SOURCE_FOLDERS.join(",")
    }`,
  );
  assert.equal(run.stdout, "");
  assert.deepEqual([...Deno.readDirSync(dir)], []);
});

Deno.test("weir run exits 3 on partial success and lists the failed items", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir([
    ...PROBE,
    "--home",
    dir,
    "run",
    "probe.partial",
    "--items",
    "a",
    "--items",
    "bad-x",
    "--items",
    "b",
  ]);
  assert.deepEqual(run.code, 3, run.stderr);
  const env = run.json as { status: string; output: unknown; failures: unknown[] };
  assert.deepEqual(env.status, "partial");
  assert.deepEqual(env.output, { ok: 2 });
  assert.deepEqual(env.failures, [{
    item: "bad-x",
    reason: 'item "bad-x" is malformed',
    retryable: false,
  }]);
});

Deno.test("weir run exits 130 on SIGINT after the task stops cleanly, and records it", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir([...PROBE, "--home", dir, "run", "probe.wait"], {
    onSpawn: async (child, stderr) => {
      await waitFor(stderr, "waiting for a signal");
      child.kill("SIGINT");
    },
  });
  assert.deepEqual(run.code, 130, run.stderr);
  const env = run.json as { run_id: string; status: string; output: { ticks: number } };
  assert.deepEqual(env.status, "interrupted");
  assert(env.output.ticks < 100_000);
  const shown = await weir([...PROBE, "--home", dir, "runs", "show", env.run_id]);
  assert.deepEqual((shown.json as { status: string }).status, "interrupted");
});

Deno.test("weir exits 130 on SIGTERM too", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir([...PROBE, "--home", dir, "run", "probe.wait"], {
    onSpawn: async (child, stderr) => {
      await waitFor(stderr, "waiting for a signal");
      child.kill("SIGTERM");
    },
  });
  assert.deepEqual(run.code, 130, run.stderr);
});

Deno.test("--quiet prints nothing on stderr for a successful run; -v adds debug lines", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const quiet = await weir([...PROBE, "--home", dir, "--quiet", "run", "probe.echo"]);
  assert.deepEqual(quiet.code, 0);
  assert.deepEqual(
    quiet.stderr.split("\n").filter((l) => l.trim() && !l.includes("experimental")),
    [],
  );
  const normal = await weir([...PROBE, "--home", dir, "run", "probe.echo"]);
  assert(!normal.lines.some((l) => l.level === "debug"));
  const verbose = await weir([...PROBE, "--home", dir, "-v", "run", "probe.echo"]);
  assert(verbose.lines.some((l) => l.level === "debug" && l.msg === "permissions granted"));
});

Deno.test("logs and progress are JSON lines when stderr is not a terminal", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const run = await weir([...PROBE, "--home", dir, "run", "probe.wait", "--max-ticks", "5"]);
  assert.deepEqual(run.code, 0, run.stderr);
  assert(run.lines.some((l) => l.msg === "started" && l.task === "probe.wait"));
  const progress = run.lines.filter((l) => l.type === "progress");
  assert(progress.length >= 1);
  assert.deepEqual(progress.at(-1)?.done, 5);
  assert.deepEqual(progress.at(-1)?.final, true);
});

Deno.test("weir runs lists recent runs newest first", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  await weir([...PROBE, "--home", dir, "run", "probe.echo"]);
  await weir([...PROBE, "--home", dir, "run", "probe.fail"]);
  const run = await weir([...PROBE, "--home", dir, "runs", "--limit", "5"]);
  assert.deepEqual(run.code, 0);
  const runs = run.json as { name: string; status: string }[];
  assert.deepEqual(runs.map((r) => [r.name, r.status]), [["probe.fail", "failed"], [
    "probe.echo",
    "succeeded",
  ]]);
});

Deno.test("secrets are redacted on stdout, stderr, in run records and manifests", async () => {
  await using tmp = await tempDir("weir-e2e-");
  const dir = tmp.path;
  const secret = "hunter2-very-secret";
  const run = await weir([
    ...PROBE,
    "--home",
    dir,
    "run",
    "probe.echo",
    "--text",
    `token is ${secret}`,
    "--url",
    "bolt://neo4j:pw-in-uri@127.0.0.1:7687",
  ], { perms: ["--allow-read", "--allow-write", "--allow-env"], env: { NEO4J_PASSWORD: secret } });
  assert.deepEqual(run.code, 0, run.stderr);
  const db = await Deno.readFile(join(dir, "weir.db"));
  const manifest = await Deno.readTextFile(
    join(dir, "runs", (run.json as { run_id: string }).run_id, "manifest.json"),
  );
  for (
    const [where, text] of [
      ["stdout", run.stdout],
      ["stderr", run.stderr],
      ["manifest", manifest],
      ["weir.db", new TextDecoder().decode(db)],
    ]
  ) {
    assert(!text.includes(secret), `${where} holds the secret`);
    assert(!text.includes("pw-in-uri"), `${where} holds the URI password`);
  }
  assert.ok(run.stdout.includes("bolt://[redacted]@127.0.0.1:7687"));
  assert.ok(manifest.includes("token is [redacted]"));
});
