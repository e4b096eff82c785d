/**
 * The work every graph task shares: prepare documents (hash, flatten),
 * write the jsongraph, merge the hybridgraph, mark what got through. A
 * hybridgraph failure never loses a document: it stays pending with the
 * error recorded, and the next sync completes it.
 *
 * @module
 */
import { messageOf } from "../../lib/errors.ts";
import { committed } from "./faults.ts";
import type { Graphs } from "./graphs.ts";
import type { DocumentInfo, HybridDocument, StatusUpdate } from "./port.ts";
import {
  flatten,
  type HashedTree,
  hashTree,
  type Json,
  type JsonNodeRow,
  unflatten,
} from "./tree.ts";

/** A document ready for both graphs. */
export interface Prepared {
  /** The document id. */
  docId: string;
  /** Its hashes. */
  tree: HashedTree;
  /** Its jsongraph nodes. */
  nodes: JsonNodeRow[];
}

/** A document that could not be written or synced, and why. */
export interface DocumentError {
  /** The document id. */
  doc_id: string;
  /** What went wrong. */
  error: string;
}

/** What a batch did. */
export interface Outcome {
  /** Documents written to the jsongraph. */
  written: number;
  /** Documents unchanged since their last sync (not written again). */
  unchanged: number;
  /** Documents now in the hybridgraph (removals included). */
  synced: number;
  /** Content nodes created. */
  created: number;
  /** References to content that already existed. */
  reused: number;
  /** Content nodes removed at zero references. */
  removed: number;
  /** Documents that failed, with why. */
  errors: DocumentError[];
}

/**
 * An empty outcome, to add batches into.
 *
 * @returns All zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyOutcome } from "./dual.ts";
 * assert.equal(emptyOutcome().errors.length, 0);
 * ```
 */
export function emptyOutcome(): Outcome {
  return { written: 0, unchanged: 0, synced: 0, created: 0, reused: 0, removed: 0, errors: [] };
}

/**
 * Adds one outcome into another.
 *
 * @param into The running total (changed).
 * @param add The batch's outcome.
 * @returns `into`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addOutcome, emptyOutcome } from "./dual.ts";
 * assert.equal(addOutcome(emptyOutcome(), { ...emptyOutcome(), synced: 2 }).synced, 2);
 * ```
 */
export function addOutcome(into: Outcome, add: Outcome): Outcome {
  into.written += add.written;
  into.unchanged += add.unchanged;
  into.synced += add.synced;
  into.created += add.created;
  into.reused += add.reused;
  into.removed += add.removed;
  into.errors.push(...add.errors);
  return into;
}

/**
 * Prepares a document for both graphs.
 *
 * @param docId The document id.
 * @param value The parsed JSON.
 * @returns Its hashes and nodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepare } from "./dual.ts";
 * assert.equal(prepare("d", [1, 1]).nodes.length, 3);
 * assert.equal(prepare("d", [1, 1]).tree.contents.size, 2);
 * ```
 */
export function prepare(docId: string, value: Json): Prepared {
  return { docId, tree: hashTree(value), nodes: flatten(value) };
}

/**
 * Groups items into batches of about `size` nodes (one item at least each).
 *
 * @param items The items.
 * @param weight An item's node count.
 * @param size The batch size.
 * @returns The batches, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchesOf } from "./dual.ts";
 * assert.deepEqual(batchesOf([3, 3, 9, 1], (n) => n, 6), [[3, 3], [9], [1]]);
 * ```
 */
