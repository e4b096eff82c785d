/**
 * `graph.status`: documents by sync status, the unsynced ones with their
 * node counts and errors, Sources by last_synced, the hybridgraph's totals
 * and the dedup ratio (nodes of synced jsongraph documents per hybridgraph
 * content node). When
 * the hybridgraph cannot be reached its part is `null` and the reason is
 * given.
 *
 * @module
 */
import { z } from "zod";
import { messageOf } from "../../lib/errors.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { graphFlags } from "./flags.ts";
import { graphNeeds, openGraphs } from "./graphs.ts";
import type { Options } from "./options.ts";

const input = z.object({
  limit: z.number().int().min(0).max(10_000).default(20).describe(
    "unsynced documents and Sources listed at most",
  ),
  ...graphFlags,
});

const output = z.object({
  jsongraph: z.string(),
  documents: z.number().int(),
  by_status: z.record(z.string(), z.number()),
  json_nodes: z.number().int(),
  unsynced: z.array(z.object({
    doc_id: z.string(),
    status: z.string().nullable(),
    node_count: z.number().int(),
    deleted: z.boolean(),
    error: z.string().nullable(),
  })),
  hybridgraph: z.string(),
  hybrid: z.object({
    sources: z.number().int(),
    content_nodes: z.number().int(),
    edges: z.number().int(),
    dedup_ratio: z.number().nullable(),
    recent_sources: z.array(z.object({ doc_id: z.string(), last_synced: z.string() })),
  }).nullable(),
  hybrid_error: z.string().nullable(),
});

/**
 * Creates the `graph.status` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusTask } from "./status.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(statusTask(defaults).id, "graph.status");
 * ```
 */
export function statusTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.status",
    summary: "Counts documents by sync status, lists unsynced ones, Sources and the dedup ratio",
    input,
    output,
    permissions: (i, config) => graphNeeds(i, config, options),
    async run(ctx, i) {
      await using graphs = await openGraphs(ctx, i, options);
      const counts = await graphs.json.counts();
      const unsynced = (await graphs.json.unsynced(i.limit)).map((d) => ({
        doc_id: d.docId,
        status: d.status,
        node_count: d.nodeCount,
        deleted: d.deleted,
        error: d.error,
      }));
      let hybrid: z.output<typeof output>["hybrid"] = null;
      let hybridError: string | null = null;
      let hybridName = "";
      try {
        const store = await graphs.hybrid();
        hybridName = store.identity;
        const totals = await store.totals();
        hybrid = {
          sources: totals.sources,
          content_nodes: totals.contents,
          edges: totals.edges,
          dedup_ratio: totals.contents > 0
            ? Math.round((counts.syncedNodes / totals.contents) * 1000) / 1000
            : null,
          recent_sources: (await store.sources(i.limit)).map((s) => ({
            doc_id: s.docId,
            last_synced: s.lastSynced,
          })),
        };
      } catch (err) {
        hybridError = messageOf(err);
      }
      return {
        jsongraph: graphs.json.identity,
        documents: counts.documents,
        by_status: counts.byStatus,
        json_nodes: counts.nodes,
        unsynced,
        hybridgraph: hybridName,
        hybrid,
        hybrid_error: hybridError,
      };
    },
  });
}
