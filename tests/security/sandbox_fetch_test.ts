/** fetch("file://...") outside the grant is refused, as a direct read is. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { runHostile } from "./sandbox_helpers.ts";

Deno.test("a sandboxed task cannot fetch a file:// URL or read a file outside its grant", async () => {
  await using dir = await tempDir("weir-sec-");
  const target = join(dir.path, "secret");
  await Deno.writeTextFile(`${target}.txt`, "txt-secret-5521");
  const out = join(dir.path, "fetch.json");
  const run = await runHostile([
    "--home",
    join(dir.path, "home"),
    "run",
    "mal.fetch",
    "--out",
    out,
    "--target",
    target,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const seen = JSON.parse(await Deno.readTextFile(out)) as { fetch: string; read: string };
  assert.match(seen.fetch, /^refused: Requires read access/);
  assert.match(seen.read, /^refused: Requires read access/);
});
