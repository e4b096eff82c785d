/**
 * The narrow SQL port the partition store runs on: parameterized statements
 * (placeholders `$1`, `$2`, ... in every dialect) and transactions, with one
 * adapter per backend (`sqlite_backend.ts`, `postgres_backend.ts`). The
 * dialect holds the few spots where SQLite and PostgreSQL differ.
 *
 * @module
 */

/** A value bound to a placeholder. */
export type SqlParam = string | number | boolean | null;

/** A row as a query returns it. */
export type SqlRow = Record<string, unknown>;

/** Runs parameterized SQL on one backend. */
export interface Executor {
  /** Runs a query and returns its rows. */
  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /**
   * Runs `fn` in one transaction (SQLite: `BEGIN IMMEDIATE`), committing
   * when it returns and rolling back when it throws; the executor it gets
   * runs inside the transaction.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

/** Where SQLite and PostgreSQL differ. */
export interface Dialect {
  /** `sqlite` or `postgres`. */
  readonly name: "sqlite" | "postgres";
  /** A table's qualified, quoted name. */
  table(name: string): string;
  /** The database clock in whole milliseconds since the epoch. */
  readonly nowMs: string;
  /** The current time as a value of a timestamp column. */
  readonly nowTs: string;
  /** Column types. */
  readonly types: {
    bigint: string;
    text: string;
    real: string;
    boolean: string;
    date: string;
    timestamp: string;
  };
  /** `expr IN (the integers of the JSON array bound to param)`. */
  inJsonList(expr: string, param: string): string;
  /**
   * A subquery that yields one row when source row `$1` exists and this
   * transaction may take it: on PostgreSQL it locks the row
   * (`FOR UPDATE SKIP LOCKED`, nothing when another transaction holds it);
   * on SQLite `BEGIN IMMEDIATE` already serializes writers.
   */
  lockRecord(sourceTable: string, idColumn: string): string;
}
