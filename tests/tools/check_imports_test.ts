import assert from "node:assert/strict";
import { checkGraph, type ImportGraph, readGraph, sourceFiles } from "../../tools/check_imports.ts";
import { ROOT } from "../helpers/cli.ts";

const graph = (edges: Record<string, string[]>): ImportGraph =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

Deno.test("the source tree imports one way, with no cycle", async () => {
  const files = await sourceFiles(ROOT);
  const problems = checkGraph(await readGraph(ROOT, files));
  assert.deepEqual(problems.map((p) => `${p.from} -> ${p.to}: ${p.rule}`), []);
  // Every file was reached, so the rules saw the whole tree.
  assert.ok(files.length > 80, `only ${files.length} files`);
});

Deno.test("checkGraph() reports lib/ importing kernel/, cli/ or a plugin", () => {
  const problems = checkGraph(graph({
    "lib/hash.ts": ["kernel/task.ts"],
    "lib/async/pool.ts": ["cli/main.ts", "plugins/streaming/sync.ts", "lib/errors.ts"],
  }));
  assert.deepEqual(problems.map((p) => [p.from, p.to]), [
    ["lib/async/pool.ts", "cli/main.ts"],
    ["lib/async/pool.ts", "plugins/streaming/sync.ts"],
    ["lib/hash.ts", "kernel/task.ts"],
  ]);
  assert.match(problems[0].rule, /^lib\/ imports cli\/ \(imports run one way/);
});

Deno.test("checkGraph() reports a plugin importing another plugin, and the kernel importing the CLI", () => {
  const problems = checkGraph(graph({
    "plugins/graph/sync.ts": ["plugins/streaming/store.ts", "plugins/graph/mod.ts"],
    "kernel/kernel.ts": ["cli/run.ts"],
    "cli/run.ts": ["plugins/example/mod.ts"],
    "tasks/demo.ts": ["kernel/pipeline.ts"],
  }));
  assert.deepEqual(problems.map((p) => p.rule), [
    "cli/ imports plugins/ (imports run one way: main -> tasks -> cli, plugins -> kernel -> lib)",
    "kernel/ imports cli/ (imports run one way: main -> tasks -> cli, plugins -> kernel -> lib)",
    "plugins/graph imports another plugin, plugins/streaming",
  ]);
});

Deno.test("checkGraph() reports each import cycle once, as a closed path", () => {
  const problems = checkGraph(graph({
    "plugins/x/mod.ts": ["plugins/x/run.ts"],
    "plugins/x/run.ts": ["plugins/x/options.ts", "plugins/x/mod.ts"],
    "lib/a.ts": ["lib/b.ts"],
    "lib/b.ts": ["lib/c.ts"],
    "lib/c.ts": ["lib/a.ts"],
    "kernel/self.ts": ["kernel/self.ts"],
  }));
  assert.deepEqual(problems.map((p) => p.rule).sort(), [
    "import cycle: kernel/self.ts -> kernel/self.ts",
    "import cycle: lib/a.ts -> lib/b.ts -> lib/c.ts -> lib/a.ts",
    "import cycle: plugins/x/mod.ts -> plugins/x/run.ts -> plugins/x/mod.ts",
  ]);
});
