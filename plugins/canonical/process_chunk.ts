/**
 * The chunk processor's work, apart from the task so that `run_job`,
 * `retry_chunks` and test workers share it: read the chunk's slice page by
 * page, write one batch file per page (retried with backoff), commit each
 * batch in the job state, resume after the last committed batch. It never
 * triggers a transform itself; the optional `onBatch` hook exists only for
 * the legacy per-batch mode.
 *
 * @module
 */
import { retry } from "../../lib/async/retry.ts";
import type { ObjectStore } from "../../lib/objects/port.ts";
import { batchKey } from "./keys.ts";
import type { ChunkOutcome, ChunkRow, JobRow } from "./model.ts";
import type { Source } from "./sources/port.ts";
import type { JobState } from "./state/port.ts";

/** What a chunk processor returns (the exact shape). */
export interface ChunkResult {
  /** Whether every record of the chunk is in a committed batch. */
  completed: boolean;
  /** Records in the chunk's committed batches. */
  records_processed: number;
  /** Seconds this processor ran. */
  processing_time: number;
  /** Pages (batches) of the chunk committed so far. */
  final_page: number;
  /** The offset after the last committed record. */
  final_offset: number;
  /** The chunk's batch files, in order. */
  s3_files_written: string[];
  /** How many. */
  s3_files_count: number;
  /** The chunk's table and slice, and what this run did. */
  table_metadata: {
    tenant: string;
    service: string;
    table: string;
    chunk: number;
    start_offset: number;
    end_offset: number;
    batches_resumed: number;
    batches_adopted: number;
  };
}

/** What {@linkcode processChunk} needs. */
export interface ChunkDeps {
  /** The job state. */
  state: JobState;
  /** Where batch files go. */
  store: ObjectStore;
  /** Where records come from. */
  source: Source;
  /** Stops after the current batch. */
  signal?: AbortSignal;
  /** Attempts per object write. @default {5} */
  maxAttempts?: number;
  /** First backoff cap in ms. @default {100} */
  baseDelayMs?: number;
  /** Told about each committed batch (and each retry). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Legacy per-batch mode only: called after each committed batch. */
  onBatch?: (chunk: ChunkRow, key: string) => Promise<void>;
}

/** The processor's result, and the outcome to hand to the aggregator (none when interrupted). */
export interface ChunkRun {
  /** The result. */
  result: ChunkResult;
  /** What to record; `undefined` when the signal stopped the run (it resumes later). */
  outcome?: ChunkOutcome;
}

/**
 * Processes one chunk of a job.
 *
 * @param deps The state, store and source.
 * @param job The job.
 * @param chunk The chunk's number.
 * @returns The result and the outcome.
 */
export async function processChunk(deps: ChunkDeps, job: JobRow, chunk: number): Promise<ChunkRun> {
  const started = performance.now();
  const { state, store, source, signal, log } = deps;
  const row = await state.startChunk(job.job, chunk);
  const committed = await state.batches(job.job, chunk);
  const files = committed.map((b) => b.key);
  let records = committed.reduce((n, b) => n + b.records, 0);
  let offset = committed.at(-1)?.endOffset ?? row.start;
  let batch = committed.length;
  let adopted = 0;
  let error: string | undefined;
  const attempt = { maxAttempts: deps.maxAttempts ?? 5, baseDelayMs: deps.baseDelayMs ?? 100 };
  const retried = <T>(what: string, fn: () => Promise<T>) =>
    retry(fn, {
      ...attempt,
      signal,
      onRetry: (e) =>
        log?.("retrying object write", {
          what,
          attempt: e.attempt,
          error: e.error instanceof Error ? e.error.message : String(e.error),
        }),
    });
  try {
    for await (const page of source.read(row, offset, row.end, job.batchSize, signal)) {
      const key = batchKey(row, job.job, chunk, batch);
      const body = new TextEncoder().encode(
        page.records.map((r) => JSON.stringify(r)).join("\n") + "\n",
      );
      // A batch written before a crash, but not committed, has the same key and bytes: adopt it.
      const there = await retried(key, () => store.head(key));
      if (there?.size === body.length) adopted++;
      else await retried(key, () => store.put(key, body, { contentType: "application/x-ndjson" }));
      const endOffset = page.offset + page.records.length;
      await state.commitBatch(job.job, chunk, {
        batch,
        key,
        records: page.records.length,
        endOffset,
      });
      log?.("batch committed", { job: job.job, chunk, batch, key, records: page.records.length });
      files.push(key);
      records += page.records.length;
      offset = endOffset;
      batch++;
      await deps.onBatch?.(row, key);
      if (signal?.aborted) break;
    }
    if (!signal?.aborted && offset < row.end) {
      error =
        `Cannot complete chunk ${chunk} as the source ended at offset ${offset}: expected ${row.end}`;
    }
  } catch (err) {
    if (signal?.aborted) error = undefined;
    else error = err instanceof Error ? err.message : String(err);
  }
  const completed = error === undefined && offset >= row.end;
  const result: ChunkResult = {
    completed,
    records_processed: records,
    processing_time: Math.round(performance.now() - started) / 1000,
    final_page: batch,
    final_offset: offset,
    s3_files_written: files,
    s3_files_count: files.length,
    table_metadata: {
      tenant: row.tenant,
      service: row.service,
      table: row.table,
      chunk,
      start_offset: row.start,
      end_offset: row.end,
      batches_resumed: committed.length,
      batches_adopted: adopted,
    },
  };
  if (!completed && error === undefined) return { result }; // interrupted: resumable
  return { result, outcome: { ok: completed, records, files, ...(error ? { error } : {}) } };
}
