/**
 * The canonical plugin's job-state schema: the SQLite migrations, and the
 * same tables in PostgreSQL's dialect for the PostgreSQL adapter.
 *
 * @module
 */
import type { Migration } from "../../lib/sqlite/migrations.ts";

const TABLES = (integer: string): string[] => [
  `CREATE TABLE IF NOT EXISTS jobs (
    job TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    batch_size INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at ${integer} NOT NULL,
    decided_at ${integer}
  )`,
  `CREATE TABLE IF NOT EXISTS chunks (
    job TEXT NOT NULL REFERENCES jobs (job),
    chunk INTEGER NOT NULL,
    tenant TEXT NOT NULL,
    service TEXT NOT NULL,
    tbl TEXT NOT NULL,
    start_offset ${integer} NOT NULL,
    end_offset ${integer} NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    records ${integer} NOT NULL DEFAULT 0,
    files TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    PRIMARY KEY (job, chunk)
  )`,
  `CREATE TABLE IF NOT EXISTS batches (
    job TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    key TEXT NOT NULL,
    records INTEGER NOT NULL,
    end_offset ${integer} NOT NULL,
    PRIMARY KEY (job, chunk, batch)
  )`,
  `CREATE TABLE IF NOT EXISTS transforms (
    job TEXT NOT NULL,
    tenant TEXT NOT NULL,
    service TEXT NOT NULL,
    tbl TEXT NOT NULL,
    files TEXT NOT NULL,
    status TEXT NOT NULL,
    claimed_at ${integer},
    PRIMARY KEY (job, tenant, service, tbl)
  )`,
  `CREATE TABLE IF NOT EXISTS ledger (
    tenant TEXT NOT NULL,
    service TEXT NOT NULL,
    tbl TEXT NOT NULL,
    file TEXT NOT NULL,
    run TEXT NOT NULL,
    PRIMARY KEY (tenant, service, tbl, file)
  )`,
  `CREATE TABLE IF NOT EXISTS transform_runs (
    seq ${integer === "BIGINT" ? "BIGSERIAL" : "INTEGER"} PRIMARY KEY,
    run TEXT NOT NULL UNIQUE,
    job TEXT NOT NULL,
    tenant TEXT NOT NULL,
    service TEXT NOT NULL,
    tbl TEXT NOT NULL,
    mode TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    files_listed INTEGER NOT NULL,
    files_read INTEGER NOT NULL,
    records_read ${integer} NOT NULL,
    records_out ${integer} NOT NULL,
    noop INTEGER NOT NULL
  )`,
];

/**
 * The SQLite schema's history.
 *
 * @example
 * ```ts
 * import { MIGRATIONS } from "./schema.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(MIGRATIONS.map((m) => m.name), ["canonical_job_state"]);
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "canonical_job_state", up: TABLES("INTEGER") },
];

/**
 * The same tables for PostgreSQL (`BIGINT` offsets and counts), created if absent.
 *
 * @example
 * ```ts
 * import { POSTGRES_TABLES } from "./schema.ts";
 * import assert from "node:assert/strict";
 * assert.equal(POSTGRES_TABLES.length, 6);
 * ```
 */
export const POSTGRES_TABLES: readonly string[] = TABLES("BIGINT");
