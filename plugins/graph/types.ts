/**
 * The graph plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { uploadDualTask } from "./upload_dual.ts";
import type { batchUploadDualTask } from "./batch_upload_dual.ts";
import type { deleteDualTask } from "./delete_dual.ts";
import type { syncToHybridTask } from "./sync_to_hybrid.ts";
import type { periodicSyncTask } from "./periodic_sync.ts";
import type { migrateToHybridTask } from "./migrate_to_hybrid.ts";
import type { setupAutoSyncTask } from "./setup_auto_sync.ts";
import type { statusTask } from "./status.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "graph.upload_dual": ReturnType<typeof uploadDualTask>;
    "graph.batch_upload_dual": ReturnType<typeof batchUploadDualTask>;
    "graph.delete_dual": ReturnType<typeof deleteDualTask>;
    "graph.sync_to_hybrid": ReturnType<typeof syncToHybridTask>;
    "graph.periodic_sync": ReturnType<typeof periodicSyncTask>;
    "graph.migrate_to_hybrid": ReturnType<typeof migrateToHybridTask>;
    "graph.setup_auto_sync": ReturnType<typeof setupAutoSyncTask>;
    "graph.status": ReturnType<typeof statusTask>;
  }
}
