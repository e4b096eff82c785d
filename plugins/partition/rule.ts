/**
 * The partition rule: which partition a record's id falls in. `modulo` is
 * `app_id % n`; `hash` spreads clustered ids evenly with a multiplicative
 * (Knuth) hash computed in integer arithmetic that SQLite and PostgreSQL
 * evaluate identically: `((app_id % 2^31) * 2654435761 % 2^32) / 2^16 % n`.
 * The same rule is an SQL expression (for the claim query) and a function
 * (for tests and logs).
 *
 * @module
 */

/** How records are split into partitions. */
export type PartitionBy = "modulo" | "hash";

/**
 * The SQL expression of the partition of `column`, with `param` the
 * placeholder of the partition count. Only ever given a quoted identifier
 * and a placeholder: no value is spliced in.
 *
 * @param by The rule.
 * @param column The quoted id column (for example `s."app_id"`).
 * @param param The placeholder of the partition count (for example `$2`).
 * @returns The expression.
 *
 * @example
 * ```ts
 * import { partitionSql } from "./rule.ts";
 * import assert from "node:assert/strict";
 * assert.equal(partitionSql("modulo", '"app_id"', "$1"), '("app_id" % $1)');
 * ```
 */
export function partitionSql(by: PartitionBy, column: string, param: string): string {
  return by === "modulo"
    ? `(${column} % ${param})`
    : `((((${column} % 2147483648) * 2654435761) % 4294967296) / 65536 % ${param})`;
}

/**
 * The partition of an id, as the SQL expression computes it.
 *
 * @param by The rule.
 * @param id The record's id (a non-negative integer).
 * @param partitions The partition count.
 * @returns The partition, from 0 to `partitions - 1`.
 *
 * @example Clustered ids spread over every partition with `hash`
 * ```ts
 * import { partitionOf } from "./rule.ts";
 * import assert from "node:assert/strict";
 * const ids = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33];
 * assert.deepEqual(new Set(ids.map((id) => partitionOf("modulo", id, 3))), new Set([0]));
 * assert.equal(new Set(ids.map((id) => partitionOf("hash", id, 3))).size, 3);
 * ```
 */
export function partitionOf(by: PartitionBy, id: number, partitions: number): number {
  if (by === "modulo") return id % partitions;
  const h = ((BigInt(id) % 2147483648n) * 2654435761n) % 4294967296n / 65536n;
  return Number(h % BigInt(partitions));
}

/**
 * The rule as a person reads it, for the first log line.
 *
 * @param by The rule.
 * @param partitions The partition count.
 * @param mine The partitions this instance takes.
 * @returns For example `app_id % 3 == 0`.
 *
 * @example
 * ```ts
 * import { describeRule } from "./rule.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeRule("modulo", 3, [0]), "app_id % 3 == 0");
 * assert.equal(describeRule("hash", 8, [1, 5]), "hash(app_id) % 8 in (1, 5)");
 * ```
 */
export function describeRule(by: PartitionBy, partitions: number, mine: readonly number[]): string {
  const lhs = by === "modulo" ? `app_id % ${partitions}` : `hash(app_id) % ${partitions}`;
  return mine.length === 1 ? `${lhs} == ${mine[0]}` : `${lhs} in (${mine.join(", ")})`;
}

/**
 * The first log line's rule for an instance in a mode.
 *
 * @param mode The mode.
 * @param by The rule.
 * @param partitions The partition count.
 * @param instanceId The instance (its partition in static mode).
 * @param ttlMs The lease ttl (lease mode).
 * @returns The rule as a person reads it.
 *
 * @example
 * ```ts
 * import { modeRule } from "./rule.ts";
 * import assert from "node:assert/strict";
 * assert.equal(modeRule("static", "modulo", 3, 0, 10_000), "app_id % 3 == 0");
 * assert.equal(modeRule("lease", "hash", 12, 1, 5_000), "hash(app_id) % 12 in (leased partitions), ttl 5000 ms");
 * ```
 */
export function modeRule(
  mode: "none" | "static" | "lease",
  by: PartitionBy,
  partitions: number,
  instanceId: number,
  ttlMs: number,
): string {
  if (mode === "none") return "no partitioning: every instance takes any unprocessed record";
  if (mode === "static") return describeRule(by, partitions, [instanceId]);
  const lhs = by === "modulo" ? `app_id % ${partitions}` : `hash(app_id) % ${partitions}`;
  return `${lhs} in (leased partitions), ttl ${ttlMs} ms`;
}
