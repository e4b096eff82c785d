/**
 * The example plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { snapshotTask } from "./snapshot.ts";
import type { verifyTask } from "./verify.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "example.snapshot": ReturnType<typeof snapshotTask>;
    "example.verify": ReturnType<typeof verifyTask>;
  }
}
