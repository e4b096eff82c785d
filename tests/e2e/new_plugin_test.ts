/**
 * `deno task new:plugin` scaffolds a plugin that type-checks and whose
 * generated test passes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

async function run(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("new:plugin scaffolds a plugin whose own test passes", async () => {
  const root = await Deno.makeTempDir({ prefix: "weir-scaffold-" });
  for (const entry of ["kernel", "lib", "deno.json", "deno.lock"]) {
    await Deno.symlink(join(ROOT, entry), join(root, entry));
  }
  const made = await run([
    "run",
    "-R",
    "-W",
    join(ROOT, "tools/new_plugin.ts"),
    "tally",
    "--root",
    root,
  ], root);
  assert.equal(made.code, 0, made.stderr);
  const test = await run(["test", "-P=test", "--doc", "plugins", "tests"], root);
  assert.equal(test.code, 0, test.stderr);
  const again = await run([
    "run",
    "-R",
    "-W",
    join(ROOT, "tools/new_plugin.ts"),
    "tally",
    "--root",
    root,
  ], root);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /Cannot scaffold plugin "tally" as .* already exists/);
  const bad = await run([
    "run",
    "-R",
    "-W",
    join(ROOT, "tools/new_plugin.ts"),
    "Bad-Name",
    "--root",
    root,
  ], root);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /must be lower-case snake_case: current value is "Bad-Name"/);
  await Deno.remove(root, { recursive: true });
});
