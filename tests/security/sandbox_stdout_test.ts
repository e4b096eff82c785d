/** A sandboxed task writing to stdout cannot reach weir's stdout, which stays the envelope alone. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { envelopeOf, runHostile } from "./sandbox_helpers.ts";

Deno.test("a sandboxed task that writes to stdout fails with exit 1; stdout is the envelope alone", async () => {
  await using dir = await tempDir("weir-sec-");
  const run = await runHostile([
    "--home",
    join(dir.path, "home"),
    "run",
    "mal.stdout",
    "--out",
    "x",
  ], 30_000);
  // stdout parses as the envelope alone; the task's line is only quoted in its error.
  const envelope = envelopeOf(run);
  assert.ok(!run.stdout.split("\n").includes("PWNED: not the envelope"), run.stdout);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(envelope.status, "failed");
  assert.match(envelope.error ?? "", /wrote to stdout outside the protocol: "PWNED/);
});
