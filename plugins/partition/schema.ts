/**
 * The partition plugin's tables, as `CREATE ... IF NOT EXISTS` statements
 * for a dialect: the source table `(app_id, xml)`, the processing log
 * (`app_id` unique: a record is converted at most once, whoever tries), the
 * sessions (one row per instance run, with its heartbeat), the leases, and
 * the contract's target tables (each with `app_id` first and a primary key
 * of `app_id` plus the contract's key columns). Every name comes from the
 * validated contract and is quoted.
 *
 * @module
 */
import { type MappingContract, quoteIdent } from "./contract.ts";
import type { Dialect } from "./executor.ts";
import { leasesMigration } from "../../lib/leases/sqlite_migration.ts";

/** The processing log's table. */
export const LOG_TABLE = "partition_log";
/** The sessions' table. */
export const SESSIONS_TABLE = "partition_sessions";
/** The leases' table. */
export const LEASES_TABLE = "partition_leases";

/**
 * The statements that create every table the contract needs.
 *
 * @param d The dialect.
 * @param contract The validated contract.
 * @returns The statements, in order.
 *
 * @example
 * ```ts
 * import { schemaStatements } from "./schema.ts";
 * import { parseContract } from "./contract.ts";
 * import { sqliteDialect } from "./sqlite_backend.ts";
 * import assert from "node:assert/strict";
 * const contract = parseContract({ version: 1, schema: "apps", tables: [
 *   { name: "fees", rows: "app/fee", columns: [{ name: "amount", path: "@amount", type: "number" }] },
 * ] }, "inline");
 * const ddl = schemaStatements(sqliteDialect, contract);
 * assert.ok(ddl.some((s) => s.startsWith('CREATE TABLE IF NOT EXISTS "fees"')));
 * ```
 */
export function schemaStatements(d: Dialect, contract: MappingContract): string[] {
  const { types: t } = d;
  const src = contract.source;
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${d.table(src.table)} (${
      quoteIdent(src.id)
    } ${t.bigint} PRIMARY KEY, ${quoteIdent(src.xml)} ${t.text} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${d.table(LOG_TABLE)} (
      app_id ${t.bigint} PRIMARY KEY,
      status ${t.text} NOT NULL CHECK (status IN ('success', 'failed')),
      session_id ${t.text} NOT NULL,
      instance_id INTEGER NOT NULL,
      error ${t.text},
      started_at ${t.timestamp} NOT NULL,
      finished_at ${t.timestamp} NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS partition_log_session ON ${d.table(LOG_TABLE)} (session_id)`,
    `CREATE TABLE IF NOT EXISTS ${d.table(SESSIONS_TABLE)} (
      session_id ${t.text} PRIMARY KEY,
      owner ${t.text} NOT NULL,
      instance_id INTEGER NOT NULL,
      instance_count INTEGER NOT NULL,
      mode ${t.text} NOT NULL,
      partition_by ${t.text} NOT NULL,
      partitions INTEGER NOT NULL,
      started_at ${t.timestamp} NOT NULL,
      heartbeat_ms ${t.bigint} NOT NULL,
      finished_at ${t.timestamp},
      status ${t.text} NOT NULL,
      processed INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      duplicates INTEGER NOT NULL DEFAULT 0)`,
  ];
  if (d.name === "sqlite") {
    // PostgreSQL's lease table is created by PostgresLeaseStore.open.
    const { up } = leasesMigration(1, LEASES_TABLE);
    if (Array.isArray(up)) statements.push(...up);
  }
  for (const table of contract.tables) {
    const columns = table.columns.map((c) => {
      const type = c.type === "integer"
        ? t.bigint
        : c.type === "number"
        ? t.real
        : c.type === "boolean"
        ? t.boolean
        : c.type === "date"
        ? t.date
        : t.text;
      const notNull = c.required || table.key.includes(c.name) ? " NOT NULL" : "";
      return `${quoteIdent(c.name)} ${type}${notNull}`;
    });
    const key = ["app_id", ...table.key].map(quoteIdent).join(", ");
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${d.table(table.name)} ("app_id" ${t.bigint} NOT NULL, ${
        columns.join(", ")
      }${table.key.length > 0 ? `, PRIMARY KEY (${key})` : ""})`,
    );
    if (table.key.length === 0) {
      statements.push(
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table.name}_app_id`)} ON ${
          d.table(table.name)
        } ("app_id")`,
      );
    }
  }
  return statements;
}
