/**
 * The scaffolder's parts without a subprocess per case: names it refuses,
 * the registration edits, and templates that `deno fmt` leaves unchanged
 * even for the longest names it accepts.
 */
import assert from "node:assert/strict";
import { extname } from "node:path";
import { MAX_NAME, MAX_VERB, pluginNames, ScaffoldInputError } from "../../tools/scaffold/names.ts";
import { pluginFiles } from "../../tools/scaffold/plugin_files.ts";
import { registerInDenoJson, registerInMain } from "../../tools/scaffold/register.ts";
import { testFiles } from "../../tools/scaffold/test_files.ts";
import { ROOT } from "../helpers/cli.ts";

Deno.test("pluginNames() refuses names that are not snake_case or too long, and the verb run", () => {
  const cases: [string, string, RegExp][] = [
    ["Tally", "count", /name must be lower-case snake_case .*: current value is "Tally"/],
    ["tally-x", "count", /current value is "tally-x"/],
    ["tally__x", "count", /current value is "tally__x"/],
    ["tally_", "count", /current value is "tally_"/],
    ["9lives", "count", /current value is "9lives"/],
    ["a".repeat(MAX_NAME + 1), "count", /name must be at most 24 characters/],
    ["tally", "Count", /task verb must be lower-case snake_case/],
    ["tally", "v".repeat(MAX_VERB + 1), /task verb must be at most 16 characters/],
    ["tally", "run", /must not read as the CLI's "weir run": current value is "run"/],
  ];
  for (const [name, verb, message] of cases) {
    assert.throws(() => pluginNames(name, verb), (err: unknown) => {
      assert.ok(err instanceof ScaffoldInputError);
      assert.equal(err.code, "invalid_input");
      assert.match(err.message, message);
      return true;
    }, `${name}.${verb}`);
  }
});

Deno.test("registerInDenoJson() refuses an existing task or permission set", () => {
  const n = pluginNames("tally", "count");
  const taken = JSON.stringify({
    tasks: { "tally:count": "x" },
    permissions: { "tally-count": {} },
  });
  assert.throws(() => registerInDenoJson(taken, n), {
    name: "ScaffoldInputError",
    message:
      'Cannot register plugin "tally" in deno.json as nothing may be overwritten: current value is task "tally:count" and permission set "tally-count" (exists)',
  });
  assert.throws(() => registerInDenoJson("{ // jsonc\n}", n), /must be plain JSON/);
});

Deno.test("registerInMain() wraps the plugins list one per line once it passes 100 columns", () => {
  const main = [
    'import { alphaBetaGammaPlugin } from "./plugins/alpha_beta_gamma/mod.ts";',
    'import { deltaEpsilonZetaPlugin } from "./plugins/delta_epsilon_zeta/mod.ts";',
    'import { pipelines } from "./tasks/mod.ts";',
    "",
    "export const plugins = [alphaBetaGammaPlugin(), deltaEpsilonZetaPlugin()];",
    "",
  ].join("\n");
  const out = registerInMain(main, pluginNames("a_long_plugin_name_here", "count"));
  assert.equal(
    out,
    [
      'import { alphaBetaGammaPlugin } from "./plugins/alpha_beta_gamma/mod.ts";',
      'import { deltaEpsilonZetaPlugin } from "./plugins/delta_epsilon_zeta/mod.ts";',
      'import { aLongPluginNameHerePlugin } from "./plugins/a_long_plugin_name_here/mod.ts";',
      'import { pipelines } from "./tasks/mod.ts";',
      "",
      "export const plugins = [",
      "  alphaBetaGammaPlugin(),",
      "  deltaEpsilonZetaPlugin(),",
      "  aLongPluginNameHerePlugin(),",
      "];",
      "",
    ].join("\n"),
  );
  assert.throws(() => registerInMain(out, pluginNames("a_long_plugin_name_here", "count")), {
    message:
      'Cannot register plugin "a_long_plugin_name_here" in main.ts as nothing may be overwritten: current value is an import of "./plugins/a_long_plugin_name_here/mod.ts" (exists)',
  });
  assert.throws(() => registerInMain("export {};\n", pluginNames("tally", "count")), {
    message:
      'Cannot register plugin "tally" in main.ts as it must hold "export const plugins = [...];": current value has none',
  });
});

async function formatted(path: string, text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", `--ext=${extname(path).slice(1)}`, "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("every scaffolded file is already formatted, for the shortest and longest names", async () => {
  for (
    const n of [pluginNames("t", "c"), pluginNames("x".repeat(MAX_NAME), "y".repeat(MAX_VERB))]
  ) {
    const files = { ...pluginFiles(n), ...testFiles(n) };
    for (const [path, text] of Object.entries(files)) {
      if (path.endsWith(".txt")) continue;
      assert.equal(await formatted(path, text), text, path);
    }
  }
});
