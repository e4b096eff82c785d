/**
 * The jsongraph on SQLite (the embedded default): `json_documents` and
 * `json_nodes` (schema.ts), each write one `BEGIN IMMEDIATE` transaction.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { transaction } from "../../lib/sqlite/open.ts";
import type {
  DocumentInfo,
  JsonCounts,
  JsonDocumentInput,
  JsonGraphStore,
  StatusUpdate,
  SyncStatus,
} from "./port.ts";
import { tally } from "./port.ts";
import type { JsonNodeRow, Kind } from "./tree.ts";

type Row = Record<string, unknown>;

const DOC_COLUMNS = "doc_id, sync_status, root_hash, node_count, deleted, error";

function toInfo(row: Row): DocumentInfo {
  return {
    docId: String(row.doc_id),
    status: (row.sync_status ?? null) as SyncStatus,
    rootHash: row.root_hash === null ? null : String(row.root_hash),
    nodeCount: Number(row.node_count),
    deleted: Number(row.deleted) === 1,
    error: row.error === null ? null : String(row.error),
  };
}

/**
 * The embedded jsongraph over an open, migrated database (`JSON_MIGRATIONS`).
 * It does not close the database: its owner does (the task context).
 *
 * @example Write a document and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlite, migrate } from "../../lib/sqlite/mod.ts";
 * import { JSON_MIGRATIONS } from "./schema.ts";
 * import { SqliteJsonGraph } from "./sqlite_json.ts";
 * import { flatten, hashTree } from "./tree.ts";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", JSON_MIGRATIONS);
 * const graph = new SqliteJsonGraph(db, ":memory:");
 * const doc = { a: [1, 2] };
 * await graph.write([{ docId: "d1", rootHash: hashTree(doc).root, nodes: flatten(doc) }], "pending");
 * assert.equal((await graph.unsynced(10))[0].nodeCount, 4);
 * db.close();
 * ```
 */
export class SqliteJsonGraph implements JsonGraphStore {
  readonly identity: string;
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;

  /**
   * @param db The migrated database.
   * @param identity Its path, for logs and lease names.
   */
  constructor(db: DatabaseSync, identity: string) {
    this.#db = db;
    this.identity = `sqlite:${identity}`;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      deleteNodes: p("DELETE FROM json_nodes WHERE doc_id = ?"),
      upsertDoc: p(
        `INSERT INTO json_documents (doc_id, sync_status, root_hash, node_count, deleted, error, updated_at)
         VALUES (?, ?, ?, ?, ?, NULL, ?)
         ON CONFLICT (doc_id) DO UPDATE SET sync_status = excluded.sync_status,
           root_hash = excluded.root_hash, node_count = excluded.node_count,
           deleted = excluded.deleted, error = NULL, updated_at = excluded.updated_at`,
      ),
      insertNode: p(
        "INSERT INTO json_nodes (doc_id, idx, parent, key, pos, kind, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      markDeleted: p(
        `UPDATE json_documents SET sync_status = 'pending', node_count = 0, deleted = 1,
           root_hash = NULL, error = NULL, updated_at = ? WHERE doc_id = ?`,
      ),
      doc: p(`SELECT ${DOC_COLUMNS} FROM json_documents WHERE doc_id = ?`),
      unsynced: p(
        `SELECT ${DOC_COLUMNS} FROM json_documents
         WHERE (sync_status IS NULL OR sync_status = 'pending') AND doc_id > ?
         ORDER BY doc_id LIMIT ?`,
      ),
      page: p(
        `SELECT ${DOC_COLUMNS} FROM json_documents WHERE doc_id > ? ORDER BY doc_id LIMIT ?`,
      ),
      nodes: p("SELECT idx, parent, key, pos, kind, value FROM json_nodes WHERE doc_id = ?"),
      setStatus: p(
        "UPDATE json_documents SET sync_status = ?, error = ?, updated_at = ? WHERE doc_id = ?",
      ),
      dropDeleted: p("DELETE FROM json_documents WHERE doc_id = ? AND deleted = 1"),
      byStatus: p(
        `SELECT coalesce(sync_status, 'null') AS s, count(*) AS n, sum(node_count) AS nodes
         FROM json_documents GROUP BY s`,
      ),
    };
  }

  write(docs: readonly JsonDocumentInput[], status: "pending" | null): Promise<void> {
    const s = this.#s;
    const now = new Date().toISOString();
    transaction(this.#db, () => {
      for (const doc of docs) {
        s.deleteNodes.run(doc.docId);
        s.upsertDoc.run(doc.docId, status, doc.rootHash, doc.nodes.length, 0, now);
        for (const n of doc.nodes) {
          s.insertNode.run(doc.docId, n.idx, n.parent, n.key, n.pos, n.kind, n.value);
        }
      }
    });
    return Promise.resolve();
  }

  remove(docIds: readonly string[]): Promise<number> {
    const now = new Date().toISOString();
    const removed = transaction(this.#db, () => {
      let n = 0;
      for (const id of docIds) {
        this.#s.deleteNodes.run(id);
        n += Number(this.#s.markDeleted.run(now, id).changes);
      }
      return n;
    });
    return Promise.resolve(removed);
  }

  documents(docIds: readonly string[]): Promise<Map<string, DocumentInfo>> {
    const out = new Map<string, DocumentInfo>();
    for (const id of docIds) {
      const row = this.#s.doc.get(id);
      if (row) out.set(id, toInfo(row));
    }
    return Promise.resolve(out);
  }

  unsynced(limit: number, after = ""): Promise<DocumentInfo[]> {
    return Promise.resolve(this.#s.unsynced.all(after, limit).map(toInfo));
  }

  page(limit: number, after = ""): Promise<DocumentInfo[]> {
    return Promise.resolve(this.#s.page.all(after, limit).map(toInfo));
  }

  nodes(docIds: readonly string[]): Promise<Map<string, JsonNodeRow[]>> {
    const out = new Map<string, JsonNodeRow[]>();
    for (const id of docIds) {
      out.set(
        id,
        this.#s.nodes.all(id).map((r) => ({
          idx: Number(r.idx),
          parent: r.parent === null ? null : Number(r.parent),
          key: r.key === null ? null : String(r.key),
          pos: r.pos === null ? null : Number(r.pos),
          kind: String(r.kind) as Kind,
          value: r.value === null ? null : String(r.value),
        })),
      );
    }
    return Promise.resolve(out);
  }

  setStatus(updates: readonly StatusUpdate[]): Promise<void> {
    const now = new Date().toISOString();
    transaction(this.#db, () => {
      for (const u of updates) {
        if (u.status === "synced" && Number(this.#s.dropDeleted.run(u.docId).changes) > 0) continue;
        this.#s.setStatus.run(u.status, u.error, now, u.docId);
      }
    });
    return Promise.resolve();
  }

  counts(): Promise<JsonCounts> {
    return Promise.resolve(tally(this.#s.byStatus.all()));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
