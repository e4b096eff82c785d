/**
 * `deno task demo`: the showcase pipeline over the committed fixtures, on the
 * embedded defaults (a directory for objects, SQLite for state). Each plugin
 * adds its steps here as it lands.
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import "../plugins/example/types.ts";
import "../plugins/streaming/types.ts";
import "../plugins/graph/types.ts";

/** The demo pipeline. */
export const demo = definePipeline(
  "demo",
  "Showcase over the committed fixtures: every plugin in turn, embedded defaults",
  z.object({
    source: z.string().default("fixtures/example").describe(
      "directory the example plugin snapshots",
    ),
    pages: z.string().default("dir:fixtures/ontology/sample/pages").describe(
      "ontology pages the streaming plugin syncs",
    ),
  }),
)
  .step("snapshot", "example.snapshot", (p) => ({ source: p.source, name: "demo" }))
  .step("verify", "example.verify", (_p, out) => ({ name: out.snapshot.name }))
  // The sample's four malformed pages exist for the parser tests; with them
  // the sync is a partial success (exit 3), which the tests cover.
  .step("ontology", "streaming.sync", (p) => ({
    source: p.pages,
    only: "!(Broken*|Unknown*|Empty*)",
  }))
  .step("ontology_check", "streaming.check", () => ({}))
  .step("graph", "graph.batch_upload_dual", () => ({ input: ["fixtures/graph/sample"] }))
  .step("graph_status", "graph.status", () => ({ limit: 0 }))
  .build((out) => [
    "",
    "weir demo: what each step did",
    `  example.snapshot  ${out.snapshot.files} files (${out.snapshot.copied} copied, ${out.snapshot.unchanged} unchanged, ${out.snapshot.bytes} bytes) -> ${out.snapshot.manifest}`,
    `  example.verify    ${out.verify.verified}/${out.verify.files} files match, Merkle root ${
      out.verify.merkle_ok ? "ok" : "MISMATCH"
    } ${out.verify.merkle_root.slice(0, 12)}…`,
    `  streaming.sync    ${out.ontology.listed} pages: ${out.ontology.saved} saved, ${out.ontology.unchanged} unchanged, ${out.ontology.skipped} without a block -> ${out.ontology.db}`,
    `  streaming.check   integrity ${
      out.ontology_check.integrity.join(",")
    }, ${out.ontology_check.foreign_keys.length} foreign-key problems`,
    `  graph.batch_upload ${out.graph.documents} documents into both graphs: ${out.graph.documents_synced} synced, ${out.graph.documents_unchanged} unchanged; ${
      out.graph_status.hybrid?.content_nodes ?? "?"
    } content nodes, dedup ratio ${out.graph_status.hybrid?.dedup_ratio ?? "-"}`,
  ]);
