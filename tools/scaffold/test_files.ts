/**
 * The fixture and the test of a scaffolded plugin: `fixtures/<name>/` with
 * a tiny sample, and `tests/plugins/<name>/<verb>_test.ts`, which runs the
 * task through the CLI as a user does (the shared `weir()` helper) and
 * checks its figures against the fixture.
 *
 * @module
 */
import type { PluginNames } from "./names.ts";

/** The figures the scaffolded task reports over its fixture. */
interface Figures {
  files: number;
  lines: number;
  bytes: number;
}

function fixture(n: PluginNames): Record<string, string> {
  return {
    [`fixtures/${n.name}/README.md`]: `# ${n.name} fixture

A tiny committed sample for the ${n.name} plugin.

Its task \`${n.taskId}\` counts this folder.
`,
    [`fixtures/${n.name}/sample.txt`]: "alpha\nbeta\ngamma\n",
  };
}

function figures(files: Record<string, string>): Figures {
  const encoder = new TextEncoder();
  let lines = 0;
  let bytes = 0;
  for (const text of Object.values(files)) {
    bytes += encoder.encode(text).length;
    lines += text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  }
  return { files: Object.keys(files).length, lines, bytes };
}

function test(n: PluginNames, f: Figures): string {
  return `/**
 * \`${n.taskId}\` through the CLI, as a user runs it: \`weir run\` over the
 * committed fixture, and the permission pre-flight for a folder outside the
 * grants.
 */
import assert from "node:assert/strict";
import { ROOT, weir } from "../../helpers/cli.ts";

const TASK = "${n.taskId}";

Deno.test(\`\${TASK} counts the files, lines and bytes of its fixture\`, async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-${n.name}-" });
  try {
    const run = await weir(["--home", home, "run", TASK]);
    assert.equal(run.code, 0, run.stderr);
    const envelope = run.json as { status: string; output: unknown };
    assert.equal(envelope.status, "succeeded");
    assert.deepEqual(envelope.output, {
      dir: "fixtures/${n.name}",
      files: ${f.files},
      lines: ${f.lines},
      bytes: ${f.bytes},
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test(\`\${TASK} stops with exit 2 and names the flag for a folder not granted\`, async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-${n.name}-" });
  const outside = await Deno.makeTempDir({ prefix: "weir-${n.name}-outside-" });
  try {
    const args = ["--home", home, "run", TASK, "--dir", outside];
    const perms = [\`--allow-read=\${ROOT},\${home}\`, \`--allow-write=\${home}\`];
    const run = await weir(args, { perms });
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes(\`--allow-read=\${outside}\`), run.stderr);
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
`;
}

/**
 * Renders the fixture folder and the test of a scaffolded plugin.
 *
 * @param n The plugin's names.
 * @returns File texts by path relative to the repository root.
 *
 * @example
 * ```ts
 * import { testFiles } from "./test_files.ts";
 * import { pluginNames } from "./names.ts";
 * import assert from "node:assert/strict";
 * const files = testFiles(pluginNames("tally", "count"));
 * assert.deepEqual(Object.keys(files).sort(), [
 *   "fixtures/tally/README.md",
 *   "fixtures/tally/sample.txt",
 *   "tests/plugins/tally/count_test.ts",
 * ]);
 * assert.match(files["tests/plugins/tally/count_test.ts"], /const TASK = "tally.count";/);
 * ```
 */
export function testFiles(n: PluginNames): Record<string, string> {
  const sample = fixture(n);
  return { ...sample, [`tests/plugins/${n.name}/${n.verb}_test.ts`]: test(n, figures(sample)) };
}
