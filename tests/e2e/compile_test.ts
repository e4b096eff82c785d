/**
 * The single binary. `deno compile` needs its denort runtime (DENORT_BIN, or
 * a download from dl.deno.land). The compile is tried once when this module
 * loads; then exactly one of two tests runs and the other is ignored with its
 * reason in its name: where the runtime is available, the binary must run
 * `weir list`; where it is not, the compile task must say so clearly. So an
 * untested binary shows as ignored, never as passed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";

/** What compiling and, when that worked, running `weir list` with the binary gave. */
interface Attempt {
  compile: Deno.CommandOutput;
  stderr: string;
  list?: Deno.CommandOutput;
}

const decoder = new TextDecoder();

/** Runs `deno task compile` into a temporary folder, and the binary when built; removes the folder. */
async function attempt(env: Record<string, string> = {}): Promise<Attempt> {
  const dir = await Deno.makeTempDir({ prefix: "weir-compile-" });
  try {
    const bin = join(dir, "weir");
    const compile = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=compile", "tools/compile.ts", bin],
      cwd: ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    // Without Deno's warning that permissions in deno.json are experimental.
    const stderr = decoder.decode(compile.stderr).split("\n")
      .filter((line) => !line.includes("experimental feature")).join("\n");
    if (!compile.success) return { compile, stderr };
    const list = await new Deno.Command(bin, { args: ["list"], stdout: "piped" }).output();
    return { compile, stderr, list };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const MISSING_RUNTIME =
  /error: Cannot compile as deno compile needs its denort runtime, which it downloads from dl\.deno\.land, and that host cannot be reached from this machine\. Set DENORT_BIN to a denort binary of Deno \d+\.\d+\.\d+ and run again\./;

const tried = await attempt();
const built = tried.compile.success;
const unavailable = built ? undefined : "denort is not available here (set DENORT_BIN)";

Deno.test({
  name: `the compiled binary runs weir list${unavailable ? ` (ignored: ${unavailable})` : ""}`,
  ignore: !built,
  fn() {
    assert.ok(tried.list, tried.stderr);
    assert.equal(tried.list.code, 0);
    const listing = JSON.parse(decoder.decode(tried.list.stdout));
    assert.ok(listing.plugins.some((p: { name: string }) => p.name === "example"));
  },
});

Deno.test({
  name: `deno task compile says clearly that denort cannot be downloaded${
    built ? " (ignored: denort is available here)" : ""
  }`,
  ignore: built,
  fn() {
    assert.equal(tried.compile.code, 1, tried.stderr);
    assert.match(tried.stderr, MISSING_RUNTIME);
    assert.ok(!tried.stderr.includes("Stack backtrace"), "no Deno stack trace");
    assert.equal(tried.stderr.trim().split("\n").length, 1, tried.stderr);
  },
});

Deno.test("deno task compile exits 2 naming DENORT_BIN when it is not a file", async () => {
  const missing = join(ROOT, "tests", ".no-such-denort");
  const { compile, stderr } = await attempt({ DENORT_BIN: missing });
  assert.equal(compile.code, 2, stderr);
  assert.equal(
    stderr.trim(),
    `error: Cannot compile as DENORT_BIN is not a file: current value is "${missing}"`,
  );
});
