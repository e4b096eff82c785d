/**
 * Opens the partition store on the configured backend: SQLite by default (a
 * file under the home shared by the processes of one machine), PostgreSQL
 * when `DATABASE_URL` is set (instances on several machines), with the lease
 * store of `lib/leases` on the same database.
 *
 * @module
 */
import { type LeaseStore, PostgresLeaseStore, SqliteLeaseStore } from "../../lib/leases/mod.ts";
import { connectPostgres } from "../../lib/postgres/connect.ts";
import { openSqlite } from "../../lib/sqlite/open.ts";
import type { MappingContract } from "./contract.ts";
import { postgresDialect, postgresExecutor } from "./postgres_backend.ts";
import { LEASES_TABLE } from "./schema.ts";
import { openSqliteBackend, sqliteDialect } from "./sqlite_backend.ts";
import { PartitionStore } from "./store.ts";

/** Where and how to connect. */
export interface BackendOptions {
  /** The SQLite file (when `databaseUrl` is absent). */
  dbPath: string;
  /** PostgreSQL's URL; when set, it is used instead of SQLite. */
  databaseUrl?: string;
  /** The PostgreSQL schema (default: the contract's). */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize: number;
  /** PostgreSQL connect timeout, in seconds. */
  connectTimeoutS: number;
}

/** An open backend. */
export interface Backend extends AsyncDisposable {
  /** `sqlite` or `postgres`. */
  readonly kind: "sqlite" | "postgres";
  /** Where it is, for logs (no password). */
  readonly location: string;
  /** The store, its tables created. */
  readonly store: PartitionStore;
  /** Opens the lease store on the same database (once; closed with the backend). */
  leases(): Promise<LeaseStore>;
  /** Closes everything. */
  close(): Promise<void>;
}

/**
 * Opens the backend and creates the tables that are missing.
 *
 * @param contract The mapping contract (the schema comes from it unless overridden).
 * @param o Where and how.
 * @returns The backend.
 */
export async function openBackend(contract: MappingContract, o: BackendOptions): Promise<Backend> {
  const c = o.schema ? { ...contract, schema: o.schema } : contract;
  const closers: (() => Promise<void> | void)[] = [];
  let leases: Promise<LeaseStore> | undefined;
  const close = async () => {
    for (const fn of closers.splice(0).reverse()) await fn();
  };
  try {
    if (o.databaseUrl) {
      const url = o.databaseUrl;
      const { sql } = await connectPostgres(url, {
        max: o.poolSize,
        connectTimeoutS: o.connectTimeoutS,
        purpose: "the partition database",
      });
      closers.push(() => sql.end({ timeout: 5 }));
      const store = new PartitionStore(postgresExecutor(sql), postgresDialect(c.schema), c);
      await store.setup();
      return {
        kind: "postgres",
        location: `${new URL(url).host}${new URL(url).pathname} schema ${c.schema}`,
        store,
        leases: () =>
          leases ??= PostgresLeaseStore.open(url, { table: `${c.schema}.${LEASES_TABLE}`, max: 2 })
            .then((s) => (closers.push(() => s.close()), s)),
        close,
        [Symbol.asyncDispose]: close,
      };
    }
    const { db, executor } = openSqliteBackend(o.dbPath);
    closers.push(() => db.close());
    const store = new PartitionStore(executor, sqliteDialect, c);
    await store.setup();
    return {
      kind: "sqlite",
      location: o.dbPath,
      store,
      leases: () =>
        leases ??= Promise.resolve().then(() => {
          // Leases on a connection of their own: the lease store runs its own transactions.
          const leaseDb = openSqlite(o.dbPath, { busyTimeoutMs: 30_000 });
          const s = new SqliteLeaseStore(leaseDb, { table: LEASES_TABLE });
          closers.push(async () => {
            await s.close();
            leaseDb.close();
          });
          return s;
        }),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
