/**
 * The SQLite adapter of the lease port: leases in a table of a `node:sqlite`
 * database that several processes can share (a file database in WAL mode).
 * The table is made by {@linkcode leasesMigration}, one step of the
 * database's migrations.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  checkLease,
  checkLeaseAcquire,
  checkLeaseClock,
  checkLeaseName,
  checkLeaseStoreOpen,
  checkLeaseTtl,
  LEASE_COLUMNS,
  LEASE_TAKEOVER,
  quoteLeaseTable,
  readLeaseClock,
} from "./_takeover.ts";
import type { Lease, LeaseClock, LeaseInfo, LeaseStore } from "./port.ts";
import { assertLeaseTable, leasesMigration } from "./sqlite_migration.ts";

export { leasesMigration } from "./sqlite_migration.ts";
import { migrate } from "../sqlite/migrations.ts";
import { openSqlite, transaction } from "../sqlite/open.ts";

/** Options of {@linkcode SqliteLeaseStore}. */
export interface SqliteLeaseStoreOptions {
  /**
   * The table that holds the leases, made by {@linkcode leasesMigration}:
   * letters, digits and `_`, optionally prefixed by an attached database's
   * name (`aux.leases`).
   *
   * @default {"weir_leases"}
   */
  table?: string;
  /**
   * The clock that decides expiry instead of SQLite's, in milliseconds
   * since the epoch, bound as a parameter of every statement. For tests that
   * move time forward instead of waiting; in production leave it out, so that
   * every process sharing the file is judged by the same clock.
   *
   * @default {undefined} (SQLite's `unixepoch('subsec')`)
   */
  now?: LeaseClock;
}

/** Options of {@linkcode SqliteLeaseStore.open}: the table and the connection's busy timeout. */
export interface OpenSqliteLeaseStoreOptions extends SqliteLeaseStoreOptions {
  /**
   * How long a write waits for another process's write lock before it fails
   * with `SQLITE_BUSY`, in milliseconds (`openSqlite`'s option).
   *
   * @default {5000}
   */
  busyTimeoutMs?: number;
}

/**
 * The clock in whole milliseconds since the epoch: the injected one when
 * `:now` is bound to a number, else the database's; constant within one statement.
 */
const NOW_MS = "coalesce(:now, CAST(round(unixepoch('subsec') * 1000) AS INTEGER))";

/** A row as `node:sqlite` returns it. */
type Row = NonNullable<ReturnType<StatementSync["get"]>>;

/**
 * Named leases in a SQLite table (`weir_leases` by default, made by
 * {@linkcode leasesMigration}) with columns `name` (primary key), `owner` (`NULL` once released),
 * `token`, `ttl_ms`, `acquired_at` and `expires_at` (milliseconds since the
 * epoch by SQLite's clock).
 *
 * Every write runs in a `BEGIN IMMEDIATE` transaction, so concurrent
 * processes on one file take turns (waiting up to the connection's busy
 * timeout), and one conditional upsert decides each acquire. The store runs
 * its own transactions: do not call it while one is open on the connection.
 *
 * @example Take, renew and release a lease
 * ```ts
 * import { SqliteLeaseStore } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 * const store = SqliteLeaseStore.open(":memory:");
 * const lease = await store.acquire("graph.sync", "worker-1", 30_000);
 * assert.equal(lease?.token, 1);
 * assert.equal(await store.acquire("graph.sync", "worker-2", 30_000), undefined);
 * const renewed = await store.renew(lease!);
 * assert.equal(renewed?.token, 1);
 * assert.equal(await store.release(renewed!), true);
 * assert.equal((await store.acquire("graph.sync", "worker-2", 30_000))?.token, 2);
 * await store.close();
 * ```
 *
 * @example Move time forward in a test instead of waiting for expiry
 * ```ts
 * import { SqliteLeaseStore } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 * let now = Date.parse("2024-01-01T00:00:00Z");
 * const store = SqliteLeaseStore.open(":memory:", { now: () => now });
 * const lease = await store.acquire("jobs", "a", 1_000);
 * assert.equal(lease?.expiresAt.toISOString(), "2024-01-01T00:00:01.000Z");
 * now += 1_000;
 * assert.equal(await store.current("jobs"), undefined);
 * assert.equal((await store.acquire("jobs", "b", 1_000))?.token, 2);
 * await store.close();
 * ```
 */
export class SqliteLeaseStore implements LeaseStore {
  /** The table's name, as given (unquoted). */
  readonly table: string;
  readonly #db: DatabaseSync;
  readonly #now: LeaseClock | undefined;
  #ownsDb = false;
  readonly #acquire: StatementSync;
  readonly #renew: StatementSync;
  readonly #release: StatementSync;
  readonly #current: StatementSync;
  #closed = false;

