/**
 * `deno task partition:local`: seeds the source table (the committed sample,
 * or `--count` generated records), runs `--instances` partition.process
 * instances as separate processes on one SQLite file, then verifies the
 * result (exit 1 when a check fails).
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import "../plugins/partition/types.ts";

/** The partition:local pipeline. */
export const partitionLocal = definePipeline(
  "partition:local",
  "Seeds records, converts them with several local instances, then verifies",
  z.object({
    count: z.number().int().min(0).max(1_000_000).optional().describe(
      "generate this many records (default: load fixtures/partition/sample.jsonl)",
    ),
    seed: z.number().int().default(1).describe("generator seed"),
    instances: z.number().int().min(1).max(64).default(3).describe("processes to start"),
    mode: z.enum(["none", "static", "lease"]).default("static").describe("as partition.process"),
    partitionBy: z.enum(["modulo", "hash"]).default("modulo").describe("as partition.process"),
  }),
)
  .step(
    "seed",
    "partition.seed",
    (p) =>
      p.count === undefined
        ? { backend: "sqlite" as const, from: "fixtures/partition/sample.jsonl" }
        : { backend: "sqlite" as const, count: p.count, seed: p.seed },
  )
  .step("fleet", "partition.fleet", (p) => ({
    backend: "sqlite" as const,
    instances: p.instances,
    mode: p.mode,
    partitionBy: p.partitionBy,
  }))
  .step("verify", "partition.verify", (p) => ({
    backend: "sqlite" as const,
    partitionBy: p.mode === "lease" ? undefined : p.partitionBy,
  }))
  .build((out) => [
    "",
    `partition.seed    ${out.seed.inserted} of ${out.seed.given} records inserted -> ${out.seed.location}`,
    `partition.fleet   ${out.fleet.instances.length} instances: ${out.fleet.processed} converted, ${out.fleet.failed} failed, ${out.fleet.duplicates} duplicate attempts, ${out.fleet.records_per_s} records/s`,
    `partition.verify  collisions ${out.verify.checks.collisions.ok ? "none" : "FOUND"}, purity ${
      out.verify.checks.purity.ok ? "ok" : "BROKEN"
    }, ${out.verify.failed.count} failed records`,
  ]);
