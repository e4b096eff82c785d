/**
 * Splits a job into chunks: each table of the source is cut into slices of
 * at most `chunkSize` records.
 *
 * @module
 */
import type { ChunkSpec, JobSpec } from "./model.ts";
import type { Source } from "./sources/port.ts";

/**
 * Plans a job over every table of a source.
 *
 * @param source The source.
 * @param job The job's id.
 * @param spec The source spec (stored with the job), records per batch and per chunk.
 * @returns The job's spec.
 *
 * @example
 * ```ts
 * import { planJob } from "./plan.ts";
 * import { JsonlSource } from "./sources/jsonl.ts";
 * import assert from "node:assert/strict";
 * const dir = "fixtures/canonical/sample/source";
 * const job = await planJob(new JsonlSource(dir), "j1", { source: `jsonl:${dir}`, batchSize: 50, chunkSize: 100 });
 * assert.ok(job.chunks.length >= 4);
 * assert.ok(job.chunks.every((c) => c.end - c.start <= 100));
 * ```
 */
export async function planJob(
  source: Source,
  job: string,
  spec: { source: string; batchSize: number; chunkSize: number },
): Promise<JobSpec> {
  const chunks: ChunkSpec[] = [];
  for (const t of await source.tables()) {
    for (let start = 0; start < t.count; start += spec.chunkSize) {
      chunks.push({
        chunk: chunks.length,
        tenant: t.tenant,
        service: t.service,
        table: t.table,
        start,
        end: Math.min(t.count, start + spec.chunkSize),
      });
    }
  }
  return { job, source: spec.source, batchSize: spec.batchSize, chunks };
}
