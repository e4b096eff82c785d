/**
 * `graph.migrate_to_hybrid`: the full migration of an existing jsongraph
 * into the hybridgraph, page by page in document-id order. After each page
 * a checkpoint (in the state database) records the last document id done;
 * a killed run is resumed from it by the next (`--restart` starts over).
 * Merges are idempotent, so a page cut short by a kill is simply merged
 * again. Documents already synced are passed over.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import { addOutcome, batchesOf, emptyOutcome, syncBatch } from "./dual.ts";
import { committed } from "./faults.ts";
import { graphFlags } from "./flags.ts";
import { graphNeeds, openGraphs, openState } from "./graphs.ts";
import type { Options } from "./options.ts";
import { outcomeFields, report } from "./runs.ts";

const SCOPE = "graph.migrate_to_hybrid";

/** The migration's checkpoint. */
interface Cursor {
  /** The last document id of the last completed page. */
  after: string;
  /** Whether the migration reached the end. */
  done: boolean;
  /** Documents looked at so far. */
  seen: number;
}

const input = z.object({
  page_size: z.number().int().min(1).max(100_000).default(500).describe("documents read per page"),
  restart: z.boolean().default(false).describe("start over instead of resuming"),
  ...graphFlags,
});

const output = z.object({
  documents: z.number().int().describe("documents in the jsongraph"),
  resumed_after: z.string().nullable().describe("the document id a killed run had reached"),
  documents_seen: z.number().int(),
  ...outcomeFields,
});

/**
 * Creates the `graph.migrate_to_hybrid` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { migrateToHybridTask } from "./migrate_to_hybrid.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(migrateToHybridTask(defaults).id, "graph.migrate_to_hybrid");
 * ```
 */
export function migrateToHybridTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.migrate_to_hybrid",
    summary: "Migrates a whole jsongraph into the hybridgraph, resumable after a kill",
    input,
    output,
    permissions: (i, config) => graphNeeds(i, config, options),
    async run(ctx, i) {
      await using graphs = await openGraphs(ctx, i, options);
      const { checkpoints } = await openState(ctx, options, SCOPE);
      const saved = checkpoints.get<Cursor>(graphs.identity);
      const resume = !i.restart && saved !== undefined && !saved.done;
      let cursor: Cursor = resume ? saved : { after: "", done: false, seen: 0 };
      if (resume) ctx.log.info("resuming the migration", { after: cursor.after });
      const { documents } = await graphs.json.counts();
      const progress = ctx.progress("graph migrate", documents);
      progress.set(cursor.seen);
      const total = emptyOutcome();
      while (!ctx.signal.aborted) {
        const page = await graphs.json.page(i.page_size, cursor.after);
        if (page.length === 0) {
          cursor = { ...cursor, done: true };
          break;
        }
        const todo = page.filter((d) => d.status !== "synced");
        total.unchanged += page.length - todo.length;
        for (const batch of batchesOf(todo, (d) => d.nodeCount, i.batch_size)) {
          if (ctx.signal.aborted) break;
          addOutcome(total, await syncBatch(graphs, batch));
        }
        if (ctx.signal.aborted) break; // the page is merged again (idempotently) on resume
        cursor = {
          after: page[page.length - 1].docId,
          done: false,
          seen: cursor.seen + page.length,
        };
        checkpoints.set(graphs.identity, cursor);
        committed();
        progress.set(cursor.seen);
      }
      checkpoints.set(graphs.identity, cursor);
      progress.done();
      return {
        documents,
        resumed_after: resume ? saved.after : null,
        documents_seen: cursor.seen,
        ...report(ctx, total),
      };
    },
  });
}
