/** Deno.exit() in a sandboxed task ends its run as failed, with the reason; weir answers. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { envelopeOf, runHostile } from "./sandbox_helpers.ts";

Deno.test("Deno.exit() in a sandboxed task fails its run with exit 1 and says so", async () => {
  await using dir = await tempDir("weir-sec-");
  const run = await runHostile(
    ["--home", join(dir.path, "home"), "run", "mal.exit", "--out", "x"],
    30_000,
  );
  assert.equal(run.killed, false, "weir hung");
  assert.equal(run.code, 1, run.stderr);
  const envelope = envelopeOf(run);
  assert.equal(envelope.status, "failed");
  assert.match(envelope.error ?? "", /sandbox exited with code 7 before answering/);
});
