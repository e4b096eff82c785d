/**
 * The partition layout a report uses: the flags given, else the latest
 * session's (its rule and partition count), else one modulo partition.
 *
 * @module
 */
import type { PartitionBy } from "./rule.ts";
import type { SessionReport } from "./report.ts";

/**
 * Picks the layout.
 *
 * @param given The flags, if any.
 * @param sessions The sessions, newest first.
 * @returns The rule and the partition count.
 *
 * @example
 * ```ts
 * import { layoutOf } from "./layout.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(layoutOf({}, []), { by: "modulo", partitions: 1 });
 * assert.deepEqual(layoutOf({ partitions: 6 }, []), { by: "modulo", partitions: 6 });
 * ```
 */
export function layoutOf(
  given: { partitionBy?: PartitionBy; partitions?: number },
  sessions: readonly Pick<SessionReport, "partition_by" | "partitions">[],
): { by: PartitionBy; partitions: number } {
  const latest = sessions[0];
  return {
    by: given.partitionBy ?? (latest?.partition_by as PartitionBy | undefined) ?? "modulo",
    partitions: given.partitions ?? latest?.partitions ?? 1,
  };
}
