/**
 * The run records' schema, as versioned migrations of `<home>/weir.db`.
 *
 * @module
 */
import type { Migration } from "../lib/sqlite/migrations.ts";

const COLUMNS = `
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('task', 'pipeline')),
      name TEXT NOT NULL,
      parent_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
      step TEXT,
      status TEXT NOT NULL
        CHECK (status IN ('running', 'succeeded', 'failed', 'partial', 'interrupted'%EXTRA%)),
      params TEXT NOT NULL,
      output TEXT,
      counters TEXT NOT NULL DEFAULT '{}',
      failures TEXT NOT NULL DEFAULT '[]',
      error TEXT,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      duration_ms REAL`;

/**
 * The migrations of the run store, oldest first. Version 2 records which
 * process runs each run (pid, host) and allows the status `abandoned`;
 * SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
 *
 * @example
 * ```ts
 * import { RUN_MIGRATIONS } from "./run_schema.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(RUN_MIGRATIONS.map((m) => m.version), [1, 2]);
 * ```
 */
export const RUN_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "runs",
    up: [
      `CREATE TABLE runs (${COLUMNS.replace("%EXTRA%", "")}\n    )`,
      "CREATE INDEX runs_started ON runs (started_at)",
      "CREATE INDEX runs_parent ON runs (parent_id, step)",
    ],
  },
  {
    version: 2,
    name: "runs_process_and_abandoned",
    disableForeignKeys: true,
    up: [
      `CREATE TABLE runs_v2 (${COLUMNS.replace("%EXTRA%", ", 'abandoned'")},
      pid INTEGER,
      host TEXT
    )`,
      `INSERT INTO runs_v2 (id, kind, name, parent_id, step, status, params, output, counters,
         failures, error, started_at, ended_at, duration_ms)
       SELECT id, kind, name, parent_id, step, status, params, output, counters,
         failures, error, started_at, ended_at, duration_ms FROM runs`,
      "DROP TABLE runs",
      "ALTER TABLE runs_v2 RENAME TO runs",
      "CREATE INDEX runs_started ON runs (started_at)",
      "CREATE INDEX runs_parent ON runs (parent_id, step)",
      "CREATE INDEX runs_running ON runs (status) WHERE status = 'running'",
    ],
  },
];
