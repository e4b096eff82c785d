/**
 * The example plugin's SQLite schema: only the checkpoint table, where
 * `example.snapshot` records the hash of each file it has copied.
 *
 * @module
 */
import { checkpointsMigration } from "../../lib/sqlite/checkpoints.ts";
import type { Migration } from "../../lib/sqlite/migrations.ts";

/**
 * The schema's history.
 *
 * @example Every table is made by a migration
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIGRATIONS } from "./schema.ts";
 * assert.deepEqual(MIGRATIONS.map((m) => m.name), ["weir_checkpoints"]);
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [checkpointsMigration(1)];
