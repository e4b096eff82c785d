/**
 * The graph ports: the jsongraph (documents as flat node sets, with a sync
 * status each) and the hybridgraph (content-addressed, deduplicated,
 * reference-counted). Each has an embedded SQLite adapter and a Neo4j
 * adapter; one contract suite checks both (tests/plugins/graph/contract_test.ts).
 *
 * @module
 */
import type { ContentNode, JsonNodeRow } from "./tree.ts";

/** A document's sync status: `null` for legacy data never synced. */
export type SyncStatus = "pending" | "synced" | "failed" | null;

/** A document to write into the jsongraph. */
export interface JsonDocumentInput {
  /** The document id. */
  docId: string;
  /** The root's content hash. */
  rootHash: string;
  /** Its nodes, one per value. */
  nodes: JsonNodeRow[];
}

/** A document's row in the jsongraph. */
export interface DocumentInfo {
  /** The document id. */
  docId: string;
  /** Its sync status. */
  status: SyncStatus;
  /** The root's content hash, when known. */
  rootHash: string | null;
  /** How many nodes it has (0 once deleted). */
  nodeCount: number;
  /** Deleted from the jsongraph, its removal not yet synced. */
  deleted: boolean;
  /** The last sync error, if any. */
  error: string | null;
}

/** A status change for one document. */
export interface StatusUpdate {
  /** The document id. */
  docId: string;
  /** The new status; `synced` on a deleted document removes its row. */
  status: Exclude<SyncStatus, null>;
  /** The error to record; `null` clears it. */
  error: string | null;
}

/** What {@linkcode JsonGraphStore.counts} returns. */
export interface JsonCounts {
  /** Documents by status; `"null"` for legacy ones. */
  byStatus: Record<string, number>;
  /** Documents in all. */
  documents: number;
  /** Nodes in all. */
  nodes: number;
  /** Nodes of synced documents. */
  syncedNodes: number;
}

/** The jsongraph port. */
export interface JsonGraphStore extends AsyncDisposable {
  /** Where it lives, for logs and lease names. */
  readonly identity: string;
  /**
   * Replaces the documents' nodes and sets their status, in one transaction.
   *
   * @param docs The documents.
   * @param status `pending` for uploads; `null` writes legacy (never synced) data.
   */
  write(docs: readonly JsonDocumentInput[], status: "pending" | null): Promise<void>;
  /**
   * Removes the documents' nodes and marks them deleted and pending, so the
   * next sync removes them from the hybridgraph; returns how many existed.
   */
  remove(docIds: readonly string[]): Promise<number>;
  /** The rows of the given documents that exist. */
  documents(docIds: readonly string[]): Promise<Map<string, DocumentInfo>>;
  /** Up to `limit` documents with status null or pending, by doc id after `after`. */
  unsynced(limit: number, after?: string): Promise<DocumentInfo[]>;
  /** Up to `limit` documents of any status, by doc id after `after`. */
  page(limit: number, after?: string): Promise<DocumentInfo[]>;
  /** The nodes of each given document. */
  nodes(docIds: readonly string[]): Promise<Map<string, JsonNodeRow[]>>;
  /** Sets statuses in one transaction. */
  setStatus(updates: readonly StatusUpdate[]): Promise<void>;
  /** Document counts by status (`"null"` for legacy), node counts in all and of synced documents. */
  counts(): Promise<JsonCounts>;
  /** Closes what the adapter opened. */
  close(): Promise<void>;
}

/** A document to merge into the hybridgraph. */
export interface HybridDocument {
  /** The document id (its Source). */
  docId: string;
  /** The root's content hash. */
  rootHash: string;
  /** Every distinct value and subtree of the document. */
  contents: ReadonlyMap<string, ContentNode>;
}

/** What one hybridgraph transaction changes. */
export interface HybridChange {
  /** Documents to add or replace. */
  upserts: readonly HybridDocument[];
  /** Documents whose Source goes. */
  removals: readonly string[];
  /** The sync time recorded as the Sources' `last_synced`. */
  syncedAt: Date;
}

/** What a hybridgraph transaction did. */
export interface MergeResult {
  /** Content nodes created. */
  created: number;
  /** References to content that existed already (or was created earlier in the batch). */
  reused: number;
  /** Content nodes removed as nothing referenced them any more. */
  removed: number;
}

