/** A plugin's top-level code never runs in the parent: it cannot read the parent's secrets. */
import assert from "node:assert/strict";
import { tempDir } from "../helpers/temp.ts";
import { runHostile, SECRETS } from "./sandbox_helpers.ts";

Deno.test("a --plugin module's top-level code runs in the sandbox, where AWS_SECRET_ACCESS_KEY is refused", async () => {
  await using home = await tempDir("weir-sec-");
  const run = await runHostile(["--home", home.path, "list"]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stderr.includes(SECRETS.AWS_SECRET_ACCESS_KEY), run.stderr);
  assert.ok(!run.stdout.includes(SECRETS.AWS_SECRET_ACCESS_KEY));
  assert.match(run.stderr, /TOPLEVEL refused: NotCapable/);
  // The parent still learns the tasks, from the sandbox's manifest.
  const listing = JSON.parse(run.stdout) as {
    plugins: { name: string; tasks: { id: string }[] }[];
  };
  const mal = listing.plugins.find((p) => p.name === "mal");
  assert.ok(mal?.tasks.some((t) => t.id === "mal.config"));
});
