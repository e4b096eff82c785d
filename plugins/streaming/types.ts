/**
 * The streaming plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { checkTask } from "./check.ts";
import type { statusTask } from "./status.ts";
import type { syncTask } from "./sync.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "streaming.sync": ReturnType<typeof syncTask>;
    "streaming.status": ReturnType<typeof statusTask>;
    "streaming.check": ReturnType<typeof checkTask>;
  }
}
