/**
 * `graph.sync_to_hybrid`: merges documents the hybridgraph lacks (status
 * null or pending, deletions included) into it, up to `--limit`, and marks
 * them synced. `--quiet` (the CLI's) prints only errors, for cron.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import { graphFlags } from "./flags.ts";
import { graphNeeds, type LastSync, openGraphs, openState, SYNC_SCOPE } from "./graphs.ts";
import type { Options } from "./options.ts";
import { outcomeFields, report, syncUnsynced } from "./runs.ts";

const input = z.object({
  limit: z.number().int().min(1).max(10_000_000).default(100).describe(
    "documents synced at most",
  ),
  ...graphFlags,
});

const output = z.object({
  documents_synced: outcomeFields.documents_synced,
  content_created: outcomeFields.content_created,
  content_reused: outcomeFields.content_reused,
  errors: outcomeFields.errors,
});

/**
 * Creates the `graph.sync_to_hybrid` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { syncToHybridTask } from "./sync_to_hybrid.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(syncToHybridTask(defaults).id, "graph.sync_to_hybrid");
 * ```
 */
export function syncToHybridTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.sync_to_hybrid",
    summary: "Merges unsynced jsongraph documents into the hybridgraph, up to --limit",
    input,
    output,
    permissions: (i, config) => graphNeeds(i, config, options),
    async run(ctx, i) {
      await using graphs = await openGraphs(ctx, i, options);
      const r = report(ctx, await syncUnsynced(ctx, graphs, i.limit, i.batch_size));
      const state = await openState(ctx, options, SYNC_SCOPE);
      const last: LastSync = {
        run_id: ctx.runId,
        at: new Date().toISOString(),
        documents_synced: r.documents_synced,
        errors: r.errors.length,
      };
      state.checkpoints.set(graphs.identity, last);
      return {
        documents_synced: r.documents_synced,
        content_created: r.content_created,
        content_reused: r.content_reused,
        errors: r.errors,
      };
    },
  });
}
