/**
 * The summary `run_job` and `retry_chunks` return: chunks, records, files,
 * transforms triggered and run, records per table, and records processed
 * by transforms per record ingested.
 *
 * @module
 */
import { z } from "zod";
import type { TaskContext } from "../../kernel/context.ts";
import { tableKey } from "./model.ts";
import type { JobState } from "./state/port.ts";

/** The summary's shape. */
export const jobSummary = z.object({
  job: z.string(),
  status: z.enum(["running", "completed", "partial_success", "failed"]),
  trigger: z.enum(["coordinated", "per-batch"]),
  chunks: z.number().int(),
  chunks_succeeded: z.number().int(),
  chunks_failed: z.number().int(),
  records_ingested: z.number().int(),
  files: z.number().int(),
  transforms_triggered: z.number().int(),
  transform_invocations: z.number().int(),
  transform_noops: z.number().int(),
  records_processed: z.number().int(),
  processed_per_ingested: z.number(),
  records_per_table: z.record(z.string(), z.number().int()),
  failed_tables: z.array(z.string()),
  failed_chunks: z.array(z.object({ chunk: z.number().int(), error: z.string() })),
});

/** The summary. */
export type JobSummary = z.output<typeof jobSummary>;

/**
 * Reads a job's summary from its state, and lists its failed chunks as the
 * run's failed items (so the run exits 3).
 *
 * @param ctx The task context.
 * @param state The job state.
 * @param job The job.
 * @param trigger The mode it ran in.
 * @returns The summary.
 */
export async function summarize(
  ctx: TaskContext,
  state: JobState,
  job: string,
  trigger: JobSummary["trigger"],
): Promise<JobSummary> {
  const [row, chunks, transforms, runs] = await Promise.all([
    state.job(job),
    state.chunks(job),
    state.transforms(job),
    state.runs(job),
  ]);
  const ok = chunks.filter((c) => c.status === "succeeded");
  const failed = chunks.filter((c) => c.status === "failed");
  const ingested = ok.reduce((n, c) => n + c.records, 0);
  const worked = runs.filter((r) => !r.noop);
  const processed = worked.reduce((n, r) => n + r.recordsRead, 0);
  const perTable: Record<string, number> = {};
  for (const r of worked) perTable[tableKey(r)] = r.recordsOut;
  const failedTables = [...new Set(failed.map(tableKey))].sort();
  for (const c of failed) {
    ctx.failures.add(`chunk ${c.chunk} (${tableKey(c)})`, c.error ?? "failed");
  }
  return {
    job,
    status: row?.status ?? "running",
    trigger,
    chunks: chunks.length,
    chunks_succeeded: ok.length,
    chunks_failed: failed.length,
    records_ingested: ingested,
    files: ok.reduce((n, c) => n + c.files.length, 0),
    // The legacy mode has no aggregator-created transforms: every run was triggered by a batch.
    transforms_triggered: trigger === "per-batch" ? worked.length : transforms.length,
    transform_invocations: worked.length,
    transform_noops: runs.length - worked.length,
    records_processed: processed,
    processed_per_ingested: ingested === 0 ? 0 : Math.round((processed / ingested) * 1000) / 1000,
    records_per_table: perTable,
    failed_tables: failedTables,
    failed_chunks: failed.map((c) => ({ chunk: c.chunk, error: c.error ?? "failed" })),
  };
}
