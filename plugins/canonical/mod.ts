/**
 * The canonical plugin: chunked ingestion into object storage, then exactly
 * one canonical transform per table with its exact file list. Chunk
 * processors only write batch files and report them; the aggregator decides
 * the job in one transaction once every chunk has ended and creates one
 * transform per fully succeeded table; the transform deduplicates by key
 * (newest wins, deletes honoured) and writes the canonical output
 * atomically. Job state is SQLite by default, PostgreSQL with `DATABASE_URL`.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the canonical plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import { canonicalPlugin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = canonicalPlugin({ batchSize: 100 });
 * assert.deepEqual(plugin.tasks.map((t) => t.id), [
 *   "canonical.run_job",
 *   "canonical.ingest_chunk",
 *   "canonical.aggregate",
 *   "canonical.retry_chunks",
 *   "canonical.transform",
 * ]);
 * ```
 */
export function canonicalPlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "canonical",
    version: "0.1.0",
    summary: "Chunked ingestion into object storage, then one canonical transform per table",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "canonical.run_job",
        "Runs a job: chunk processors, one aggregation, one transform per table",
        async () => (await import("./run_job.ts")).runJobTask(opts),
      ),
      lazyTask(
        "canonical.ingest_chunk",
        "Writes one chunk's records as batch files, resumable; never transforms",
        async () => (await import("./ingest_chunk.ts")).ingestChunkTask(opts),
      ),
      lazyTask(
        "canonical.aggregate",
        "Records a chunk's end; when all have ended, decides the job and creates transforms",
        async () => (await import("./aggregate.ts")).aggregateTask(opts),
      ),
      lazyTask(
        "canonical.retry_chunks",
        "Reruns a job's failed chunks, then the transforms of the tables they complete",
        async () => (await import("./retry_chunks.ts")).retryChunksTask(opts),
      ),
      lazyTask(
        "canonical.transform",
        "Writes a table's deduplicated canonical output from its exact files or a time window",
        async () => (await import("./transform.ts")).transformTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = canonicalPlugin();
