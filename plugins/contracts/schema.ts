/**
 * The contracts plugin's SQLite schema: matches per document, question
 * and mode; which questions are done (the resume point); patterns stopped
 * at their budget.
 *
 * @module
 */
import { checkpointsMigration } from "../../lib/sqlite/checkpoints.ts";
import type { Migration } from "../../lib/sqlite/migrations.ts";

/**
 * The schema's history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIGRATIONS } from "./schema.ts";
 * assert.deepEqual(MIGRATIONS.map((m) => m.name), ["weir_checkpoints", "matches"]);
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  checkpointsMigration(1),
  {
    version: 2,
    name: "matches",
    up: [
      `CREATE TABLE documents (
        document_id TEXT PRIMARY KEY,
        inputs_root TEXT NOT NULL
      ) STRICT`,
      `CREATE TABLE questions_done (
        document_id TEXT NOT NULL,
        mode TEXT NOT NULL,
        question_id TEXT NOT NULL,
        chunk_id TEXT NOT NULL,
        matches INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        PRIMARY KEY (document_id, mode, question_id)
      ) STRICT`,
      `CREATE TABLE matches (
        document_id TEXT NOT NULL,
        mode TEXT NOT NULL,
        question_id TEXT NOT NULL,
        pattern_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        category TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        confidence_weight REAL NOT NULL,
        PRIMARY KEY (document_id, mode, question_id, pattern_id, seq)
      ) STRICT`,
      `CREATE TABLE skipped_patterns (
        document_id TEXT NOT NULL,
        mode TEXT NOT NULL,
        question_id TEXT NOT NULL,
        pattern_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (document_id, mode, question_id, pattern_id)
      ) STRICT`,
    ],
  },
];
