/**
 * The graph plugin. Counts the files, lines and bytes of a directory: its one task, `graph.count`, is the
 * starting point of the plugin's real work.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the graph plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import { graphPlugin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = graphPlugin({ maxBytes: 1024 });
 * assert.deepEqual(plugin.tasks.map((t) => t.id), ["graph.count"]);
 * ```
 */
export function graphPlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "graph",
    version: "0.1.0",
    summary: "Counts the files, lines and bytes of a directory",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "graph.count",
        "Counts the files, lines and bytes of a directory",
        async () => (await import("./count.ts")).countTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = graphPlugin();
