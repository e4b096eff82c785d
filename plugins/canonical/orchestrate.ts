/**
 * The steps `run_job` and `retry_chunks` share: run chunk processors on a
 * bounded pool, each reporting to the aggregator as it ends; then run the
 * job's pending transforms, each with its exact file list.
 *
 * @module
 */
import { pool } from "../../lib/async/pool.ts";
import type { TaskContext } from "../../kernel/context.ts";
import { canonicalize, type CanonicalizeResult } from "./canonicalize.ts";
import { mappingFor } from "./mapping.ts";
import { type AggregateResult, type JobRow, tableKey } from "./model.ts";
import type { Options } from "./options.ts";
import { processChunk } from "./process_chunk.ts";
import type { Runtime } from "./runtime.ts";
import { openSource } from "./sources/open.ts";

/** What running a job's chunks did. */
export interface ChunksRun {
  /** Chunks that succeeded. */
  succeeded: number;
  /** Chunks that failed, with why. */
  failed: { chunk: number; error: string }[];
  /** Records written by the chunks that ended. */
  records: number;
  /** Batch files of the chunks that ended. */
  files: number;
  /** The decision, when one of the chunks made it. */
  decision?: AggregateResult;
}

/** Settings of {@linkcode runChunks}. */
export interface RunChunksOptions {
  /** Processors at once. */
  concurrency: number;
  /** Legacy mode: a window transform after each batch. */
  perBatch: boolean;
  /** The window of those transforms. */
  windowHours: number;
  /** Keys those transforms keep in memory. */
  memoryRecords: number;
}

/**
 * Runs chunk processors for `chunks` of `job`, each aggregating as it ends.
 *
 * @param ctx The task context (signal, logger, progress).
 * @param rt The runtime.
 * @param options The plugin's options.
 * @param job The job.
 * @param chunks The chunk numbers.
 * @param settings Concurrency and the legacy mode.
 * @returns What they did.
 */
export async function runChunks(
  ctx: TaskContext,
  rt: Runtime,
  options: Options,
  job: JobRow,
  chunks: readonly number[],
  settings: RunChunksOptions,
): Promise<ChunksRun> {
  const source = await openSource(job.source);
  const progress = ctx.progress(`job ${job.job}: chunks`, chunks.length);
  const out: ChunksRun = { succeeded: 0, failed: [], records: 0, files: 0 };
  const log = (message: string, fields: Record<string, unknown>) => ctx.log.debug(message, fields);
  const onBatch = settings.perBatch
    ? async (t: { tenant: string; service: string; table: string }) => {
      await canonicalize({ state: rt.state, store: rt.store, spillDir: rt.spillDir, log }, {
        ...{ tenant: t.tenant, service: t.service, table: t.table },
        job: job.job,
        windowHours: settings.windowHours,
        trigger: "batch",
        mapping: mappingFor(rt.mapping, t),
        memoryRecords: settings.memoryRecords,
      });
    }
    : undefined;
  try {
    const work = pool(chunks, async (chunk) => {
      const run = await processChunk(
        {
          state: rt.state,
          store: rt.store,
          source,
          signal: ctx.signal,
          maxAttempts: options.maxAttempts,
          baseDelayMs: options.baseDelayMs,
          log,
          ...(onBatch ? { onBatch } : {}),
        },
        job,
        chunk,
      );
      const decision = run.outcome
        ? await rt.state.aggregate(job.job, chunk, run.outcome)
        : undefined;
      return { run, decision };
    }, { concurrency: settings.concurrency, signal: ctx.signal });
    for await (const r of work) {
      progress.tick();
      if (r.status === "skipped") continue;
      if (r.status === "rejected") {
        out.failed.push({ chunk: r.item, error: String((r.reason as Error)?.message ?? r.reason) });
        continue;
      }
      const { run, decision } = r.value;
      if (decision?.decided) out.decision = decision;
      if (!run.outcome) continue; // interrupted: resumes later
      out.records += run.outcome.records;
      out.files += run.outcome.files.length;
      if (run.outcome.ok) out.succeeded++;
      else out.failed.push({ chunk: r.item, error: run.outcome.error ?? "failed" });
    }
  } finally {
    progress.done();
    await source.close();
  }
  return out;
}

/**
 * Runs every pending transform of a job, each with its exact file list.
 *
 * @param ctx The task context.
 * @param rt The runtime.
 * @param job The job.
 * @param settings Window and memory bound.
 * @returns What each transform did.
 */
export async function runPendingTransforms(
  ctx: TaskContext,
  rt: Runtime,
  job: string,
  settings: { windowHours: number; memoryRecords: number },
): Promise<CanonicalizeResult[]> {
  const pending = (await rt.state.transforms(job)).filter((t) => t.status !== "done");
  const progress = ctx.progress(`job ${job}: transforms`, pending.length);
  const results: CanonicalizeResult[] = [];
  try {
    for (const t of pending) {
      if (ctx.signal.aborted) break;
      const claimed = await rt.state.claimTransform(job, t);
      progress.tick();
      if (!claimed) continue; // another process has it
      const result = await canonicalize({
        state: rt.state,
        store: rt.store,
        spillDir: rt.spillDir,
        signal: ctx.signal,
        log: (m, f) => ctx.log.info(m, f),
      }, {
        tenant: t.tenant,
        service: t.service,
        table: t.table,
        job,
        files: claimed.files,
        windowHours: settings.windowHours,
        trigger: "job",
        mapping: mappingFor(rt.mapping, t),
        memoryRecords: settings.memoryRecords,
      });
      ctx.counters.add("transforms");
      ctx.log.info("table transformed", { table: tableKey(t), records_out: result.recordsOut });
      results.push(result);
    }
  } finally {
    progress.done();
  }
  return results;
}
