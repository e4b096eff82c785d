/**
 * The graph plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { countTask } from "./count.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "graph.count": ReturnType<typeof countTask>;
  }
}
