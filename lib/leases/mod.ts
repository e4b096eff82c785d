/**
 * Named leases: locks with an expiry and a fencing token, shared by
 * processes or machines that use one database, decided by the database's
 * clock. `SqliteLeaseStore` (`BEGIN IMMEDIATE`) for one machine,
 * `PostgresLeaseStore` (one atomic statement) for several; `holdLease` keeps
 * one renewed while work runs under it.
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
 * @module
 */
export * from "./port.ts";
export * from "./hold.ts";
export * from "./sqlite.ts";
export * from "./postgres.ts";
