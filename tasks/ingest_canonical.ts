/**
 * `deno task ingest:canonical`: one ingestion job end to end — chunk
 * processors write batch files, the aggregator decides the job once, one
 * transform per table writes the canonical output. On the embedded defaults
 * (JSON-lines source, filesystem store, SQLite) it needs no network; the
 * kernel's pre-flight names the `--allow-net` host an S3 store, an HTTP
 * source or `DATABASE_URL` needs.
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import "../plugins/canonical/types.ts";

/** The ingest:canonical pipeline. */
export const ingestCanonical = definePipeline(
  "ingest:canonical",
  "Chunked ingestion into object storage, then one canonical transform per table",
  z.object({
    source: z.string().default("jsonl:fixtures/canonical/sample/source").describe(
      'where records come from: "jsonl:<dir>" or an http(s):// API base URL',
    ),
    job: z.string().optional().describe("the job's id (an existing job resumes)"),
    mapping: z.string().default("fixtures/canonical/sample/mapping.json").describe(
      "per-table mapping config (JSON file)",
    ),
    concurrency: z.number().int().min(1).max(64).default(4).describe("chunk processors at once"),
    trigger: z.enum(["coordinated", "per-batch"]).default("coordinated").describe(
      "coordinated (one transform per table) or the legacy per-batch mode",
    ),
  }),
)
  .step("job", "canonical.run_job", (p) => ({
    source: p.source,
    job: p.job,
    mapping: p.mapping,
    concurrency: p.concurrency,
    trigger: p.trigger,
  }))
  .build((out) => [
    "",
    `canonical.run_job ${out.job.job}: ${out.job.status}, ${out.job.chunks} chunks (${out.job.chunks_failed} failed), ${out.job.records_ingested} records in ${out.job.files} batch files`,
    `                  ${out.job.transform_invocations} transform runs for ${out.job.transforms_triggered} tables, ${out.job.processed_per_ingested} records processed per record ingested`,
  ]);
