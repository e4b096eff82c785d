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
import "../plugins/contracts/types.ts";
import "../plugins/canonical/types.ts";
import "../plugins/graph/types.ts";
import "../plugins/partition/types.ts";

const CONTRACTS = {
  contracts: "fixtures/contracts/sample/contracts",
  document: "fixtures/contracts/sample/document.json",
  questionnaire: "fixtures/contracts/sample/questionnaire.json",
  expectedContracts: 8,
  expectedChunks: 4,
};

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
  // The committed sample: 8 contracts bound to 4 chunks, then planned and matched.
  .step("contracts_bind", "contracts.bind", () => CONTRACTS)
  .step("contracts_match", "contracts.match", () => CONTRACTS)
  .step("canonical", "canonical.run_job", () => ({
    source: "jsonl:fixtures/canonical/sample/source",
    mapping: "fixtures/canonical/sample/mapping.json",
    batch_size: 20,
    chunk_size: 40,
  }))
  .step("graph", "graph.batch_upload_dual", () => ({ input: ["fixtures/graph/sample"] }))
  .step("graph_status", "graph.status", () => ({ limit: 0 }))
  // Three partition.process instances as separate processes over the sample, then the proof.
  .step("partition_seed", "partition.seed", () => ({
    backend: "sqlite" as const,
    from: "fixtures/partition/sample.jsonl",
  }))
  .step("partition_fleet", "partition.fleet", () => ({ backend: "sqlite" as const, instances: 3 }))
  .step("partition_verify", "partition.verify", () => ({ backend: "sqlite" as const }))
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
    `  contracts.bind    ${out.contracts_bind.bindings} contracts bound to ${out.contracts_bind.chunks} chunks, invariants ${
      out.contracts_bind.success ? "ok" : "BROKEN"
    }, Merkle root ${out.contracts_bind.merkle_root.slice(0, 12)}…`,
    `  contracts.match   ${out.contracts_match.matches} matches for ${out.contracts_match.questions} questions (${out.contracts_match.pattern_mode} patterns) -> ${out.contracts_match.db}`,
    `  canonical.run_job ${out.canonical.chunks} chunks, ${out.canonical.records_ingested} records, ${out.canonical.transform_invocations} transforms for ${out.canonical.transforms_triggered} tables (${out.canonical.processed_per_ingested} processed per ingested)`,
    `  graph.batch_upload ${out.graph.documents} documents into both graphs: ${out.graph.documents_synced} synced, ${out.graph.documents_unchanged} unchanged; ${
      out.graph_status.hybrid?.content_nodes ?? "?"
    } content nodes, dedup ratio ${out.graph_status.hybrid?.dedup_ratio ?? "-"}`,
    `  partition.fleet   3 instances: ${out.partition_fleet.processed} converted, ${out.partition_fleet.failed} malformed logged as failed, ${out.partition_fleet.duplicates} duplicate attempts (${out.partition_seed.inserted} records seeded)`,
    `  partition.verify  collisions ${
      out.partition_verify.checks.collisions.ok ? "none" : "FOUND"
    }, purity ${out.partition_verify.checks.purity.ok ? "ok" : "BROKEN"}, ${
      out.partition_verify.per_partition.reduce((s, p) => s + p.remaining, 0)
    } unprocessed`,
  ]);
