/**
 * `canonical.run_job`: one job end to end. Plans it (every table of the
 * source cut into chunks), runs the chunk processors on a bounded pool
 * (each reports to the aggregator as it ends), then runs the transforms the
 * aggregator created, one per fully succeeded table with its exact files.
 * Run again with the same `--job`, it resumes. `--trigger per-batch`
 * reproduces the old design (a time-window transform after every batch)
 * for comparison.
 *
 * @module
 */
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { runChunks, runPendingTransforms } from "./orchestrate.ts";
import { planJob } from "./plan.ts";
import { openRuntime, runtimeNeeds } from "./runtime.ts";
import { openSource, sourceNeeds } from "./sources/open.ts";
import { jobSummary, summarize } from "./summary.ts";

const input = z.object({
  source: z.string().min(1).default("jsonl:fixtures/canonical/sample/source").describe(
    'where records come from: "jsonl:<dir>" or an http(s):// API base URL',
  ),
  job: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/).optional().describe(
    "the job's id (an existing job resumes); default job-<UTC timestamp>",
  ),
  batch_size: z.number().int().min(1).optional().describe("records per batch file (default 500)"),
  chunk_size: z.number().int().min(1).optional().describe("records per chunk (default 2000)"),
  concurrency: z.number().int().min(1).max(64).optional().describe(
    "chunk processors at once (default 4)",
  ),
  trigger: z.enum(["coordinated", "per-batch"]).default("coordinated").describe(
    "coordinated: one transform per table after all chunks; per-batch: the legacy mode",
  ),
  mapping: z.string().optional().describe("per-table mapping config (JSON file)"),
  window_hours: z.number().positive().optional().describe("per-batch mode's window (default 72)"),
  memory_records: z.number().int().min(1).optional().describe(
    "keys a transform keeps in memory before spilling (default 100000)",
  ),
  plan_only: z.boolean().default(false).describe(
    "only create the job and its chunks (for processors started elsewhere)",
  ),
});

/**
 * Creates the `canonical.run_job` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { runJobTask } from "./run_job.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runJobTask(defaults).id, "canonical.run_job");
 * ```
 */
export function runJobTask(options: Options): Task<typeof input, typeof jobSummary> {
  return defineTask({
    id: "canonical.run_job",
    summary: "Runs a job: chunk processors, one aggregation, one transform per table",
    input,
    output: jobSummary,
    permissions: (i, config) =>
      mergeNeeds(runtimeNeeds(config, options, i.mapping), sourceNeeds(i.source)),
    async run(ctx, i) {
      await using rt = await openRuntime(ctx, options, i.mapping);
      const id = i.job ?? `job-${new Date().toISOString().replace(/[-:]|\.\d+Z$/g, "")}`;
      if (!(await rt.state.job(id))) {
        const source = await openSource(i.source);
        const spec = await planJob(source, id, {
          source: i.source,
          batchSize: i.batch_size ?? options.batchSize,
          chunkSize: i.chunk_size ?? options.chunkSize,
        });
        await source.close();
        await rt.state.createJob(spec);
        ctx.log.info("job planned", { job: id, chunks: spec.chunks.length });
      }
      const job = (await rt.state.job(id))!;
      const perBatch = i.trigger === "per-batch";
      if (!i.plan_only) {
        const todo = (await rt.state.chunks(id))
          .filter((c) => c.status === "pending" || c.status === "running")
          .map((c) => c.chunk);
        const settings = {
          windowHours: i.window_hours ?? options.windowHours,
          memoryRecords: i.memory_records ?? options.memoryRecords,
        };
        await runChunks(ctx, rt, options, job, todo, {
          concurrency: i.concurrency ?? options.concurrency,
          perBatch,
          ...settings,
        });
        if (!perBatch && !ctx.signal.aborted) await runPendingTransforms(ctx, rt, id, settings);
      }
      return await summarize(ctx, rt.state, id, i.trigger);
    },
  });
}
