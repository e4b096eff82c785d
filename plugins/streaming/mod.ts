/**
 * The streaming plugin: ontology pages from a directory, a git repository or
 * GitHub into SQLite, page by page, with a worker pool, retries, per-page
 * checkpoints, resume and live progress.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the streaming plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamingPlugin } from "./mod.ts";
 * const ids = streamingPlugin().tasks.map((t) => t.id);
 * assert.deepEqual(ids, ["streaming.sync", "streaming.status", "streaming.check"]);
 * ```
 */
export function streamingPlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "streaming",
    version: "0.1.0",
    summary: "Syncs ontology pages into SQLite, page by page, resumable",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "streaming.sync",
        "Syncs ontology pages from a source into SQLite, page by page, resumable",
        async () => (await import("./sync.ts")).syncTask(opts),
      ),
      lazyTask(
        "streaming.status",
        "Shows the last sync of each source, page counts and failures with reasons",
        async () => (await import("./status.ts")).statusTask(opts),
      ),
      lazyTask(
        "streaming.check",
        "Checks the database: integrity, foreign keys, orphan rows",
        async () => (await import("./check.ts")).checkTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = streamingPlugin();
