/**
 * `canonical.retry_chunks`: reruns a job's failed chunks (each resumes after
 * its last committed batch), so that the aggregator decides the job again
 * and creates the transforms of the tables that now fully succeeded; then
 * runs them.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { runChunks, runPendingTransforms } from "./orchestrate.ts";
import { openRuntime, runtimeNeeds } from "./runtime.ts";
import { sourceNeeds } from "./sources/open.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { jobSummary, summarize } from "./summary.ts";

const input = z.object({
  job: z.string().min(1).describe("the job whose failed chunks rerun"),
  source: z.string().min(1).describe("the job's source (as planned), for the permission check"),
  concurrency: z.number().int().min(1).max(64).optional().describe(
    "chunk processors at once (default 4)",
  ),
  mapping: z.string().optional().describe("per-table mapping config (JSON file)"),
  memory_records: z.number().int().min(1).optional().describe(
    "keys a transform keeps in memory before spilling (default 100000)",
  ),
});

/**
 * Creates the `canonical.retry_chunks` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { retryChunksTask } from "./retry_chunks.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(retryChunksTask(defaults).id, "canonical.retry_chunks");
 * ```
 */
export function retryChunksTask(options: Options): Task<typeof input, typeof jobSummary> {
  return defineTask({
    id: "canonical.retry_chunks",
    summary: "Reruns a job's failed chunks, then the transforms of the tables they complete",
    input,
    output: jobSummary,
    permissions: (i, config) =>
      mergeNeeds(runtimeNeeds(config, options, i.mapping), sourceNeeds(i.source)),
    async run(ctx, i) {
      await using rt = await openRuntime(ctx, options, i.mapping);
      const job = await rt.state.job(i.job);
      if (!job) throw new Error(`Cannot retry the chunks of job "${i.job}" as it does not exist`);
      if (job.source !== i.source) {
        throw new Error(
          `Cannot retry the chunks of job "${i.job}" as it reads "${job.source}": current value is "${i.source}"`,
        );
      }
      const failed = await rt.state.reopenFailed(i.job);
      ctx.log.info("retrying chunks", { job: i.job, chunks: failed });
      const settings = {
        windowHours: options.windowHours,
        memoryRecords: i.memory_records ?? options.memoryRecords,
      };
      await runChunks(ctx, rt, options, (await rt.state.job(i.job))!, failed, {
        concurrency: i.concurrency ?? options.concurrency,
        perBatch: false,
        ...settings,
      });
      if (!ctx.signal.aborted) await runPendingTransforms(ctx, rt, i.job, settings);
      return await summarize(ctx, rt.state, i.job, "coordinated");
    },
  });
}
