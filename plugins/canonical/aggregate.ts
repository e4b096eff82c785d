/**
 * `canonical.aggregate`: the result aggregator, for processors that do not
 * report by themselves (`ingest_chunk --no-aggregate`). In one transaction
 * it records a chunk's end and, when every chunk of the job has ended,
 * decides the job and creates one transform per fully succeeded table.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { openRuntime, runtimeNeeds } from "./runtime.ts";

const table = z.object({ tenant: z.string(), service: z.string(), table: z.string() });

const input = z.object({
  job: z.string().min(1).describe("the job's id"),
  chunk: z.number().int().min(0).describe("the chunk that ended"),
  ok: z.boolean().describe("whether it wrote every record"),
  records: z.number().int().min(0).default(0).describe("records it wrote"),
  files: z.array(z.string()).default([]).describe("batch files it wrote, in order"),
  error: z.string().optional().describe("why it failed"),
});

const output = z.object({
  job: z.string(),
  ended: z.number().int(),
  total: z.number().int(),
  decided: z.boolean(),
  status: z.enum(["running", "completed", "partial_success", "failed"]),
  transforms_created: z.array(table.extend({ files: z.number().int() })),
  failed_tables: z.array(table),
});

/**
 * Creates the `canonical.aggregate` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { aggregateTask } from "./aggregate.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(aggregateTask(defaults).id, "canonical.aggregate");
 * ```
 */
export function aggregateTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "canonical.aggregate",
    summary: "Records a chunk's end; when all have ended, decides the job and creates transforms",
    input,
    output,
    permissions: (_i, config) => runtimeNeeds(config, options),
    async run(ctx, i) {
      await using rt = await openRuntime(ctx, options);
      const r = await rt.state.aggregate(i.job, i.chunk, {
        ok: i.ok,
        records: i.records,
        files: i.files,
        ...(i.error ? { error: i.error } : {}),
      });
      return {
        job: r.job,
        ended: r.ended,
        total: r.total,
        decided: r.decided,
        status: r.status,
        transforms_created: r.created.map((t) => ({
          tenant: t.tenant,
          service: t.service,
          table: t.table,
          files: t.files.length,
        })),
        failed_tables: r.failedTables,
      };
    },
  });
}
