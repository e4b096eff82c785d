/**
 * The PostgreSQL adapter of the lease port, for processes on several
 * machines sharing one database. The `postgres` client loads only when a
 * store is opened.
 *
 * @module
 */

import type postgres from "postgres";
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

type Sql = postgres.Sql;
type Row = postgres.Row;

/** Options of {@linkcode PostgresLeaseStore.open}. */
export interface PostgresLeaseStoreOptions {
  /**
   * The table that holds the leases, created if absent: letters, digits and
   * `_`, optionally schema-qualified (`weir.leases`); the schema must exist.
   *
   * @default {"weir_leases"}
   */
  table?: string;
  /**
   * The most connections the store's pool opens.
   *
   * @default {4}
   */
  max?: number;
  /**
   * The clock that decides expiry instead of the server's, in milliseconds
   * since the epoch, bound as a `timestamptz` parameter of every statement.
   * For tests that move time forward instead of waiting; in production leave
   * it out, so that every machine sharing the table is judged by one clock.
   *
   * @default {undefined} (the server's `clock_timestamp()`)
   */
  now?: LeaseClock;
}

/** The first key of the advisory lock that serializes creating lease tables ("weir" in ASCII). */
const CREATE_LOCK = 0x77656972;

/**
 * Named leases in a PostgreSQL table (`weir_leases` by default, created if
 * absent) with columns `name` (primary key), `owner` (`NULL` once released),
 * `token`, `ttl_ms`, `acquired_at` and `expires_at` (`timestamptz` by the
 * server's `clock_timestamp()`, or the injected `now`).
 *
 * Each operation is one statement, atomic on its own: acquire is an
 * `INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE` that takes the row only
 * when it is free or already the owner's, so of many concurrent acquirers
 * exactly one wins.
 *
 * @example Take a lease on a shared database
 * ```ts ignore
 * import { PostgresLeaseStore } from "./postgres.ts";
 * const store = await PostgresLeaseStore.open(Deno.env.get("DATABASE_URL")!);
 * try {
 *   const lease = await store.acquire("partition-3", `${Deno.hostname()}:${Deno.pid}`, 30_000);
 *   if (lease) {
 *     // ... work, renewing the lease every 10 s ...
 *     await store.release(lease);
 *   }
 * } finally {
 *   await store.close();
 * }
 * ```
 */
export class PostgresLeaseStore implements LeaseStore {
  /** The table's name, as given (unquoted). */
  readonly table: string;
  readonly #sql: Sql;
  readonly #now: LeaseClock | undefined;
  #closed = false;

  private constructor(sql: Sql, table: string, now: LeaseClock | undefined) {
    this.#sql = sql;
    this.table = table;
    this.#now = now;
  }

