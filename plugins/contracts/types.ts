/**
 * The contracts plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { bindTask } from "./bind.ts";
import type { compareTask } from "./compare.ts";
import type { matchTask } from "./match.ts";
import type { planTask } from "./plan.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "contracts.bind": ReturnType<typeof bindTask>;
    "contracts.plan": ReturnType<typeof planTask>;
    "contracts.match": ReturnType<typeof matchTask>;
    "contracts.compare": ReturnType<typeof compareTask>;
  }
}
