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
import "../plugins/partition/types.ts";

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
    `  partition.fleet   3 instances: ${out.partition_fleet.processed} converted, ${out.partition_fleet.failed} malformed logged as failed, ${out.partition_fleet.duplicates} duplicate attempts (${out.partition_seed.inserted} records seeded)`,
    `  partition.verify  collisions ${
      out.partition_verify.checks.collisions.ok ? "none" : "FOUND"
    }, purity ${out.partition_verify.checks.purity.ok ? "ok" : "BROKEN"}, ${
      out.partition_verify.per_partition.reduce((s, p) => s + p.remaining, 0)
    } unprocessed`,
  ]);
