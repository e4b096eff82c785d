/**
 * Row conversions shared by both adapters (column names are the same in
 * SQLite and PostgreSQL; PostgreSQL's `BIGINT` arrives as a string).
 *
 * @module
 */
import type { BatchRow, ChunkRow, JobRow, TransformRow, TransformRun } from "../model.ts";

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);

/** A `jobs` row as a {@linkcode JobRow}. */
export function toJob(r: Row): JobRow {
  return {
    job: String(r.job),
    source: String(r.source),
    batchSize: num(r.batch_size),
    chunks: num(r.chunks),
    status: r.status as JobRow["status"],
  };
}

/** A `chunks` row as a {@linkcode ChunkRow}. */
export function toChunk(r: Row): ChunkRow {
  return {
    chunk: num(r.chunk),
    tenant: String(r.tenant),
    service: String(r.service),
    table: String(r.tbl),
    start: num(r.start_offset),
    end: num(r.end_offset),
    status: r.status as ChunkRow["status"],
    attempts: num(r.attempts),
    records: num(r.records),
    files: JSON.parse(String(r.files)),
    error: r.error === null || r.error === undefined ? null : String(r.error),
  };
}

/** A `batches` row as a {@linkcode BatchRow}. */
export function toBatch(r: Row): BatchRow {
  return {
    batch: num(r.batch),
    key: String(r.key),
    records: num(r.records),
    endOffset: num(r.end_offset),
  };
}

/** A `transforms` row as a {@linkcode TransformRow}. */
export function toTransform(r: Row): TransformRow {
  return {
    job: String(r.job),
    tenant: String(r.tenant),
    service: String(r.service),
    table: String(r.tbl),
    files: JSON.parse(String(r.files)),
    status: r.status as TransformRow["status"],
  };
}

/** A `transform_runs` row as a {@linkcode TransformRun}. */
export function toRun(r: Row): TransformRun {
  return {
    run: String(r.run),
    job: String(r.job),
    tenant: String(r.tenant),
    service: String(r.service),
    table: String(r.tbl),
    mode: r.mode as TransformRun["mode"],
    trigger: r.trigger_kind as TransformRun["trigger"],
    filesListed: num(r.files_listed),
    filesRead: num(r.files_read),
    recordsRead: num(r.records_read),
    recordsOut: num(r.records_out),
    noop: Boolean(num(r.noop)),
  };
}

/** The values of a run, in `transform_runs` column order after `seq`. */
export function runValues(run: TransformRun): (string | number)[] {
  return [
    run.run,
    run.job,
    run.tenant,
    run.service,
    run.table,
    run.mode,
    run.trigger,
    run.filesListed,
    run.filesRead,
    run.recordsRead,
    run.recordsOut,
    run.noop ? 1 : 0,
  ];
}

/** The `transform_runs` columns after `seq`. */
export const RUN_COLUMNS =
  "run, job, tenant, service, tbl, mode, trigger_kind, files_listed, files_read, records_read, records_out, noop";

/** The error for a chunk that does not exist. */
export function unknownChunk(job: string, chunk: number): Error {
  return new RangeError(
    `Cannot find chunk ${chunk} of job "${job}" as the job has no such chunk: current value is "${chunk}"`,
  );
}
