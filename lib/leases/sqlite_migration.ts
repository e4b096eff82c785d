/**
 * The migration that makes a SQLite lease table, for `SqliteLeaseStore`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Migration } from "../sqlite/migrations.ts";
import { quoteLeaseTable } from "./_takeover.ts";

/**
 * The migration that creates a lease table: add it to a database's
 * migrations to keep leases beside other tables. `IF NOT EXISTS` lets it
 * adopt a table made before leases were a migration.
 *
 * @param version Its place in the database's migrations: a positive integer.
 * @param table The table's name (letters, digits and `_`, optionally `schema.table`); `weir_leases` when omitted.
 * @returns The migration, named after the table.
 * @throws {TypeError} When `table` is not a valid name.
 *
 * @example Keep leases in an application's database
 * ```ts
 * import { openSqlite } from "../sqlite/open.ts";
 * import { migrate } from "../sqlite/migrations.ts";
 * import { leasesMigration, SqliteLeaseStore } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", [
 *   { version: 1, name: "jobs", up: ["CREATE TABLE jobs (id INTEGER PRIMARY KEY)"] },
 *   leasesMigration(2, "job_leases"),
 * ]);
 * const store = new SqliteLeaseStore(db, { table: "job_leases" });
 * assert.equal((await store.acquire("jobs", "worker-1", 30_000))?.token, 1);
 * await store.close();
 * db.close();
 * ```
 */
export function leasesMigration(version: number, table = "weir_leases"): Migration {
  const quoted = quoteLeaseTable(table);
  return {
    version,
    name: table.replaceAll(".", "_"),
    up: [
      `CREATE TABLE IF NOT EXISTS ${quoted} (
        name TEXT PRIMARY KEY NOT NULL,
        owner TEXT,
        token INTEGER NOT NULL,
        ttl_ms INTEGER NOT NULL,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID`,
    ],
  };
}

/**
 * Checks that the lease table exists, naming the fix when it does not.
 *
 * @param db The connection.
 * @param table The table, optionally `schema.table`.
 * @throws {Error} When the table is missing.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { assertLeaseTable } from "./sqlite_migration.ts";
 * import assert from "node:assert/strict";
 * const db = new DatabaseSync(":memory:");
 * assert.throws(() => assertLeaseTable(db, "weir_leases"), /add leasesMigration/);
 * db.close();
 * ```
 */
export function assertLeaseTable(db: DatabaseSync, table: string): void {
  const dot = table.indexOf(".");
  const schema = dot < 0 ? "main" : table.slice(0, dot);
  const found = db.prepare(
    `SELECT 1 FROM "${schema}".sqlite_schema WHERE type = 'table' AND name = ?`,
  )
    .get(table.slice(dot + 1));
  if (found === undefined) {
    throw new Error(
      `Cannot open a lease store as the database has no table "${table}" (add leasesMigration(<next version>, "${table}") to its migrations, or use SqliteLeaseStore.open on a file of its own): current value is "${
        db.location() ?? ":memory:"
      }"`,
    );
  }
}

/** Runs synchronous work for a promise-returning method: what it throws becomes a rejection. */
