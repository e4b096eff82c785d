/**
 * The partition plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { fleetTask } from "./fleet.ts";
import type { processTask } from "./process.ts";
import type { seedTask } from "./seed.ts";
import type { statusTask } from "./status.ts";
import type { verifyTask } from "./verify.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "partition.seed": ReturnType<typeof seedTask>;
    "partition.process": ReturnType<typeof processTask>;
    "partition.verify": ReturnType<typeof verifyTask>;
    "partition.status": ReturnType<typeof statusTask>;
    "partition.fleet": ReturnType<typeof fleetTask>;
  }
}