  /**
   * Loads the `postgres` client, connects and creates the table if absent.
   * Concurrent openers take turns on an advisory lock, so that only one
   * creates it.
   *
   * @param url The connection URL, for example `postgres://user:pass@host:5432/db`.
   * @param options The table and the pool size.
   * @returns The open store; close it with {@linkcode PostgresLeaseStore.close}.
   * @throws {TypeError} When `url` is not a non-empty string, `table` is not a valid name
   * or `now` is not a function.
   * @throws {RangeError} When `max` is not a positive integer.
   * @throws {Error} When the server cannot be reached or the table cannot be created
   * (the connections are closed then).
   *
   * @example Open a store on its own table
   * ```ts ignore
   * import { PostgresLeaseStore } from "./postgres.ts";
   * const store = await PostgresLeaseStore.open("postgres://weir@127.0.0.1:5432/weir", {
   *   table: "graph_leases",
   *   max: 2,
   * });
   * await store.close();
   * ```
   */
  static async open(
    url: string,
    options: PostgresLeaseStoreOptions = {},
  ): Promise<PostgresLeaseStore> {
    const { table = "weir_leases", max = 4 } = options;
    const now = checkLeaseClock(options.now);
    if (typeof url !== "string" || url === "") {
      throw new TypeError(
        `Cannot open a lease store as its URL must be a non-empty string: current value is "${url}"`,
      );
    }
    const quoted = quoteLeaseTable(table);
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(
        `Cannot open a lease store as max must be a positive integer: current value is "${max}"`,
      );
    }
    const { default: connect } = await import("postgres");
    // CREATE TABLE IF NOT EXISTS reports an existing table as a notice: not worth printing.
    const sql = connect(url, { max, onnotice: () => {} });
    try {
      await createTable(sql, table, quoted);
    } catch (err) {
      await sql.end();
      throw err;
    }
    return new PostgresLeaseStore(sql, table, now);
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
   * @throws {Error} When the store is closed or the statement failed.
   *
   * @example Two owners race; one wins
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { PostgresLeaseStore } from "./postgres.ts";
   * const store = await PostgresLeaseStore.open(Deno.env.get("DATABASE_URL")!);
   * const [a, b] = await Promise.all([
   *   store.acquire("jobs", "a", 10_000),
   *   store.acquire("jobs", "b", 10_000),
   * ]);
   * assert.ok((a === undefined) !== (b === undefined));
   * await store.close();
   * ```
   */
  async acquire(name: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseStoreOpen(this.#closed, "acquire", name);
    checkLeaseAcquire(name, owner, ttlMs);
    const sql = this.#sql;
    // One statement decides: insert a new lease, or take over the row when it
    // is free or already this owner's. `excluded.acquired_at` is the clock,
    // read once. A conflicting insert in flight is waited for, then judged.
    const [row] = await sql`
      INSERT INTO ${sql(this.table)} AS l (${sql.unsafe(LEASE_COLUMNS)})
      SELECT ${name}::text, ${owner}::text, 1, ${ttlMs}::integer, c.now,
        c.now + ${ttlMs}::integer * interval '1 millisecond'
      FROM (SELECT ${this.#clock()} AS now) AS c
      ${sql.unsafe(LEASE_TAKEOVER)}
      RETURNING ${sql.unsafe(LEASE_COLUMNS)}`;
    return row === undefined ? undefined : toLease(row);
  }

  /**
   * Extends a held lease to `ttlMs` from now, by the server's clock.
   *
   * @param lease The lease as acquire or the last renewal returned it.
   * @param ttlMs The new ttl; the lease's last ttl when omitted.
   * @returns The renewed lease, or `undefined` when it was lost.
   * @throws {TypeError} When `lease` is not a lease or `ttlMs` not a number.
   * @throws {RangeError} When `ttlMs` is out of range.
   * @throws {Error} When the store is closed or the statement failed.
   *
   * @example Heartbeat
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { PostgresLeaseStore } from "./postgres.ts";
   * const store = await PostgresLeaseStore.open(Deno.env.get("DATABASE_URL")!);
   * let lease = await store.acquire("jobs", "a", 10_000);
   * lease = lease && await store.renew(lease);
   * assert.ok(lease !== undefined);
   * await store.close();
   * ```
   */
  async renew(lease: Lease, ttlMs?: number): Promise<Lease | undefined> {
    checkLeaseStoreOpen(this.#closed, "renew", lease?.name);
    const { name, owner, token } = checkLease(lease, "renew");
    const ttl = ttlMs === undefined ? null : checkLeaseTtl(ttlMs, "renew", name);
    const sql = this.#sql;
    // A lease that expired but that nobody took since keeps its token.
    const [row] = await sql`
      UPDATE ${sql(this.table)} SET
        ttl_ms = coalesce(${ttl}::integer, ttl_ms),
        expires_at = ${this.#clock()} + coalesce(${ttl}::integer, ttl_ms) * interval '1 millisecond'
      WHERE name = ${name}::text AND owner = ${owner}::text AND token = ${token}::bigint
      RETURNING ${sql.unsafe(LEASE_COLUMNS)}`;
    return row === undefined ? undefined : toLease(row);
  }

  /**
   * Frees a held lease at once.
   *
   * @param lease The lease as acquire or the last renewal returned it.
   * @returns `true` when released; `false` when already released or taken by another owner.
   * @throws {TypeError} When `lease` is not a lease.
   * @throws {Error} When the store is closed or the statement failed.
   *
   * @example Release
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { PostgresLeaseStore } from "./postgres.ts";
   * const store = await PostgresLeaseStore.open(Deno.env.get("DATABASE_URL")!);
   * const lease = await store.acquire("jobs", "a", 10_000);
   * assert.ok(await store.release(lease!));
   * await store.close();
   * ```
   */
  async release(lease: Lease): Promise<boolean> {
    checkLeaseStoreOpen(this.#closed, "release", lease?.name);
    const { name, owner, token } = checkLease(lease, "release");
    const sql = this.#sql;
    const result = await sql`
      UPDATE ${sql(this.table)} SET owner = NULL, expires_at = least(expires_at, ${this.#clock()})
      WHERE name = ${name}::text AND owner = ${owner}::text AND token = ${token}::bigint`;
    return result.count > 0;
  }

  /**
   * Reads who holds a lease now, by the server's clock.
   *
   * @param name The lease's name.
   * @returns The live lease, or `undefined` when it is free.
   * @throws {TypeError} When `name` is not a non-empty string.
   * @throws {Error} When the store is closed or the statement failed.
   *
   * @example Read the holder
   * ```ts ignore
   * import { PostgresLeaseStore } from "./postgres.ts";
   * const store = await PostgresLeaseStore.open(Deno.env.get("DATABASE_URL")!);
   * const info = await store.current("jobs");
   * console.log(info ? `${info.owner} holds it for ${info.remainingMs} ms` : "free");
   * await store.close();
   * ```
   */
  async current(name: string): Promise<LeaseInfo | undefined> {
    checkLeaseStoreOpen(this.#closed, "read", name);
    checkLeaseName(name, "read");
    const sql = this.#sql;
    const [row] = await sql`
      SELECT ${sql.unsafe(LEASE_COLUMNS)},
        ceil(extract(epoch FROM expires_at - c.now) * 1000)::float8 AS remaining_ms
      FROM ${sql(this.table)}, (SELECT ${this.#clock()} AS now) AS c
      WHERE name = ${name}::text AND owner IS NOT NULL AND expires_at > c.now`;
    if (row === undefined) return undefined;
    return { ...toLease(row), acquiredAt: row.acquired_at, remainingMs: row.remaining_ms };
  }

  /** The clock as an SQL fragment: the injected time as a bound parameter, else the server's. */
  #clock(): postgres.PendingQuery<postgres.Row[]> {
    const sql = this.#sql;
    return this.#now === undefined
      ? sql`clock_timestamp()`
      : sql`${new Date(readLeaseClock(this.#now))}::timestamptz`;
  }

  /**
   * Ends the connection pool, waiting for queries in flight.
   *
   * @example Close
   * ```ts ignore
   * import { PostgresLeaseStore } from "./postgres.ts";
   * const store = await PostgresLeaseStore.open(Deno.env.get("DATABASE_URL")!);
   * await store.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.end();
  }
}

/** Creates the table unless it exists, one creator at a time (an advisory lock per table name). */
async function createTable(sql: Sql, table: string, quoted: string): Promise<void> {
  const [{ exists }] = await sql`SELECT to_regclass(${quoted}) IS NOT NULL AS exists`;
  if (exists) return;
  const bare = table.slice(table.indexOf(".") + 1);
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${CREATE_LOCK}::integer, hashtext(${bare}::text))`;
    await tx`
      CREATE TABLE IF NOT EXISTS ${sql(table)} (
        name text PRIMARY KEY,
        owner text,
        token bigint NOT NULL,
        ttl_ms integer NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`;
  });
}

function toLease(row: Row): Lease {
  return {
    name: row.name,
    owner: row.owner,
    // bigint arrives as a string; tokens stay far below 2^53.
    token: Number(row.token),
    ttlMs: row.ttl_ms,
    expiresAt: row.expires_at,
  };
}
