/**
 * The job-state port: jobs, chunks, committed batches, transforms (one per
 * job and table) and the ledger of consumed source files, in SQLite
 * (`sqlite.ts`, the default) or PostgreSQL (`postgres.ts`, when
 * `DATABASE_URL` is set). One contract suite checks both.
 *
 * @module
 */
import type {
  AggregateResult,
  BatchRow,
  ChunkOutcome,
  ChunkRow,
  JobRow,
  JobSpec,
  TableRef,
  TransformRow,
  TransformRun,
} from "../model.ts";

/** How long a claimed transform stays claimed before another may take it over, in ms. */
export const CLAIM_TTL_MS = 10 * 60_000;

/** Job state behind one interface; every method is atomic on its own. */
export interface JobState {
  /** Which adapter: `"sqlite"` or `"postgres"`. */
  readonly kind: "sqlite" | "postgres";
  /** Creates a job and its pending chunks; `false` when it already existed (left as is). */
  createJob(spec: JobSpec): Promise<boolean>;
  /** Reads a job, or `undefined`. */
  job(job: string): Promise<JobRow | undefined>;
  /** Reads a job's chunks in order. */
  chunks(job: string): Promise<ChunkRow[]>;
  /** Marks a chunk running and counts the attempt; throws when the chunk is unknown. */
  startChunk(job: string, chunk: number): Promise<ChunkRow>;
  /** Reads a chunk's committed batches in order. */
  batches(job: string, chunk: number): Promise<BatchRow[]>;
  /** Commits one batch of a chunk; committing the same batch again changes nothing. */
  commitBatch(job: string, chunk: number, batch: BatchRow): Promise<void>;
  /**
   * Records how a chunk ended and, in the same transaction, when every chunk
   * of the job has ended and the job is undecided, decides its status and
   * creates one transform per fully succeeded table. Of many calls at once,
   * exactly one decides.
   */
  aggregate(job: string, chunk: number, outcome: ChunkOutcome): Promise<AggregateResult>;
  /** Puts a job's failed chunks back to pending and the job back to running; returns their numbers. */
  reopenFailed(job: string): Promise<number[]>;
  /** Reads a job's transforms in table order. */
  transforms(job: string): Promise<TransformRow[]>;
  /**
   * Claims a transform that is pending (or whose claim expired): it becomes
   * running. `undefined` when it is done, claimed, or does not exist.
   */
  claimTransform(job: string, table: TableRef): Promise<TransformRow | undefined>;
  /** Of `files`, those already in the table's ledger. */
  consumed(table: TableRef, files: readonly string[]): Promise<Set<string>>;
  /**
   * Records a transform run; when it wrote output, adds its files to the
   * table's ledger; a job transform (no-op or not) is marked done; all in
   * one transaction.
   */
  finishRun(run: TransformRun, consumed: readonly string[]): Promise<void>;
  /** Reads the recorded runs of a job, oldest first. */
  runs(job: string): Promise<TransformRun[]>;
  /** Closes the connection. */
  close(): Promise<void>;
}
