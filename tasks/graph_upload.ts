/**
 * `deno task graph:upload`: JSON documents into both graphs (batched), then
 * the graphs' status. Embedded by default; `--backend neo4j` uses
 * NEO4J_URI / NEO4J_HYBRID_URI (the permission set reaches 127.0.0.1:7687
 * and localhost:7687 only: name your hosts there).
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import "../plugins/graph/types.ts";

/** The graph:upload pipeline. */
export const graphUpload = definePipeline(
  "graph:upload",
  "Uploads JSON documents into the jsongraph and the hybridgraph, then reports status",
  z.object({
    input: z.array(z.string().min(1)).min(1).default(["fixtures/graph/sample"]).describe(
      "JSON files, directories or globs; repeat the flag",
    ),
    backend: z.enum(["embedded", "neo4j"]).default("embedded").describe("where the graphs live"),
    namespace: z.string().default("").describe("Neo4j: a label prefix"),
    batch_size: z.number().int().min(1).max(100_000).default(5_000).describe("rows per batch"),
  }),
)
  .step("upload", "graph.batch_upload_dual", (p) => ({
    input: p.input,
    backend: p.backend,
    namespace: p.namespace,
    batch_size: p.batch_size,
  }))
  .step("status", "graph.status", (p) => ({ backend: p.backend, namespace: p.namespace, limit: 5 }))
  .build((out) => [
    "",
    `graph.batch_upload_dual  ${out.upload.documents} documents: ${out.upload.documents_written} written, ${out.upload.documents_unchanged} unchanged, ${out.upload.documents_synced} synced, ${out.upload.errors.length} pending with errors`,
    `                         content ${out.upload.content_created} created, ${out.upload.content_reused} reused, ${out.upload.content_removed} removed`,
    `graph.status             ${JSON.stringify(out.status.by_status)}, ${
      out.status.hybrid?.content_nodes ?? "?"
    } content nodes, dedup ratio ${out.status.hybrid?.dedup_ratio ?? "-"}`,
  ]);
