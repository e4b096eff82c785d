/**
 * The graph plugin: JSON documents kept twice, as a flat jsongraph (a node
 * per value, a sync status per document) and as a deduplicated,
 * content-addressed hybridgraph (a node per distinct value or subtree,
 * reference-counted, a Source per document), on embedded SQLite files by
 * default or on Neo4j. Uploads write both; what the hybridgraph missed
 * (it was down, or the data predates it) stays pending until a sync, a
 * periodic sync or a migration completes it.
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
 * const plugin = graphPlugin({ jsonDatabase: "g/json.db" });
 * assert.equal(plugin.tasks.length, 8);
 * assert.equal(plugin.tasks[0].id, "graph.upload_dual");
 * ```
 */
export function graphPlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "graph",
    version: "0.1.0",
    summary: "Keeps a flat jsongraph and a deduplicated hybridgraph in sync, embedded or on Neo4j",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "graph.upload_dual",
        "Writes one JSON document to the jsongraph and the hybridgraph, then marks it synced",
        async () => (await import("./upload_dual.ts")).uploadDualTask(opts),
      ),
      lazyTask(
        "graph.batch_upload_dual",
        "Writes JSON files (files, directories or globs) to both graphs in batches",
        async () => (await import("./batch_upload_dual.ts")).batchUploadDualTask(opts),
      ),
      lazyTask(
        "graph.delete_dual",
        "Removes documents from both graphs; content nothing references any more goes",
        async () => (await import("./delete_dual.ts")).deleteDualTask(opts),
      ),
      lazyTask(
        "graph.sync_to_hybrid",
        "Merges unsynced jsongraph documents into the hybridgraph, up to --limit",
        async () => (await import("./sync_to_hybrid.ts")).syncToHybridTask(opts),
      ),
      lazyTask(
        "graph.periodic_sync",
        "Syncs every --interval-seconds until stopped, never two at once for the same graphs",
        async () => (await import("./periodic_sync.ts")).periodicSyncTask(opts),
      ),
      lazyTask(
        "graph.migrate_to_hybrid",
        "Migrates a whole jsongraph into the hybridgraph, resumable after a kill",
        async () => (await import("./migrate_to_hybrid.ts")).migrateToHybridTask(opts),
      ),
      lazyTask(
        "graph.setup_auto_sync",
        "Writes a cron script or systemd units for a scheduled sync, or shows their status",
        async () => (await import("./setup_auto_sync.ts")).setupAutoSyncTask(opts),
      ),
      lazyTask(
        "graph.status",
        "Counts documents by sync status, lists unsynced ones, Sources and the dedup ratio",
        async () => (await import("./status.ts")).statusTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = graphPlugin();
