/**
 * The canonical plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { aggregateTask } from "./aggregate.ts";
import type { ingestChunkTask } from "./ingest_chunk.ts";
import type { retryChunksTask } from "./retry_chunks.ts";
import type { runJobTask } from "./run_job.ts";
import type { transformTask } from "./transform.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "canonical.ingest_chunk": ReturnType<typeof ingestChunkTask>;
    "canonical.aggregate": ReturnType<typeof aggregateTask>;
    "canonical.retry_chunks": ReturnType<typeof retryChunksTask>;
    "canonical.transform": ReturnType<typeof transformTask>;
    "canonical.run_job": ReturnType<typeof runJobTask>;
  }
}