export function batchesOf<T>(
  items: readonly T[],
  weight: (item: T) => number,
  size: number,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let load = 0;
  for (const item of items) {
    const w = Math.max(1, weight(item));
    if (current.length > 0 && load + w > size) {
      out.push(current);
      current = [];
      load = 0;
    }
    current.push(item);
    load += w;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function toHybrid(doc: Prepared): HybridDocument {
  return { docId: doc.docId, rootHash: doc.tree.root, contents: doc.tree.contents };
}

/**
 * Merges documents (and removals) into the hybridgraph and marks them
 * synced; on failure marks them pending with the error. Never throws for a
 * hybridgraph failure: the documents are listed in `errors` instead.
 */
async function mergeAndMark(
  graphs: Graphs,
  upserts: HybridDocument[],
  removals: string[],
  outcome: Outcome,
): Promise<Outcome> {
  const ids = [...upserts.map((d) => d.docId), ...removals];
  if (ids.length === 0) return outcome;
  let merged;
  try {
    const hybrid = await graphs.hybrid();
    merged = await hybrid.apply({ upserts, removals, syncedAt: new Date() });
    committed();
  } catch (err) {
    const error = `hybridgraph write failed: ${messageOf(err)}`;
    await graphs.json.setStatus(ids.map((docId) => ({ docId, status: "pending", error })));
    committed();
    outcome.errors.push(...ids.map((doc_id) => ({ doc_id, error })));
    return outcome;
  }
  await graphs.json.setStatus(ids.map((docId) => ({ docId, status: "synced", error: null })));
  committed();
  outcome.synced += ids.length;
  outcome.created += merged.created;
  outcome.reused += merged.reused;
  outcome.removed += merged.removed;
  return outcome;
}

/**
 * Uploads a batch to both graphs: the jsongraph (pending), then the
 * hybridgraph, then marks them synced. A document whose root hash is
 * unchanged and already synced is skipped unless `force`.
 *
 * @param graphs The graphs.
 * @param docs The prepared documents (one per id).
 * @param force Write even unchanged documents.
 * @returns What the batch did.
 */
export async function uploadBatch(
  graphs: Graphs,
  docs: Prepared[],
  force = false,
): Promise<Outcome> {
  const outcome = emptyOutcome();
  const known = await graphs.json.documents(docs.map((d) => d.docId));
  const changed = docs.filter((d) => {
    const info = known.get(d.docId);
    return force || info?.status !== "synced" || info.rootHash !== d.tree.root;
  });
  outcome.unchanged = docs.length - changed.length;
  if (changed.length === 0) return outcome;
  await graphs.json.write(
    changed.map((d) => ({ docId: d.docId, rootHash: d.tree.root, nodes: d.nodes })),
    "pending",
  );
  committed();
  outcome.written = changed.length;
  return await mergeAndMark(graphs, changed.map(toHybrid), [], outcome);
}

/**
 * Removes documents: their jsongraph nodes now (marked deleted, pending),
 * their Sources and references from the hybridgraph in the same step when
 * it is reachable, else at the next sync.
 *
 * @param graphs The graphs.
 * @param docIds The documents.
 * @returns What it did (`written` counts the documents that existed).
 */
export async function removeBatch(graphs: Graphs, docIds: string[]): Promise<Outcome> {
  const outcome = emptyOutcome();
  outcome.written = await graphs.json.remove(docIds);
  committed();
  const existing = [...(await graphs.json.documents(docIds)).values()].filter((d) => d.deleted);
  return await mergeAndMark(graphs, [], existing.map((d) => d.docId), outcome);
}

/**
 * Syncs documents already in the jsongraph into the hybridgraph: rebuilds
 * each from its nodes, hashes it, merges it (or removes a deleted one) and
 * marks it synced. A document whose nodes do not form a tree is marked
 * failed with the reason.
 *
 * @param graphs The graphs.
 * @param infos The documents, as `unsynced()` or `page()` listed them.
 * @returns What the batch did.
 */
export async function syncBatch(graphs: Graphs, infos: DocumentInfo[]): Promise<Outcome> {
  const outcome = emptyOutcome();
  const live = infos.filter((d) => !d.deleted);
  const nodes = await graphs.json.nodes(live.map((d) => d.docId));
  const upserts: HybridDocument[] = [];
  const failed: StatusUpdate[] = [];
  for (const info of live) {
    try {
      upserts.push(toHybrid(prepare(info.docId, unflatten(nodes.get(info.docId) ?? []))));
    } catch (err) {
      failed.push({ docId: info.docId, status: "failed", error: messageOf(err) });
    }
  }
  if (failed.length > 0) {
    await graphs.json.setStatus(failed);
    committed();
    outcome.errors.push(...failed.map((f) => ({ doc_id: f.docId, error: f.error! })));
  }
  const removals = infos.filter((d) => d.deleted).map((d) => d.docId);
  return await mergeAndMark(graphs, upserts, removals, outcome);
}
