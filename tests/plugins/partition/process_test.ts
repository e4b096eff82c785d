/**
 * `partition.process` through the CLI, as a user runs it: `weir run` over the
 * committed fixture, and the permission pre-flight for a folder outside the
 * grants.
 */
import assert from "node:assert/strict";
import { ROOT, weir } from "../../helpers/cli.ts";

const TASK = "partition.process";

Deno.test(`${TASK} counts the files, lines and bytes of its fixture`, async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-partition-" });
  try {
    const run = await weir(["--home", home, "run", TASK]);
    assert.equal(run.code, 0, run.stderr);
    const envelope = run.json as { status: string; output: unknown };
    assert.equal(envelope.status, "succeeded");
    assert.deepEqual(envelope.output, {
      dir: "fixtures/partition",
      files: 2,
      lines: 8,
      bytes: 138,
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test(`${TASK} stops with exit 2 and names the flag for a folder not granted`, async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-partition-" });
  const outside = await Deno.makeTempDir({ prefix: "weir-partition-outside-" });
  try {
    const args = ["--home", home, "run", TASK, "--dir", outside];
    const perms = [`--allow-read=${ROOT},${home}`, `--allow-write=${home}`];
    const run = await weir(args, { perms });
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes(`--allow-read=${outside}`), run.stderr);
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
