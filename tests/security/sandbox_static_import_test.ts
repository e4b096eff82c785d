/** A static import of a file outside the plugin's folder is not granted: the plugin does not load. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("a plugin that statically imports a file outside its folder is refused at load, exit 2", async () => {
  await using dir = await tempDir("weir-sec-");
  const run = await weir([
    "--plugin",
    "tests/fixtures/static_import_plugin.ts",
    "--home",
    join(dir.path, "home"),
    "list",
  ], { perms: ["--allow-read", "--allow-write"] });
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.ok(
    run.stderr.includes(`Requires read access to \\"${join(ROOT, "deno.json")}\\"`) ||
      run.stderr.includes(`Requires read access to "${join(ROOT, "deno.json")}"`),
    run.stderr,
  );
});
