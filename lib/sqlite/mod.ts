/**
 * SQLite through `node:sqlite`: a connection with weir's pragmas (WAL,
 * `synchronous=NORMAL`, foreign keys, a busy timeout), transactions,
 * versioned migrations, and checkpoints kept in the same database as the
 * work they describe, so both commit together. Every table, the checkpoint
 * table included, is made by a migration.
 *
 * @example Migrate a database, then write rows and a checkpoint in one transaction
 * ```ts
 * import {
 *   checkpointsMigration,
 *   CheckpointStore,
 *   migrate,
 *   openSqlite,
 *   transaction,
 * } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/app.db`;
 * const db = openSqlite(path);
 * try {
 *   migrate(db, path, [
 *     { version: 1, name: "items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
 *     checkpointsMigration(2),
 *   ]);
 *   const checkpoints = new CheckpointStore(db, "demo.sync");
 *   transaction(db, () => {
 *     db.prepare("INSERT INTO items (id) VALUES (1), (2)").run();
 *     checkpoints.set("cursor", { lastId: 2 });
 *   });
 *   assert.deepEqual(checkpoints.get("cursor"), { lastId: 2 });
 * } finally {
 *   db.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export * from "./open.ts";
export * from "./backup.ts";
export * from "./database_error.ts";
export * from "./migrations.ts";
export * from "./checkpoints.ts";
export * from "./process_lock.ts";
