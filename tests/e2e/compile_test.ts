/**
 * The single binary. Where `deno compile` cannot get its runtime (no
 * DENORT_BIN and no route to dl.deno.land), the compile task must say so
 * clearly; where it can, the binary must run `weir list`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

Deno.test("deno task compile builds a binary that lists the plugins, or says why it cannot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weir-compile-" });
  const bin = join(dir, "weir");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=compile", "tools/compile.ts", bin],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.success) {
    const list = await new Deno.Command(bin, { args: ["list"], stdout: "piped" }).output();
    assert.equal(list.code, 0);
    const listing = JSON.parse(new TextDecoder().decode(list.stdout));
    assert.ok(listing.plugins.some((p: { name: string }) => p.name === "example"));
  } else {
    // deno-lint-ignore no-console -- says why half of the test was not run
    console.error("compiled binary not tested: denort is not available here (set DENORT_BIN)");
    assert.equal(out.code, 1, stderr);
    assert.match(
      stderr,
      /error: Cannot compile as deno compile needs its denort runtime, which it downloads from dl\.deno\.land, and that host cannot be reached from this machine\. Set DENORT_BIN to a denort binary of Deno \d+\.\d+\.\d+ and run again\./,
    );
    assert.ok(!stderr.includes("Stack backtrace"), "no Deno stack trace");
  }
  await Deno.remove(dir, { recursive: true });
});
