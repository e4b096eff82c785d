/**
 * `partition.process`: one instance converts the XML records of its
 * partition into the contract's target tables. Several instances (processes,
 * or machines on PostgreSQL) run at once; `--mode` says how they share the
 * records: `none` (any unprocessed record: duplicate attempts, counted),
 * `static` (`partition == instance-id`), `lease` (partitions leased with a
 * ttl, shared among live instances, taken over when one dies).
 *
 * @module
 */
import { hostname } from "node:os";
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import { backendFields, backendNeeds, openFromInput } from "./common.ts";
import { type Coordinator, fixedCoordinator, LeaseCoordinator } from "./coordinator.ts";
import type { Options } from "./options.ts";
import { modeRule } from "./rule.ts";
import { InstanceSession } from "./session.ts";
import { processLoop } from "./worker.ts";

const input = z.object({
  ...backendFields,
  // Range checks below, so that every message names the allowed range.
  instanceId: z.number().default(0).describe("this instance: an integer, 0 <= id < instance-count"),
  instanceCount: z.number().default(1).describe(
    "how many instances run: an integer from 1 to 1024",
  ),
  mode: z.enum(["none", "static", "lease"]).default("static").describe(
    "none: no partitioning; static: app_id partition == instance-id; lease: leased partitions",
  ),
  partitionBy: z.enum(["modulo", "hash"]).default("modulo").describe(
    "modulo: app_id % n; hash: spreads clustered ids evenly",
  ),
  partitions: z.number().int().min(1).max(4096).optional().describe(
    "lease mode: how many partitions (at least instance-count; default 4 x instance-count)",
  ),
  workers: z.number().int().min(1).max(64).default(4).describe("records converted at once"),
  batchSize: z.number().int().min(1).max(10_000).default(100).describe("records claimed per query"),
  limit: z.number().int().min(1).optional().describe("stop after logging this many records"),
  retryFailed: z.boolean().default(false).describe(
    "retry records logged as failed by earlier runs",
  ),
  leaseTtlMs: z.number().int().min(300).max(600_000).default(10_000).describe(
    "lease mode: lease and heartbeat ttl, in milliseconds",
  ),
  pollMs: z.number().int().min(10).max(60_000).default(250).describe(
    "lease mode: wait between checks while other instances hold the open partitions",
  ),
  delayMs: z.number().int().min(0).max(60_000).default(0).describe(
    "simulated per-record I/O wait, in milliseconds (benchmarks)",
  ),
}).superRefine((i, ctx) => {
  const countOk = Number.isInteger(i.instanceCount) && i.instanceCount >= 1 &&
    i.instanceCount <= 1024;
  if (!countOk) {
    ctx.addIssue({
      code: "custom",
      path: ["instanceCount"],
      message: `must be an integer from 1 to 1024: current value is ${i.instanceCount}`,
    });
  }
  const range = countOk
    ? `from 0 to ${i.instanceCount - 1} (instance-count is ${i.instanceCount})`
    : "from 0 to instance-count - 1";
  if (
    !Number.isInteger(i.instanceId) || i.instanceId < 0 ||
    (countOk && i.instanceId >= i.instanceCount)
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["instanceId"],
      message: `must be an integer ${range}: current value is ${i.instanceId}`,
    });
  }
  if (i.partitions !== undefined && i.mode === "lease" && i.partitions < i.instanceCount) {
    ctx.addIssue({
      code: "custom",
      path: ["partitions"],
      message: `must be at least instance-count (${i.instanceCount}) in lease mode`,
    });
  }
});

const output = z.object({
  backend: z.enum(["sqlite", "postgres"]),
  location: z.string(),
  session_id: z.string(),
  instance_id: z.number().int(),
  instance_count: z.number().int(),
  mode: z.string(),
  rule: z.string(),
  processed: z.number().int(),
  failed: z.number().int(),
  duplicates: z.number().int(),
  skipped: z.number().int(),
  fenced: z.number().int(),
  duration_ms: z.number(),
  records_per_s: z.number(),
});

/**
 * Creates the `partition.process` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { processTask } from "./process.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(processTask(defaults).id, "partition.process");
 * ```
 */
export function processTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "partition.process",
    summary: "Converts the XML records of this instance's partition into the contract's tables",
    input,
    output,
    permissions: (i, config) => backendNeeds(i, config, options),
    async run(ctx, i) {
      const started = performance.now();
      const partitions = i.mode === "lease" ? i.partitions ?? 4 * i.instanceCount : i.instanceCount;
      const rule = modeRule(i.mode, i.partitionBy, partitions, i.instanceId, i.leaseTtlMs);
      ctx.log.info(`partition rule: ${rule}`, { instance_id: i.instanceId, mode: i.mode });
      await using backend = await openFromInput(i, ctx.config, options);
      const { store } = backend;
      const sessionId = ctx.runId;
      const owner = `${hostname()}:${Deno.pid}:${i.instanceId}`;
      const { instanceId, instanceCount, mode, partitionBy: by, leaseTtlMs: ttlMs } = i;
      const session = await InstanceSession.start(
        store,
        { sessionId, owner, instanceId, instanceCount, mode, by, partitions },
        ttlMs,
        ctx.log,
      );
      const coordinator: Coordinator = mode === "lease"
        ? new LeaseCoordinator(store, await backend.leases(), {
          by,
          partitions,
          sessionId,
          owner,
          ttlMs,
          pollMs: i.pollMs,
          signal: ctx.signal,
        }, ctx.log)
        : fixedCoordinator(mode === "none" ? null : [instanceId]);
      const progress = ctx.progress(`partition ${instanceId}/${instanceCount}`);
      let ended: "finished" | "interrupted" | "failed" = "failed";
      try {
        const settings = { ...i, sessionId, partitions, by, signal: ctx.signal };
        const r = await processLoop(store, coordinator, settings, (c) => {
          session.counts = c;
          progress.set(c.processed + c.failed);
        });
        session.counts = r;
        ended = ctx.signal.aborted ? "interrupted" : "finished";
        for (const f of r.failures) ctx.failures.add(String(f.appId), f.reason);
        for (const k of ["processed", "failed", "duplicates", "skipped", "fenced"] as const) {
          ctx.counters.add(k, r[k]);
        }
        const seconds = (performance.now() - started) / 1000;
        ctx.log.info("instance finished", {
          processed: r.processed,
          failed: r.failed,
          duplicates: r.duplicates,
        });
        return {
          backend: backend.kind,
          location: backend.location,
          session_id: sessionId,
          instance_id: instanceId,
          instance_count: instanceCount,
          mode,
          rule,
          processed: r.processed,
          failed: r.failed,
          duplicates: r.duplicates,
          skipped: r.skipped,
          fenced: r.fenced,
          duration_ms: Math.round(seconds * 1000),
          records_per_s: Math.round((r.processed + r.failed) / seconds * 10) / 10,
        };
      } finally {
        progress.done();
        await coordinator.close();
        await session.end(ended);
      }
    },
  });
}
