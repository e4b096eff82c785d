/**
 * The permission sets in deno.json and the compiled binary's baked
 * permissions grant only what their tasks use: no secrets where there is no
 * network to use them with, none at all for the demo, no unscoped read,
 * write or net in the binary.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";
import { isSecretName } from "../../lib/redact.ts";

type Set = Record<string, boolean | string[] | undefined>;
const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
  tasks: Record<string, string>;
  permissions: Record<string, Set>;
};
/** Sets that run tests and benchmarks, which start servers and children of their own. */
const TOOLING = new Set(["test", "bench", "compile", "scaffold"]);
const CREDENTIALS = ["DATABASE_URL", "NEO4J_URI", "NEO4J_HYBRID_URI", "S3_ENDPOINT"];

Deno.test("no deno task entry runs with -A or without a named permission set", () => {
  for (const [name, command] of Object.entries(config.tasks)) {
    assert.ok(!/(^|\s)(-A|--allow-all)(\s|$)/.test(command), `${name}: ${command}`);
    if (/^deno (run|test|bench) /.test(command) && !command.includes("check_imports")) {
      assert.match(command, /-P=[a-z-]+/, `${name} has no permission set`);
    }
  }
});

Deno.test("the demo's permission set grants no network and only the feature flags its tasks read", () => {
  const demo = config.permissions.demo;
  // contracts.bind reads WEIR_JOIN_TABLE (a feature flag, not a secret).
  assert.deepEqual(demo.env, ["WEIR_JOIN_TABLE"]);
  assert.equal(demo.net, undefined);
});

Deno.test("no permission set grants a secret or a server URL without the network to use it", () => {
  for (const [name, set] of Object.entries(config.permissions)) {
    if (TOOLING.has(name)) continue;
    const env = Array.isArray(set.env) ? set.env : [];
    assert.notEqual(set.env, true, `${name} grants every environment variable`);
    const secrets = env.filter((v) => isSecretName(v) || CREDENTIALS.includes(v));
    if (!set.net) assert.deepEqual(secrets, [], `${name} grants ${secrets} but no network`);
    for (const kind of ["read", "write", "net", "run"]) {
      assert.notEqual(set[kind], true, `${name} grants unscoped ${kind}`);
    }
  }
});

Deno.test("the compiled binary bakes in scoped read, write and net, not unscoped ones", async () => {
  const source = await Deno.readTextFile(join(ROOT, "tools/compile.ts"));
  for (
    const flag of ["--allow-read", "--allow-write", "--allow-net", "--allow-run", "--allow-all"]
  ) {
    assert.ok(!source.includes(`"${flag}"`), `tools/compile.ts passes ${flag} unscoped`);
  }
  assert.match(source, /`--allow-net=\$\{values\.net\}`/);
  assert.match(source, /net: \{ type: "string", default: "api\.github\.com" \}/);
});
