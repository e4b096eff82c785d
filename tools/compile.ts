/**
 * `deno task compile [out] [--read a,b] [--write a] [--net host:port,...]`:
 * builds the single `weir` binary with `deno compile`. Its permissions are
 * baked in at build time, so they are the narrowest that serve weir's tasks:
 * read `.` and write `.weir` (relative paths resolve where the binary runs),
 * run `git`, net `api.github.com` only (add the S3, Neo4j and PostgreSQL
 * hosts a deployment uses with `--net`), weir's environment variables.
 *
 * `deno compile` needs the `denort` runtime, which it downloads from
 * dl.deno.land. Where that host cannot be reached, this says so plainly and
 * how to proceed (`DENORT_BIN`), instead of Deno's DNS error.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a build script reports to its user
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CONFIG_ENV, type WeirConfig } from "../kernel/config.ts";
import { objectStoreNeeds } from "../kernel/store_needs.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The env vars weir reads, and those the AWS SDK reads when S3 is used. */
const ENV = [
  ...CONFIG_ENV,
  ...(objectStoreNeeds({ objects: "s3", s3: { bucket: "b", region: "r" } } as WeirConfig).env ??
    []),
  "GITHUB_TOKEN",
];

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    read: { type: "string", default: "." },
    write: { type: "string", default: ".weir" },
    net: { type: "string", default: "api.github.com" },
  },
});
const output = positionals[0] ?? "dist/weir";
const denort = Deno.env.get("DENORT_BIN");
if (denort && !(await Deno.stat(denort).then((s) => s.isFile, () => false))) {
  console.error(`error: Cannot compile as DENORT_BIN is not a file: current value is "${denort}"`);
  Deno.exit(2);
}

// The binary's permissions are fixed at build time; the kernel's pre-flight
// still checks every task's declared needs against them.
const args = [
  "compile",
  "--no-check",
  // The regex runner (lib/regex) applies untrusted patterns in a Worker without permissions.
  "--unstable-worker-options",
  // Long syncs keep a flat heap instead of letting V8 grow it (see README, Benchmarks).
  "--v8-flags=--optimize-for-size",
  `--allow-read=${values.read}`,
  `--allow-write=${values.write}`,
  "--allow-run=git",
  `--allow-env=${ENV.join(",")}`,
  `--allow-net=${values.net}`,
  "--allow-sys=osRelease,hostname",
  // Loaded by a specifier Deno cannot see (lib/objects/s3.ts).
  "--include",
  "tools/compile_include.ts",
  "--output",
  output,
  "main.ts",
];
const result = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: ROOT,
  stdout: "inherit",
  stderr: "piped",
}).output();
const stderr = new TextDecoder().decode(result.stderr);
if (result.success) {
  console.error(`compiled ${output}`);
  Deno.exit(0);
}
if (/denort|dl\.deno\.land/.test(stderr) && /dns|Connect|request/i.test(stderr)) {
  console.error(
    "error: Cannot compile as deno compile needs its denort runtime, which it downloads " +
      "from dl.deno.land, and that host cannot be reached from this machine. " +
      `Set DENORT_BIN to a denort binary of Deno ${Deno.version.deno} and run again.`,
  );
  Deno.exit(1);
}
console.error(stderr);
Deno.exit(result.code || 1);
