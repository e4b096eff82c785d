/**
 * The loops the tasks share: upload files batch by batch, sync unsynced
 * documents batch by batch; each stops between batches when the task is
 * asked to (SIGINT/SIGTERM), so the batch in flight always completes.
 *
 * @module
 */
import { z } from "zod";
import type { TaskContext } from "../../kernel/context.ts";
import { messageOf } from "../../lib/errors.ts";
import {
  addOutcome,
  batchesOf,
  emptyOutcome,
  type Outcome,
  prepare,
  type Prepared,
  syncBatch,
  uploadBatch,
} from "./dual.ts";
import type { Graphs } from "./graphs.ts";
import { type InputFile, readDocument } from "./inputs.ts";

/** Files read at once. */
const READ_AHEAD = 16;

/** The output fields of a task that writes the graphs. */
export const outcomeFields = {
  documents_written: z.number().int().describe("documents written to the jsongraph"),
  documents_unchanged: z.number().int().describe("documents unchanged since their last sync"),
  documents_synced: z.number().int().describe("documents now in the hybridgraph"),
  content_created: z.number().int().describe("content nodes created in the hybridgraph"),
  content_reused: z.number().int().describe("references to content that already existed"),
  content_removed: z.number().int().describe("content nodes removed at zero references"),
  errors: z.array(z.object({ doc_id: z.string(), error: z.string() })),
};

/**
 * An outcome as the output fields, each error also a failed item of the run.
 *
 * @param ctx The task's context (its failures).
 * @param outcome The outcome.
 * @returns The output fields.
 */
export function report(
  ctx: TaskContext,
  outcome: Outcome,
): z.output<z.ZodObject<typeof outcomeFields>> {
  for (const e of outcome.errors) ctx.failures.add(e.doc_id, e.error);
  return {
    documents_written: outcome.written,
    documents_unchanged: outcome.unchanged,
    documents_synced: outcome.synced,
    content_created: outcome.created,
    content_reused: outcome.reused,
    content_removed: outcome.removed,
    errors: outcome.errors,
  };
}

/**
 * Uploads files to both graphs in batches of about `batchSize` nodes.
 *
 * @param ctx The task's context.
 * @param graphs The graphs.
 * @param files The documents.
 * @param batchSize Nodes per batch.
 * @param force Write unchanged documents too.
 * @returns The total outcome.
 */
export async function uploadFiles(
  ctx: TaskContext,
  graphs: Graphs,
  files: readonly InputFile[],
  batchSize: number,
  force: boolean,
): Promise<Outcome> {
  const total = emptyOutcome();
  const progress = ctx.progress("graph upload", files.length);
  let batch: Prepared[] = [];
  let load = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    addOutcome(total, await uploadBatch(graphs, batch, force));
    progress.tick(batch.length);
    batch = [];
    load = 0;
  };
  for (let i = 0; i < files.length && !ctx.signal.aborted; i += READ_AHEAD) {
    const chunk = files.slice(i, i + READ_AHEAD);
    const read = await Promise.allSettled(chunk.map((f) => readDocument(f.path)));
    for (const [k, result] of read.entries()) {
      const { docId } = chunk[k];
      try {
        if (result.status === "rejected") throw result.reason;
        const doc = prepare(docId, result.value);
        batch.push(doc);
        load += doc.nodes.length;
      } catch (err) {
        total.errors.push({ doc_id: docId, error: messageOf(err) });
        progress.tick();
      }
      if (load >= batchSize) await flush();
    }
  }
  await flush();
  progress.done();
  return total;
}

/**
 * Syncs up to `limit` documents with status null or pending into the
 * hybridgraph, in batches of about `batchSize` nodes.
 *
 * @param ctx The task's context.
 * @param graphs The graphs.
 * @param limit Documents at most.
 * @param batchSize Nodes per batch.
 * @returns The total outcome.
 */
export async function syncUnsynced(
  ctx: TaskContext,
  graphs: Graphs,
  limit: number,
  batchSize: number,
): Promise<Outcome> {
  const total = emptyOutcome();
  const infos = await graphs.json.unsynced(limit);
  const progress = ctx.progress("graph sync", infos.length);
  for (const batch of batchesOf(infos, (d) => d.nodeCount, batchSize)) {
    if (ctx.signal.aborted) break;
    addOutcome(total, await syncBatch(graphs, batch));
    progress.tick(batch.length);
  }
  progress.done();
  return total;
}
