/**
 * `graph.upload_dual`: one JSON file into both graphs: the jsongraph
 * (pending), the hybridgraph, then synced. When the hybridgraph cannot be
 * written the document stays pending with the error, and the run is a
 * partial success (exit 3); the next sync completes it.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { graphFlags } from "./flags.ts";
import { graphNeeds, openGraphs } from "./graphs.ts";
import { docIdOf } from "./inputs.ts";
import type { Options } from "./options.ts";
import { outcomeFields, report, uploadFiles } from "./runs.ts";

const input = z.object({
  file: z.string().min(1).describe("the JSON document"),
  doc_id: z.string().min(1).optional().describe("its id (default: the file name without .json)"),
  force: z.boolean().default(false).describe("write it even when unchanged since its last sync"),
  ...graphFlags,
});

const output = z.object({ doc_id: z.string(), ...outcomeFields });

/**
 * Creates the `graph.upload_dual` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadDualTask } from "./upload_dual.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(uploadDualTask(defaults).id, "graph.upload_dual");
 * ```
 */
export function uploadDualTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.upload_dual",
    summary: "Writes one JSON document to the jsongraph and the hybridgraph, then marks it synced",
    input,
    output,
    permissions: (i, config) => mergeNeeds({ read: [i.file] }, graphNeeds(i, config, options)),
    async run(ctx, i) {
      const path = resolve(i.file);
      const docId = i.doc_id ?? docIdOf(path, path);
      await using graphs = await openGraphs(ctx, i, options);
      const outcome = await uploadFiles(ctx, graphs, [{ path, docId }], i.batch_size, i.force);
      return { doc_id: docId, ...report(ctx, outcome) };
    },
  });
}
