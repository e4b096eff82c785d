/**
 * `graph.batch_upload_dual`: many JSON files (files, directories, globs)
 * into both graphs, in batches of about `--batch-size` nodes. Documents
 * the hybridgraph did not take stay pending with the error (exit 3).
 *
 * @module
 */
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { refineGlob } from "../../lib/glob.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { graphFlags } from "./flags.ts";
import { graphNeeds, openGraphs } from "./graphs.ts";
import { inputRoot, listInputs } from "./inputs.ts";
import type { Options } from "./options.ts";
import { outcomeFields, report, uploadFiles } from "./runs.ts";

const input = z.object({
  input: z.array(z.string().min(1).superRefine(refineGlob)).min(1).default([
    "fixtures/graph/sample",
  ])
    .describe("JSON files, directories (every *.json under them) or globs; repeat the flag"),
  force: z.boolean().default(false).describe(
    "write documents even when unchanged since their last sync",
  ),
  ...graphFlags,
});

const output = z.object({ documents: z.number().int(), ...outcomeFields });

/**
 * Creates the `graph.batch_upload_dual` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchUploadDualTask } from "./batch_upload_dual.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(batchUploadDualTask(defaults).id, "graph.batch_upload_dual");
 * ```
 */
export function batchUploadDualTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.batch_upload_dual",
    summary: "Writes JSON files (files, directories or globs) to both graphs in batches",
    input,
    output,
    permissions: (i, config) =>
      mergeNeeds({ read: i.input.map(inputRoot) }, graphNeeds(i, config, options)),
    async run(ctx, i) {
      const files = await listInputs(i.input);
      ctx.log.info("documents listed", { documents: files.length });
      await using graphs = await openGraphs(ctx, i, options);
      const outcome = await uploadFiles(ctx, graphs, files, i.batch_size, i.force);
      return { documents: files.length, ...report(ctx, outcome) };
    },
  });
}
