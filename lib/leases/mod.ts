/**
 * Named leases: locks with an expiry and a fencing token, shared by
 * processes or machines that use one database, decided by the database's
 * clock. `SqliteLeaseStore` (`BEGIN IMMEDIATE`) for one machine,
 * `PostgresLeaseStore` (one atomic statement) for several; `holdLease` keeps
 * one renewed while work runs under it. A SQLite lease table is made by a
 * migration: `SqliteLeaseStore.open` gives a file of its own one, and
 * `leasesMigration` adds one to a database's own migrations.
 *
 * @example Two owners compete for one lease
 * ```ts
 * import { holdLease, SqliteLeaseStore } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const store = SqliteLeaseStore.open(":memory:");
 * try {
 *   const held = await holdLease(store, "nightly", "worker-a", 30_000);
 *   assert.ok(held);
 *   assert.equal(await holdLease(store, "nightly", "worker-b", 30_000), undefined);
 *   assert.equal(await held.release(), true);
 * } finally {
 *   await store.close();
 * }
 * ```
 *
 * @example Leases in an application's own database, made by its migrations
 * ```ts
 * import { leasesMigration, SqliteLeaseStore } from "./mod.ts";
 * import { migrate, openSqlite } from "../sqlite/mod.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * try {
 *   migrate(db, ":memory:", [
 *     { version: 1, name: "jobs", up: ["CREATE TABLE jobs (id INTEGER PRIMARY KEY)"] },
 *     leasesMigration(2),
 *   ]);
 *   const store = new SqliteLeaseStore(db);
 *   assert.ok(await store.acquire("nightly", "worker-a", 30_000));
 *   await store.close();
 * } finally {
 *   db.close();
 * }
 * ```
 *
 * @module
 */
export * from "./port.ts";
export * from "./hold.ts";
export * from "./sqlite.ts";
export * from "./postgres.ts";
