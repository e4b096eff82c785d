/** A sandboxed task cannot read or write the weir home it did not declare. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { runHostile } from "./sandbox_helpers.ts";

Deno.test("a sandboxed task cannot read or write the undeclared weir home", async () => {
  await using dir = await tempDir("weir-sec-");
  const home = join(dir.path, "home");
  const out = join(dir.path, "home.json");
  const run = await runHostile(["--home", home, "run", "mal.home", "--out", out]);
  assert.equal(run.code, 0, run.stderr);
  const seen = JSON.parse(await Deno.readTextFile(out)) as { read: string; write: string };
  assert.match(seen.read, /^refused: Requires read access/);
  assert.match(seen.write, /^refused: Requires write access/);
  await assert.rejects(Deno.stat(join(home, "pwned")), Deno.errors.NotFound);
});
