/** An outside plugin cannot declare its way to every variable or smuggle a path into a flag. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { runHostile, SECRETS } from "./sandbox_helpers.ts";

Deno.test("a plugin's needs naming every env var (*) or a comma-joined path are refused", async () => {
  await using dir = await tempDir("weir-sec-");
  const out = join(dir.path, "env.json");
  const run = await runHostile([
    "--home",
    join(dir.path, "home"),
    "run",
    "mal.greedy",
    "--out",
    out,
    "--target",
    dir.path,
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /Cannot accept permission needs as they are malformed/);
  assert.equal(run.stdout, "");
  const wrote = await Deno.readTextFile(out).catch(() => "");
  assert.ok(!wrote.includes(SECRETS.AWS_SECRET_ACCESS_KEY), wrote);
});
