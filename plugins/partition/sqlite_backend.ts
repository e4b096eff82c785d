/**
 * The SQLite backend of the partition store: one file shared by several
 * processes on one machine (WAL, a busy timeout, every write transaction
 * `BEGIN IMMEDIATE`). Statements on the connection take turns, so a
 * transaction's awaits never let another statement in between.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { openSqlite } from "../../lib/sqlite/open.ts";
import { quoteIdent } from "./contract.ts";
import type { Dialect, Executor, SqlParam, SqlRow } from "./executor.ts";

/**
 * SQLite's dialect: no schemas (the file is the namespace), milliseconds by
 * `unixepoch('subsec')`, integer lists through `json_each`.
 *
 * @example
 * ```ts
 * import { sqliteDialect } from "./sqlite_backend.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sqliteDialect.table("fees"), '"fees"');
 * ```
 */
export const sqliteDialect: Dialect = {
  name: "sqlite",
  table: (name) => quoteIdent(name),
  nowMs: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
  nowTs: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  types: {
    bigint: "INTEGER",
    text: "TEXT",
    real: "REAL",
    boolean: "INTEGER",
    date: "TEXT",
    timestamp: "TEXT",
  },
  inJsonList: (expr, param) => `${expr} IN (SELECT value FROM json_each(${param}))`,
  lockRecord: (table, id) => `(SELECT 1 FROM ${table} WHERE ${id} = $1)`,
};

const bind = (params: readonly SqlParam[]): SQLInputValue[] =>
  params.map((v) => typeof v === "boolean" ? (v ? 1 : 0) : v);

/** Runs statements on one connection; `$n` placeholders become SQLite's `?n`. */
class SqliteExecutor implements Executor {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();
  #turn: Promise<unknown> = Promise.resolve();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): StatementSync {
    let stmt = this.#cache.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql.replace(/\$(\d+)/g, "?$1"));
      if (this.#cache.size > 500) this.#cache.clear();
      this.#cache.set(sql, stmt);
    }
    return stmt;
  }

  #run(sql: string, params: readonly SqlParam[]): SqlRow[] {
    return this.#prepare(sql).all(...bind(params)) as SqlRow[];
  }

  /** Waits for the connection's turn, then runs `fn` alone on it. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(fn);
    this.#turn = result.catch(() => {});
    return result;
  }

  all(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    return this.#exclusive(() => Promise.resolve(this.#run(sql, params)));
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      const inner: Executor = {
        all: (sql, params = []) => Promise.resolve(this.#run(sql, params)),
        transaction: () => Promise.reject(new Error("Cannot nest a transaction")),
      };
      this.#prepare("BEGIN IMMEDIATE").run();
      try {
        const result = await fn(inner);
        this.#prepare("COMMIT").run();
        return result;
      } catch (err) {
        if (this.#db.isTransaction) this.#prepare("ROLLBACK").run();
        throw err;
      }
    });
  }
}

/**
 * Opens (creating its folder) a SQLite database for the partition store.
 *
 * @param path The file shared by every instance.
 * @param busyTimeoutMs How long a write waits for another process's lock.
 * @returns The connection and its executor.
 *
 * @example
 * ```ts
 * import { openSqliteBackend } from "./sqlite_backend.ts";
 * import assert from "node:assert/strict";
 * const { db, executor } = openSqliteBackend(":memory:");
 * const [row] = await executor.all("SELECT $1 + $2 AS n", [1, 2]);
 * assert.equal(row.n, 3);
 * db.close();
 * ```
 */
export function openSqliteBackend(
  path: string,
  busyTimeoutMs = 30_000,
): { db: DatabaseSync; executor: Executor } {
  const db = openSqlite(path, { busyTimeoutMs });
  return { db, executor: new SqliteExecutor(db) };
}
