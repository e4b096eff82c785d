/**
 * The example plugin: the README's worked example of the plugin shape, and
 * the demo's first steps. It snapshots a directory into the object store
 * (content-hashed, incremental, with a Merkle-rooted manifest) and verifies
 * a snapshot against its manifest.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the example plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import { examplePlugin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = examplePlugin({ prefix: "backups" });
 * assert.deepEqual(plugin.tasks.map((t) => t.id), ["example.snapshot", "example.verify"]);
 * ```
 */
export function examplePlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "example",
    version: "0.1.0",
    summary: "Snapshots a directory into the object store and verifies it",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "example.snapshot",
        "Copies a directory's files into the object store with a hashed manifest",
        async () => (await import("./snapshot.ts")).snapshotTask(opts),
      ),
      lazyTask(
        "example.verify",
        "Re-reads a snapshot and checks every file against its manifest",
        async () => (await import("./verify.ts")).verifyTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = examplePlugin();
