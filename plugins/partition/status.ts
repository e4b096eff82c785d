/**
 * `partition.status`: where a partitioned run stands, per instance
 * (session: processed, failed, duplicate attempts, rate, live heartbeat)
 * and per partition (processed, failed, remaining, lease holder).
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import { backendFields, backendNeeds, openFromInput } from "./common.ts";
import { layoutOf } from "./layout.ts";
import type { Options } from "./options.ts";
import { partitionCounts, sessionReports } from "./report.ts";

const input = z.object({
  ...backendFields,
  partitionBy: z.enum(["modulo", "hash"]).optional().describe(
    "the rule partitions are reported by (default: the latest session's)",
  ),
  partitions: z.number().int().min(1).max(4096).optional().describe(
    "partition count (default: the latest session's)",
  ),
  leaseTtlMs: z.number().int().min(300).max(600_000).default(10_000).describe(
    "a heartbeat older than this is not live",
  ),
  sessions: z.number().int().min(1).max(1000).default(20).describe("sessions listed, newest first"),
});

const output = z.object({
  backend: z.string(),
  location: z.string(),
  partition_by: z.string(),
  partitions: z.number().int(),
  instances: z.array(z.object({
    session_id: z.string(),
    owner: z.string(),
    instance_id: z.number().int(),
    mode: z.string(),
    status: z.string(),
    live: z.boolean(),
    processed: z.number().int(),
    failed: z.number().int(),
    duplicates: z.number().int(),
    records_per_s: z.number(),
  })),
  per_partition: z.array(z.object({
    partition: z.number().int(),
    processed: z.number().int(),
    failed: z.number().int(),
    remaining: z.number().int(),
    lease_holder: z.string().nullable(),
  })),
  remaining: z.number().int(),
});

/**
 * Creates the `partition.status` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { statusTask } from "./status.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(statusTask(defaults).id, "partition.status");
 * ```
 */
export function statusTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "partition.status",
    summary: "Per instance and partition: processed, failed, remaining, rate, lease holder",
    input,
    output,
    permissions: (i, config) => backendNeeds(i, config, options),
    async run(ctx, i) {
      await using backend = await openFromInput(i, ctx.config, options);
      const { store } = backend;
      const sessions = await sessionReports(store, i.leaseTtlMs);
      const layout = layoutOf(i, sessions);
      const parts = await partitionCounts(store, layout.by, layout.partitions);
      const leased = sessions.some((s) => s.mode === "lease");
      const leases = leased ? await backend.leases() : undefined;
      const perPartition = [];
      for (const p of parts) {
        const holder = leases
          ? (await leases.current(`partition-${p.partition}`))?.owner
          : undefined;
        const { total: _total, ...counts } = p;
        perPartition.push({ ...counts, lease_holder: holder ?? null });
      }
      return {
        backend: backend.kind,
        location: backend.location,
        partition_by: layout.by,
        partitions: layout.partitions,
        instances: sessions.slice(0, i.sessions).map((s) => ({
          session_id: s.session_id,
          owner: s.owner,
          instance_id: s.instance_id,
          mode: s.mode,
          status: s.status,
          live: s.live,
          processed: s.processed,
          failed: s.failed,
          duplicates: s.duplicates,
          records_per_s: s.records_per_s,
        })),
        per_partition: perPartition,
        remaining: parts.reduce((sum, p) => sum + p.remaining, 0),
      };
    },
  });
}
