/**
 * The canonical plugin's vocabulary: tables, jobs, chunks, batches,
 * transforms and the ledger of consumed files, as the job-state port and
 * the tasks exchange them.
 *
 * @module
 */

/** One (tenant, service, table) triple. */
export interface TableRef {
  /** The tenant. */
  tenant: string;
  /** The service. */
  service: string;
  /** The table. */
  table: string;
}

/** Where a chunk stands. */
export type ChunkStatus = "pending" | "running" | "succeeded" | "failed";

/** Where a job stands: `running` until every chunk has ended, then decided. */
export type JobStatus = "running" | "completed" | "partial_success" | "failed";

/** A slice of one table's records, `[start, end)` by offset. */
export interface ChunkSpec extends TableRef {
  /** The chunk's number in its job, from 0. */
  chunk: number;
  /** The first offset. */
  start: number;
  /** One past the last offset. */
  end: number;
}

/** What a job is made of. */
export interface JobSpec {
  /** The job's id. */
  job: string;
  /** The source it reads (`jsonl:<dir>` or an `http(s)://` base URL). */
  source: string;
  /** Records per batch file. */
  batchSize: number;
  /** Its chunks, numbered from 0. */
  chunks: ChunkSpec[];
}

/** A job as stored. */
export interface JobRow {
  /** The job's id. */
  job: string;
  /** Its source. */
  source: string;
  /** Records per batch file. */
  batchSize: number;
  /** How many chunks it has. */
  chunks: number;
  /** Its status. */
  status: JobStatus;
}

/** A chunk as stored. */
export interface ChunkRow extends ChunkSpec {
  /** Its status. */
  status: ChunkStatus;
  /** How many times a processor started it. */
  attempts: number;
  /** Records it wrote (set when it ends). */
  records: number;
  /** The batch files it reported (set when it ends). */
  files: string[];
  /** Why it failed, when it did. */
  error: string | null;
}

/** One committed batch file of a chunk. */
export interface BatchRow {
  /** The batch's number in its chunk, from 0. */
  batch: number;
  /** Its object key. */
  key: string;
  /** Records in it. */
  records: number;
  /** The offset after its last record. */
  endOffset: number;
}

/** How a chunk ended, as its processor reports it. */
export interface ChunkOutcome {
  /** Whether every record of the chunk was written. */
  ok: boolean;
  /** Records written. */
  records: number;
  /** Batch files written, in order. */
  files: string[];
  /** Why it failed. */
  error?: string;
}

/** A transform: one per (job, tenant, service, table), with its exact file list. */
export interface TransformRow extends TableRef {
  /** The job. */
  job: string;
  /** Every batch file of the table in the job, in chunk and batch order. */
  files: string[];
  /** `pending` until a transform claims it, `done` once its output is written. */
  status: "pending" | "running" | "done";
}

/** What {@linkcode JobState.aggregate} decided. */
export interface AggregateResult {
  /** The job. */
  job: string;
  /** Chunks that have ended (succeeded or failed). */
  ended: number;
  /** Chunks of the job. */
  total: number;
  /** Whether this call decided the job (only the call that saw every chunk end does). */
  decided: boolean;
  /** The job's status after the call. */
  status: JobStatus;
  /** The transforms this call created. */
  created: TransformRow[];
  /** Tables with a failed chunk (not transformed), when decided. */
  failedTables: TableRef[];
}

/** How a transform found its files. */
export type TransformMode = "files" | "window";

/** Who triggered a transform. */
export type TransformTrigger = "job" | "batch" | "manual";

/** One transform invocation, as recorded (no-ops included). */
export interface TransformRun extends TableRef {
  /** The run's id. */
  run: string;
  /** The job whose output it wrote. */
  job: string;
  /** How it found its files. */
  mode: TransformMode;
  /** Who triggered it. */
  trigger: TransformTrigger;
  /** Files it was given or discovered. */
  filesListed: number;
  /** Files it read. */
  filesRead: number;
  /** Records it read. */
  recordsRead: number;
  /** Records in its output. */
  recordsOut: number;
  /** Whether it was a recorded no-op. */
  noop: boolean;
}

/**
 * The key of a table in maps and messages: `tenant/service/table`.
 *
 * @param t The table.
 * @returns Its key.
 *
 * @example
 * ```ts
 * import { tableKey } from "./model.ts";
 * import assert from "node:assert/strict";
 * assert.equal(tableKey({ tenant: "t1", service: "crm", table: "users" }), "t1/crm/users");
 * ```
 */
export function tableKey(t: TableRef): string {
  return `${t.tenant}/${t.service}/${t.table}`;
}