/** A Source as `sources()` lists it. */
export interface SourceInfo {
  /** The document id. */
  docId: string;
  /** Its root hash. */
  rootHash: string;
  /** When it was last synced (ISO 8601). */
  lastSynced: string;
}

/** The hybridgraph port. */
export interface HybridGraphStore extends AsyncDisposable {
  /** Where it lives. */
  readonly identity: string;
  /**
   * Merges documents and removals in one transaction: each Source's set of
   * referenced content becomes the document's distinct subtrees, ref counts
   * move by the difference, and content left at zero is removed. Merging a
   * document again unchanged changes nothing but `last_synced`.
   */
  apply(change: HybridChange): Promise<MergeResult>;
  /** Up to `limit` Sources, most recently synced first. */
  sources(limit: number): Promise<SourceInfo[]>;
  /** Every content node's ref_count, by hash. */
  refCounts(): Promise<Map<string, number>>;
  /** Totals: content nodes, child edges, Sources. */
  totals(): Promise<{ contents: number; edges: number; sources: number }>;
  /** A Source's document rebuilt from content, or `undefined`. */
  read(docId: string): Promise<unknown>;
  /** Closes what the adapter opened. */
  close(): Promise<void>;
}

/** How reference counts move for one {@linkcode HybridChange}. */
export interface RefPlan {
  /** Net change of each hash's ref_count (zero entries left out). */
  delta: Map<string, number>;
  /** Each upserted document's new reference set. */
  refs: Map<string, string[]>;
  /** References added, summed over documents. */
  added: number;
}

/**
 * Plans a change from the Sources' current reference sets: a document
 * references each distinct subtree once, so ref_count(h) is the number of
 * Sources whose document contains h.
 *
 * @param change The upserts and removals.
 * @param old Each Source's current references (absent: no Source yet).
 * @returns The deltas and the new sets.
 *
 * @example Replacing a document moves its references
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRefs } from "./port.ts";
 * const doc = { docId: "d", rootHash: "b", contents: new Map([["b", {} as never]]) };
 * const plan = planRefs({ upserts: [doc], removals: [], syncedAt: new Date() }, new Map([["d", ["a"]]]));
 * assert.deepEqual([...plan.delta], [["b", 1], ["a", -1]]);
 * ```
 */
export function planRefs(
  change: HybridChange,
  old: ReadonlyMap<string, readonly string[]>,
): RefPlan {
  const delta = new Map<string, number>();
  const bump = (hash: string, by: number) => delta.set(hash, (delta.get(hash) ?? 0) + by);
  const refs = new Map<string, string[]>();
  let added = 0;
  for (const doc of change.upserts) {
    const before = new Set(old.get(doc.docId) ?? []);
    const after = [...doc.contents.keys()];
    for (const hash of after) {
      if (before.delete(hash)) continue;
      bump(hash, 1);
      added++;
    }
    for (const hash of before) bump(hash, -1);
    refs.set(doc.docId, after);
  }
  for (const docId of change.removals) {
    if (refs.has(docId)) continue;
    for (const hash of old.get(docId) ?? []) bump(hash, -1);
  }
  for (const [hash, n] of delta) if (n === 0) delta.delete(hash);
  return { delta, refs, added };
}

/**
 * Counts from rows of `(s: status or "null", n: documents, nodes: node sum)`.
 *
 * @param rows One row per status.
 * @returns The counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tally } from "./port.ts";
 * const c = tally([{ s: "synced", n: 2, nodes: 10 }, { s: "pending", n: 1, nodes: 3 }]);
 * assert.deepEqual(c, { byStatus: { synced: 2, pending: 1 }, documents: 3, nodes: 13, syncedNodes: 10 });
 * ```
 */
export function tally(rows: readonly Record<string, unknown>[]): JsonCounts {
  const counts: JsonCounts = { byStatus: {}, documents: 0, nodes: 0, syncedNodes: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    const nodes = Number(r.nodes ?? 0);
    counts.byStatus[String(r.s)] = n;
    counts.documents += n;
    counts.nodes += nodes;
    if (r.s === "synced") counts.syncedNodes += nodes;
  }
  return counts;
}