  /**
   * Opens a database dedicated to leases with weir's settings, migrates it to
   * its one migration ({@linkcode leasesMigration} version 1), and returns a
   * lease store over it; closing the store closes the database. To keep
   * leases in a database with tables of its own, add `leasesMigration` to
   * that database's migrations and use the constructor instead.
   *
   * @param path The database file (shared by every process using the leases), or `":memory:"`.
   * @param options The table and the busy timeout.
   * @returns The store.
   * @throws {TypeError} When `table` is not a valid name.
   * @throws {RangeError} When `busyTimeoutMs` is not a non-negative integer.
   * @throws {SchemaTooNewError} When the file's schema is past version 1 (not a lease database).
   * @throws {Error} When the database cannot be opened or migrated.
   *
   * @example Open a store on a file shared by several processes
   * ```ts
   * import { SqliteLeaseStore } from "./sqlite.ts";
   * import assert from "node:assert/strict";
   * const dir = await Deno.makeTempDir();
   * const store = SqliteLeaseStore.open(`${dir}/leases.db`, { busyTimeoutMs: 10_000 });
   * assert.ok(await store.acquire("partition-0", "host-a:123", 5_000));
   * await store.close();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static open(path: string, options: OpenSqliteLeaseStoreOptions = {}): SqliteLeaseStore {
    const { busyTimeoutMs, ...storeOptions } = options;
    quoteLeaseTable(storeOptions.table ?? "weir_leases");
    const db = openSqlite(path, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
    try {
      migrate(db, path, [leasesMigration(1, storeOptions.table)]);
      const store = new SqliteLeaseStore(db, storeOptions);
      store.#ownsDb = true;
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Prepares the statements over a table {@linkcode leasesMigration} made.
   * The store does not close `db`.
   *
   * @param db An open connection (from `openSqlite`, for its busy timeout and WAL), migrated.
   * @param options The table and the clock.
   * @throws {TypeError} When `table` is not a valid name or `now` not a function.
   * @throws {Error} When the table does not exist (the migrations lack `leasesMigration`).
   */
  constructor(db: DatabaseSync, options: SqliteLeaseStoreOptions = {}) {
    this.table = options.table ?? "weir_leases";
    const table = quoteLeaseTable(this.table);
    this.#db = db;
    this.#now = checkLeaseClock(options.now);
    assertLeaseTable(db, this.table);
    // One statement decides: insert a new lease, or take over the row when it
    // is free or already this owner's. `excluded.acquired_at` is the clock.
    this.#acquire = db.prepare(
      `INSERT INTO ${table} AS l (${LEASE_COLUMNS})
       SELECT :name, :owner, 1, :ttl, c.now, c.now + :ttl FROM (SELECT ${NOW_MS} AS now) AS c WHERE true
       ${LEASE_TAKEOVER}
       RETURNING ${LEASE_COLUMNS}`,
    );
    // A lease that expired but that nobody took since keeps its token.
    this.#renew = db.prepare(
      `UPDATE ${table} SET ttl_ms = coalesce(:ttl, ttl_ms), expires_at = ${NOW_MS} + coalesce(:ttl, ttl_ms)
       WHERE name = :name AND owner = :owner AND token = :token
       RETURNING ${LEASE_COLUMNS}`,
    );
    this.#release = db.prepare(
      `UPDATE ${table} SET owner = NULL, expires_at = min(expires_at, ${NOW_MS})
       WHERE name = :name AND owner = :owner AND token = :token`,
    );
    this.#current = db.prepare(
      `SELECT ${LEASE_COLUMNS}, c.now AS now FROM ${table}, (SELECT ${NOW_MS} AS now) AS c
       WHERE name = :name AND owner IS NOT NULL AND expires_at > c.now`,
    );
  }

  /**
   * Takes the lease when it is free, or extends it when `owner` holds it.
   *
   * @param name The lease's name.
   * @param owner Who takes it.
   * @param ttlMs How long it lasts unless renewed, from 1 to 86,400,000 ms.
   * @returns The lease, or `undefined` when another owner holds it.
   * @throws {TypeError} When `name` or `owner` is not a non-empty string, or `ttlMs` not a number.
   * @throws {RangeError} When `ttlMs` is out of range.
   * @throws {Error} When the store is closed or the write lock was not had within the busy timeout.
   *
   * @example The same owner acquiring again keeps the token
   * ```ts
   * import { SqliteLeaseStore } from "./sqlite.ts";
   * import assert from "node:assert/strict";
   * const store = SqliteLeaseStore.open(":memory:");
   * const first = await store.acquire("jobs", "a", 1_000);
   * const again = await store.acquire("jobs", "a", 60_000);
   * assert.equal(again?.token, first?.token);
   * assert.ok(again!.expiresAt > first!.expiresAt);
   * await store.close();
   * ```
   */
  acquire(name: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    return settle(() => {
      checkLeaseStoreOpen(this.#closed, "acquire", name);
      checkLeaseAcquire(name, owner, ttlMs);
      return this.#write(this.#acquire, { name, owner, ttl: ttlMs, now: this.#clock() });
    });
  }

  /**
   * Extends a held lease to `ttlMs` from now.
   *
   * @param lease The lease as acquire or the last renewal returned it.
   * @param ttlMs The new ttl; the lease's last ttl when omitted.
   * @returns The renewed lease, or `undefined` when it was lost.
   * @throws {TypeError} When `lease` is not a lease or `ttlMs` not a number.
   * @throws {RangeError} When `ttlMs` is out of range.
   * @throws {Error} When the store is closed or the write lock was not had within the busy timeout.
   *
   * @example Renew with a longer ttl
   * ```ts
   * import { SqliteLeaseStore } from "./sqlite.ts";
   * import assert from "node:assert/strict";
   * const store = SqliteLeaseStore.open(":memory:");
   * const lease = await store.acquire("jobs", "a", 1_000);
   * const renewed = await store.renew(lease!, 60_000);
   * assert.equal(renewed?.ttlMs, 60_000);
   * await store.close();
   * ```
   */
  renew(lease: Lease, ttlMs?: number): Promise<Lease | undefined> {
    return settle(() => {
      checkLeaseStoreOpen(this.#closed, "renew", lease?.name);
      const { name, owner, token } = checkLease(lease, "renew");
      if (ttlMs !== undefined) checkLeaseTtl(ttlMs, "renew", name);
      return this.#write(this.#renew, {
        name,
        owner,
        token,
        ttl: ttlMs ?? null,
        now: this.#clock(),
      });
    });
  }

  /**
   * Frees a held lease at once.
   *
   * @param lease The lease as acquire or the last renewal returned it.
   * @returns `true` when released; `false` when already released or taken by another owner.
   * @throws {TypeError} When `lease` is not a lease.
   * @throws {Error} When the store is closed or the write lock was not had within the busy timeout.
   *
   * @example Release twice
   * ```ts
   * import { SqliteLeaseStore } from "./sqlite.ts";
   * import assert from "node:assert/strict";
   * const store = SqliteLeaseStore.open(":memory:");
   * const lease = await store.acquire("jobs", "a", 1_000);
   * assert.equal(await store.release(lease!), true);
   * assert.equal(await store.release(lease!), false);
   * await store.close();
   * ```
   */
  release(lease: Lease): Promise<boolean> {
    return settle(() => {
      checkLeaseStoreOpen(this.#closed, "release", lease?.name);
      const { name, owner, token } = checkLease(lease, "release");
      return transaction(
        this.#db,
        () => Number(this.#release.run({ name, owner, token, now: this.#clock() }).changes) > 0,
        { immediate: true },
      );
    });
  }

  /**
   * Reads who holds a lease now, by SQLite's clock.
   *
   * @param name The lease's name.
   * @returns The live lease, or `undefined` when it is free.
   * @throws {TypeError} When `name` is not a non-empty string.
   * @throws {Error} When the store is closed.
   *
   * @example Read the holder
   * ```ts
   * import { SqliteLeaseStore } from "./sqlite.ts";
   * import assert from "node:assert/strict";
   * const store = SqliteLeaseStore.open(":memory:");
   * assert.equal(await store.current("jobs"), undefined);
   * await store.acquire("jobs", "a", 60_000);
   * const info = await store.current("jobs");
   * assert.equal(info?.owner, "a");
   * assert.ok(info!.remainingMs > 0 && info!.remainingMs <= 60_000);
   * await store.close();
   * ```
   */
  current(name: string): Promise<LeaseInfo | undefined> {
    return settle(() => {
      checkLeaseStoreOpen(this.#closed, "read", name);
      checkLeaseName(name, "read");
      const row = this.#current.get({ name, now: this.#clock() });
      if (row === undefined) return undefined;
      return {
        ...toLease(row),
        acquiredAt: new Date(Number(row.acquired_at)),
        remainingMs: Number(row.expires_at) - Number(row.now),
      };
    });
  }

  /**
   * Closes the store, and its database when {@linkcode SqliteLeaseStore.open} opened it.
   *
   * @example Close twice
   * ```ts
   * import { SqliteLeaseStore } from "./sqlite.ts";
   * const store = SqliteLeaseStore.open(":memory:");
   * await store.close();
   * await store.close();
   * ```
   */
  close(): Promise<void> {
    return settle(() => {
      if (this.#closed) return;
      this.#closed = true;
      if (this.#ownsDb) this.#db.close();
    });
  }

  /** The injected clock's time for `:now`, or `null` for SQLite's clock. */
  #clock(): number | null {
    return this.#now === undefined ? null : readLeaseClock(this.#now);
  }

  /** Runs a statement that returns the lease's row, in a `BEGIN IMMEDIATE` transaction. */
  #write(
    statement: StatementSync,
    params: Record<string, string | number | null>,
  ): Lease | undefined {
    // RETURNING rows are read to the end (`all`), so the statement has finished when COMMIT runs.
    const row = transaction(this.#db, () => statement.all(params)[0], { immediate: true });
    return row === undefined ? undefined : toLease(row);
  }
}

/** Throws unless the lease table exists: tables are made by migrations, never here. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

function toLease(row: Row): Lease {
  return {
    name: String(row.name),
    owner: String(row.owner),
    token: Number(row.token),
    ttlMs: Number(row.ttl_ms),
    expiresAt: new Date(Number(row.expires_at)),
  };
}
