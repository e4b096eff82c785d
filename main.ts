/**
 * The weir CLI: `deno run -P=<set> main.ts <command>`, and the target of
 * `deno compile`. Plugins are imported statically so the compiled binary
 * carries them; their tasks load only when run.
 *
 * @module
 */
import { runCli } from "./cli/main.ts";
import { examplePlugin } from "./plugins/example/mod.ts";
import { streamingPlugin } from "./plugins/streaming/mod.ts";
import { contractsPlugin } from "./plugins/contracts/mod.ts";
import { canonicalPlugin } from "./plugins/canonical/mod.ts";
import { graphPlugin } from "./plugins/graph/mod.ts";
import { partitionPlugin } from "./plugins/partition/mod.ts";
import { pipelines } from "./tasks/mod.ts";

/** The built-in plugins. */
export const plugins = [
  examplePlugin(),
  streamingPlugin(),
  contractsPlugin(),
  canonicalPlugin(),
  graphPlugin(),
  partitionPlugin(),
];

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, { plugins, pipelines }));
}
