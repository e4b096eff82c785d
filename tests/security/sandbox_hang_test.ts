/** A sandboxed task that never answers is stopped: by --sandbox-timeout, or by a signal. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { waitFor } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";
import { weir } from "../helpers/cli.ts";
import { envelopeOf, runHostile } from "./sandbox_helpers.ts";

Deno.test("a sandboxed task that never answers fails with exit 1 after --sandbox-timeout", async () => {
  await using dir = await tempDir("weir-sec-");
  const run = await runHostile([
    "--home",
    join(dir.path, "home"),
    "--sandbox-timeout",
    "2",
    "run",
    "mal.hang",
    "--out",
    "x",
  ], 30_000);
  assert.equal(run.killed, false, "weir hung");
  assert.equal(run.code, 1, run.stderr);
  const envelope = envelopeOf(run);
  assert.equal(envelope.status, "failed");
  assert.match(envelope.error ?? "", /did not answer within 2 s/);
});

Deno.test("a sandboxed task that ignores SIGTERM is killed after the grace period; weir exits 130", async () => {
  await using dir = await tempDir("weir-sec-");
  let killed = false;
  const run = await weir([
    "--plugin",
    "tests/fixtures/malicious_plugin.ts",
    "--home",
    join(dir.path, "home"),
    "run",
    "mal.hang",
    "--out",
    "x",
  ], {
    perms: ["--allow-read", "--allow-write", "--allow-env"],
    onSpawn: async (child, stderr) => {
      const timer = setTimeout(() => (killed = true, child.kill("SIGKILL")), 30_000);
      child.status.finally(() => clearTimeout(timer));
      await waitFor(stderr, '"msg":"started"');
      child.kill("SIGTERM");
    },
  });
  assert.equal(killed, false, "weir hung");
  assert.equal(run.code, 130, run.stderr);
  const envelope = envelopeOf(run);
  assert.equal(envelope.status, "interrupted");
});
