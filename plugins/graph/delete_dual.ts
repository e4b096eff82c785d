/**
 * `graph.delete_dual`: removes documents from both graphs: their jsongraph
 * nodes at once (the document stays, marked deleted and pending, until the
 * hybridgraph has dropped it), then their Sources, moving ref_counts down
 * and removing content nothing references any more, in one transaction.
 * When the hybridgraph is unreachable the next sync completes the removal
 * (exit 3 meanwhile).
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import { removeBatch } from "./dual.ts";
import { graphFlags } from "./flags.ts";
import { graphNeeds, openGraphs } from "./graphs.ts";
import type { Options } from "./options.ts";
import { outcomeFields, report } from "./runs.ts";

const input = z.object({
  doc_id: z.array(z.string().min(1)).min(1).describe("the documents to remove; repeat the flag"),
  ...graphFlags,
});

const output = z.object({
  documents_removed: z.number().int().describe("documents that existed in the jsongraph"),
  documents_synced: outcomeFields.documents_synced,
  content_removed: outcomeFields.content_removed,
  errors: outcomeFields.errors,
});

/**
 * Creates the `graph.delete_dual` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deleteDualTask } from "./delete_dual.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(deleteDualTask(defaults).id, "graph.delete_dual");
 * ```
 */
export function deleteDualTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.delete_dual",
    summary: "Removes documents from both graphs; content nothing references any more goes",
    input,
    output,
    permissions: (i, config) => graphNeeds(i, config, options),
    async run(ctx, i) {
      await using graphs = await openGraphs(ctx, i, options);
      const r = report(ctx, await removeBatch(graphs, [...new Set(i.doc_id)]));
      return {
        documents_removed: r.documents_written,
        documents_synced: r.documents_synced,
        content_removed: r.content_removed,
        errors: r.errors,
      };
    },
  });
}
