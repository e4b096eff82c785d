/**
 * `canonical.transform`: one table's canonical output. With `--source-files`
 * it reads exactly those (file mode); with a table and no list it discovers
 * the table's batch files modified within `--window-hours` (time mode); with
 * neither it runs every pending transform the aggregator created for the
 * job. Files the table's ledger already holds are not processed again; a
 * trigger with nothing new is a recorded no-op.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import { canonicalize } from "./canonicalize.ts";
import { mappingFor } from "./mapping.ts";
import type { Options } from "./options.ts";
import { runPendingTransforms } from "./orchestrate.ts";
import { openRuntime, runtimeNeeds } from "./runtime.ts";
import { toRunOutput, transformRunOutput } from "./transform_output.ts";

const input = z.object({
  job: z.string().min(1).describe("the job whose output is written"),
  tenant: z.string().optional().describe("the table's tenant"),
  service: z.string().optional().describe("the table's service"),
  table: z.string().optional().describe("the table (with tenant and service)"),
  source_files: z.array(z.string()).optional().describe("read exactly these batch files"),
  window_hours: z.number().positive().optional().describe(
    "time mode: files modified within this many hours (default 72)",
  ),
  mapping: z.string().optional().describe("per-table mapping config (JSON file)"),
  memory_records: z.number().int().min(1).optional().describe(
    "keys kept in memory before spilling to SQLite (default 100000)",
  ),
}).refine((i) => (i.tenant && i.service && i.table) || (!i.tenant && !i.service && !i.table), {
  message: "give tenant, service and table together, or none of them",
  path: ["table"],
}).refine((i) => !i.source_files || i.table, {
  message: "source_files needs tenant, service and table",
  path: ["source_files"],
});
const output = z.object({ job: z.string(), runs: z.array(transformRunOutput) });

/**
 * Creates the `canonical.transform` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { transformTask } from "./transform.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(transformTask(defaults).id, "canonical.transform");
 * ```
 */
export function transformTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "canonical.transform",
    summary: "Writes a table's deduplicated canonical output from its exact files or a time window",
    input,
    output,
    permissions: (i, config) => runtimeNeeds(config, options, i.mapping),
    async run(ctx, i) {
      await using rt = await openRuntime(ctx, options, i.mapping);
      const settings = {
        windowHours: i.window_hours ?? options.windowHours,
        memoryRecords: i.memory_records ?? options.memoryRecords,
      };
      if (!i.table) {
        const runs = await runPendingTransforms(ctx, rt, i.job, settings);
        return { job: i.job, runs: runs.map(toRunOutput) };
      }
      const t = { tenant: i.tenant!, service: i.service!, table: i.table };
      const run = await canonicalize({
        state: rt.state,
        store: rt.store,
        spillDir: rt.spillDir,
        signal: ctx.signal,
        log: (m, f) => ctx.log.info(m, f),
      }, {
        ...t,
        job: i.job,
        ...(i.source_files ? { files: i.source_files } : {}),
        ...settings,
        trigger: "manual",
        mapping: mappingFor(rt.mapping, t),
      });
      return { job: i.job, runs: [toRunOutput(run)] };
    },
  });
}
