/**
 * The embedded adapters' SQLite schemas (the jsongraph's, the
 * hybridgraph's) and the plugin's state database (checkpoints, leases).
 *
 * @module
 */
import { checkpointsMigration } from "../../lib/sqlite/checkpoints.ts";
import { leasesMigration } from "../../lib/leases/sqlite.ts";
import type { Migration } from "../../lib/sqlite/migrations.ts";

/**
 * The jsongraph: a row per document (its sync status) and a row per value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JSON_MIGRATIONS } from "./schema.ts";
 * assert.deepEqual(JSON_MIGRATIONS.map((m) => m.name), ["jsongraph", "weir_checkpoints"]);
 * ```
 */
export const JSON_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jsongraph",
    up: [
      `CREATE TABLE json_documents (
        doc_id TEXT PRIMARY KEY,
        sync_status TEXT CHECK (sync_status IN ('pending', 'synced', 'failed')),
        root_hash TEXT,
        node_count INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
        error TEXT,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID`,
      `CREATE INDEX json_documents_unsynced ON json_documents (doc_id)
        WHERE sync_status IS NULL OR sync_status = 'pending'`,
      `CREATE TABLE json_nodes (
        doc_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        parent INTEGER,
        key TEXT,
        pos INTEGER,
        kind TEXT NOT NULL,
        value TEXT,
        PRIMARY KEY (doc_id, idx)
      ) WITHOUT ROWID`,
    ],
  },
  checkpointsMigration(2),
];

/**
 * The hybridgraph: content by hash with its ref_count, child edges,
 * Sources and each Source's references.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HYBRID_MIGRATIONS } from "./schema.ts";
 * assert.equal(HYBRID_MIGRATIONS[0].name, "hybridgraph");
 * ```
 */
export const HYBRID_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "hybridgraph",
    up: [
      `CREATE TABLE hybrid_content (
        hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT,
        ref_count INTEGER NOT NULL CHECK (ref_count >= 0)
      ) WITHOUT ROWID`,
      `CREATE TABLE hybrid_edges (
        parent TEXT NOT NULL,
        pos INTEGER NOT NULL,
        key TEXT,
        child TEXT NOT NULL,
        PRIMARY KEY (parent, pos)
      ) WITHOUT ROWID`,
      `CREATE TABLE hybrid_sources (
        doc_id TEXT PRIMARY KEY,
        root_hash TEXT NOT NULL,
        last_synced TEXT NOT NULL
      ) WITHOUT ROWID`,
      "CREATE INDEX hybrid_sources_last_synced ON hybrid_sources (last_synced)",
      `CREATE TABLE hybrid_refs (
        doc_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (doc_id, hash)
      ) WITHOUT ROWID`,
    ],
  },
  checkpointsMigration(2),
];

/**
 * The plugin's state: the migration's checkpoints and the periodic sync's lease.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STATE_MIGRATIONS } from "./schema.ts";
 * assert.deepEqual(STATE_MIGRATIONS.map((m) => m.version), [1, 2]);
 * ```
 */
export const STATE_MIGRATIONS: readonly Migration[] = [
  checkpointsMigration(1),
  leasesMigration(2),
];
