/**
 * The partition plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { processTask } from "./process.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "partition.process": ReturnType<typeof processTask>;
  }
}
