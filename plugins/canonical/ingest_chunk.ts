/**
 * `canonical.ingest_chunk`: the chunk processor. Reads its slice of one
 * table from the job's source, writes batch files, commits each, resumes
 * after the last committed batch, and (unless `--no-aggregate`) reports its
 * end to the aggregator. It never triggers a transform.
 *
 * @module
 */
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { processChunk } from "./process_chunk.ts";
import { openRuntime, runtimeNeeds } from "./runtime.ts";
import { openSource, sourceNeeds } from "./sources/open.ts";

const input = z.object({
  job: z.string().min(1).describe("the job's id"),
  chunk: z.number().int().min(0).describe("the chunk's number"),
  source: z.string().min(1).describe("the job's source (as planned), for the permission check"),
  aggregate: z.boolean().default(true).describe("report the chunk's end to the aggregator"),
});

const output = z.object({
  completed: z.boolean(),
  records_processed: z.number().int(),
  processing_time: z.number(),
  final_page: z.number().int(),
  final_offset: z.number().int(),
  s3_files_written: z.array(z.string()),
  s3_files_count: z.number().int(),
  table_metadata: z.object({
    tenant: z.string(),
    service: z.string(),
    table: z.string(),
    chunk: z.number().int(),
    start_offset: z.number().int(),
    end_offset: z.number().int(),
    batches_resumed: z.number().int(),
    batches_adopted: z.number().int(),
  }),
});

/**
 * Creates the `canonical.ingest_chunk` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { ingestChunkTask } from "./ingest_chunk.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ingestChunkTask(defaults).id, "canonical.ingest_chunk");
 * ```
 */
export function ingestChunkTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "canonical.ingest_chunk",
    summary: "Writes one chunk's records as batch files, resumable; never transforms",
    input,
    output,
    permissions: (i, config) => mergeNeeds(runtimeNeeds(config, options), sourceNeeds(i.source)),
    async run(ctx, i) {
      await using rt = await openRuntime(ctx, options);
      const job = await rt.state.job(i.job);
      if (!job) throw new Error(`Cannot process chunk ${i.chunk} as job "${i.job}" does not exist`);
      if (job.source !== i.source) {
        throw new Error(
          `Cannot process chunk ${i.chunk} as job "${i.job}" reads "${job.source}": current value is "${i.source}"`,
        );
      }
      const source = await openSource(job.source);
      try {
        const { result, outcome } = await processChunk(
          {
            state: rt.state,
            store: rt.store,
            source,
            signal: ctx.signal,
            maxAttempts: options.maxAttempts,
            baseDelayMs: options.baseDelayMs,
            log: (m, f) => ctx.log.info(m, f),
          },
          job,
          i.chunk,
        );
        if (outcome && !outcome.ok) ctx.failures.add(`chunk ${i.chunk}`, outcome.error ?? "failed");
        if (outcome && i.aggregate) {
          const decision = await rt.state.aggregate(i.job, i.chunk, outcome);
          ctx.log.info("chunk aggregated", {
            ended: decision.ended,
            total: decision.total,
            decided: decision.decided,
            status: decision.status,
            transforms_created: decision.created.length,
          });
        }
        return result;
      } finally {
        await source.close();
      }
    },
  });
}
