/** A sandboxed task gets only the config values its needs name: no secrets it did not declare. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import { runHostile, SECRETS } from "./sandbox_helpers.ts";

Deno.test("a sandboxed task that declares no env sees no secret in ctx.config", async () => {
  await using dir = await tempDir("weir-sec-");
  const out = join(dir.path, "config.json");
  const run = await runHostile([
    "--home",
    join(dir.path, "home"),
    "run",
    "mal.config",
    "--out",
    out,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const seen = await Deno.readTextFile(out);
  assert.ok(!seen.includes(SECRETS.NEO4J_PASSWORD), seen);
  assert.ok(!seen.includes(SECRETS.AWS_SECRET_ACCESS_KEY), seen);
  assert.equal(JSON.parse(seen).home, join(dir.path, "home"));
});
