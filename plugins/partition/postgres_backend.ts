/**
 * The PostgreSQL backend of the partition store, for instances on several
 * machines: every table in one schema, records locked for their transaction
 * with `FOR UPDATE SKIP LOCKED`, a bounded pool with a connect timeout
 * (`lib/postgres`).
 *
 * @module
 */
import type { PostgresSql } from "../../lib/postgres/connect.ts";
import { quoteIdent } from "./contract.ts";
import type { Dialect, Executor, SqlParam, SqlRow } from "./executor.ts";

/**
 * PostgreSQL's dialect for one schema.
 *
 * @param schema The schema of every table.
 * @returns The dialect.
 *
 * @example
 * ```ts
 * import { postgresDialect } from "./postgres_backend.ts";
 * import assert from "node:assert/strict";
 * assert.equal(postgresDialect("apps").table("fees"), '"apps"."fees"');
 * ```
 */
export function postgresDialect(schema: string): Dialect {
  const s = quoteIdent(schema);
  return {
    name: "postgres",
    table: (name) => `${s}.${quoteIdent(name)}`,
    nowMs: "CAST(floor(extract(epoch FROM clock_timestamp()) * 1000) AS BIGINT)",
    nowTs: "clock_timestamp()",
    types: {
      bigint: "BIGINT",
      text: "TEXT",
      real: "DOUBLE PRECISION",
      boolean: "BOOLEAN",
      date: "DATE",
      timestamp: "TIMESTAMPTZ",
    },
    inJsonList: (expr, param) =>
      `${expr} IN (SELECT CAST(j.v AS BIGINT) FROM json_array_elements_text(CAST(CAST(${param} AS text) AS json)) AS j(v))`,
    lockRecord: (table, id) => `(SELECT 1 FROM ${table} WHERE ${id} = $1 FOR UPDATE SKIP LOCKED)`,
  };
}

type Runner = Pick<PostgresSql, "unsafe">;

function executorOf(sql: Runner, begin?: PostgresSql["begin"]): Executor {
  return {
    all: async (text: string, params: readonly SqlParam[] = []) =>
      [...await sql.unsafe(text, params as SqlParam[])] as SqlRow[],
    transaction: <T>(fn: (tx: Executor) => Promise<T>): Promise<T> => {
      if (!begin) return Promise.reject(new Error("Cannot nest a transaction"));
      return begin((tx) => fn(executorOf(tx))) as Promise<T>;
    },
  };
}

/**
 * An executor over a postgres.js pool: each transaction runs on one connection.
 *
 * @param sql The pool.
 * @returns The executor.
 */
export function postgresExecutor(sql: PostgresSql): Executor {
  return executorOf(sql, sql.begin.bind(sql));
}
