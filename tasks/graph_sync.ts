/**
 * `deno task graph:sync`: one incremental sync into the hybridgraph, then
 * the graphs' status (see tasks/graph_upload.ts for the permissions).
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import "../plugins/graph/types.ts";

/** The graph:sync pipeline. */
export const graphSync = definePipeline(
  "graph:sync",
  "Syncs unsynced jsongraph documents into the hybridgraph, then reports status",
  z.object({
    limit: z.number().int().min(1).default(100).describe("documents synced at most"),
    backend: z.enum(["embedded", "neo4j"]).default("embedded").describe("where the graphs live"),
    namespace: z.string().default("").describe("Neo4j: a label prefix"),
  }),
)
  .step("sync", "graph.sync_to_hybrid", (p) => ({
    limit: p.limit,
    backend: p.backend,
    namespace: p.namespace,
  }))
  .step("status", "graph.status", (p) => ({ backend: p.backend, namespace: p.namespace, limit: 5 }))
  .build((out) => [
    "",
    `graph.sync_to_hybrid  ${out.sync.documents_synced} synced, content ${out.sync.content_created} created, ${out.sync.content_reused} reused, ${out.sync.errors.length} errors`,
    `graph.status          ${JSON.stringify(out.status.by_status)}, dedup ratio ${
      out.status.hybrid?.dedup_ratio ?? "-"
    }`,
  ]);
