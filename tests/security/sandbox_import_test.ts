/** import() of a JS or JSON file outside the grant is refused, as a direct read is. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { runHostile } from "./sandbox_helpers.ts";

Deno.test("a sandboxed task cannot import() a JS or JSON file outside its grant", async () => {
  await using dir = await tempDir("weir-sec-");
  const target = join(dir.path, "secret");
  await Deno.writeTextFile(`${target}.js`, 'export const secret = "js-secret-4411";');
  await Deno.writeTextFile(`${target}.json`, '{ "secret": "json-secret-4412" }');
  const out = join(dir.path, "import.json");
  const run = await runHostile([
    "--home",
    join(dir.path, "home"),
    "run",
    "mal.import",
    "--out",
    out,
    "--target",
    target,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const seen = JSON.parse(await Deno.readTextFile(out)) as { js: string; json: string };
  assert.match(seen.js, /^refused: Requires read access/);
  assert.match(seen.json, /^refused: Requires read access/);
});
