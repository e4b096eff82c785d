/**
 * The hybridgraph on SQLite (the embedded default): content by hash with
 * its ref_count, child edges, Sources and their references (schema.ts).
 * Each change is one `BEGIN IMMEDIATE` transaction.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { transaction } from "../../lib/sqlite/open.ts";
import {
  type HybridChange,
  type HybridGraphStore,
  type MergeResult,
  planRefs,
  type SourceInfo,
} from "./port.ts";
import { type ContentNode, type Kind, rebuild } from "./tree.ts";

/**
 * The embedded hybridgraph over an open, migrated database
 * (`HYBRID_MIGRATIONS`). It does not close the database.
 *
 * @example Two documents share a subtree, stored once with ref_count 2
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlite, migrate } from "../../lib/sqlite/mod.ts";
 * import { HYBRID_MIGRATIONS } from "./schema.ts";
 * import { SqliteHybridGraph } from "./sqlite_hybrid.ts";
 * import { hashTree } from "./tree.ts";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", HYBRID_MIGRATIONS);
 * const graph = new SqliteHybridGraph(db, ":memory:");
 * const doc = (docId: string, v: unknown) => {
 *   const t = hashTree(v as never);
 *   return { docId, rootHash: t.root, contents: t.contents };
 * };
 * const r = await graph.apply({
 *   upserts: [doc("a", { s: [1] }), doc("b", { t: [1] })], removals: [], syncedAt: new Date(),
 * });
 * assert.deepEqual(r, { created: 4, reused: 2, removed: 0 });
 * assert.deepEqual(await graph.read("b"), { t: [1] });
 * db.close();
 * ```
 */
export class SqliteHybridGraph implements HybridGraphStore {
  readonly identity: string;
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;

  /**
   * @param db The migrated database.
   * @param identity Its path, for logs.
   */
  constructor(db: DatabaseSync, identity: string) {
    this.#db = db;
    this.identity = `sqlite:${identity}`;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      refs: p("SELECT hash FROM hybrid_refs WHERE doc_id = ?"),
      createContent: p(
        "INSERT OR IGNORE INTO hybrid_content (hash, kind, value, ref_count) VALUES (?, ?, ?, ?)",
      ),
      createEdge: p(
        "INSERT OR IGNORE INTO hybrid_edges (parent, pos, key, child) VALUES (?, ?, ?, ?)",
      ),
      bump: p(
        "UPDATE hybrid_content SET ref_count = ref_count + ? WHERE hash = ? RETURNING ref_count",
      ),
      dropContent: p("DELETE FROM hybrid_content WHERE hash = ?"),
      dropEdges: p("DELETE FROM hybrid_edges WHERE parent = ?"),
      addRef: p("INSERT INTO hybrid_refs (doc_id, hash) VALUES (?, ?)"),
      dropRef: p("DELETE FROM hybrid_refs WHERE doc_id = ? AND hash = ?"),
      dropRefs: p("DELETE FROM hybrid_refs WHERE doc_id = ?"),
      upsertSource: p(
        `INSERT INTO hybrid_sources (doc_id, root_hash, last_synced) VALUES (?, ?, ?)
         ON CONFLICT (doc_id) DO UPDATE SET root_hash = excluded.root_hash,
           last_synced = excluded.last_synced`,
      ),
      dropSource: p("DELETE FROM hybrid_sources WHERE doc_id = ?"),
      sources: p(
        "SELECT doc_id, root_hash, last_synced FROM hybrid_sources ORDER BY last_synced DESC, doc_id LIMIT ?",
      ),
      refCounts: p("SELECT hash, ref_count FROM hybrid_content"),
      source: p("SELECT root_hash FROM hybrid_sources WHERE doc_id = ?"),
      content: p("SELECT kind, value FROM hybrid_content WHERE hash = ?"),
      children: p("SELECT pos, key, child FROM hybrid_edges WHERE parent = ?"),
      totals: p(
        `SELECT (SELECT count(*) FROM hybrid_content) AS contents,
                (SELECT count(*) FROM hybrid_edges) AS edges,
                (SELECT count(*) FROM hybrid_sources) AS sources`,
      ),
    };
  }

  apply(change: HybridChange): Promise<MergeResult> {
    const s = this.#s;
    const result = transaction(this.#db, () => {
      const old = new Map<string, string[]>();
      for (const id of [...change.upserts.map((d) => d.docId), ...change.removals]) {
        old.set(id, s.refs.all(id).map((r) => String(r.hash)));
      }
      const plan = planRefs(change, old);
      const contents = new Map<string, ContentNode>();
      for (const doc of change.upserts) for (const [h, c] of doc.contents) contents.set(h, c);
      let created = 0;
      let removed = 0;
      // Children before parents is not needed: edges name hashes, not rows.
      for (const [hash, n] of plan.delta) {
        if (n > 0) {
          // New content is inserted with its count; existing content is bumped.
          const c = contents.get(hash)!;
          if (Number(s.createContent.run(hash, c.kind, c.value, n).changes) > 0) {
            for (const e of c.children) s.createEdge.run(hash, e.pos, e.key, e.hash);
            created++;
            continue;
          }
        }
        const left = Number(s.bump.get(n, hash)?.ref_count ?? 0);
        if (left <= 0) {
          s.dropEdges.run(hash);
          s.dropContent.run(hash);
          removed++;
        }
      }
      const at = change.syncedAt.toISOString();
      for (const doc of change.upserts) {
        const before = new Set(old.get(doc.docId));
        const after = plan.refs.get(doc.docId)!;
        for (const h of after) if (!before.delete(h)) s.addRef.run(doc.docId, h);
        for (const h of before) s.dropRef.run(doc.docId, h);
        s.upsertSource.run(doc.docId, doc.rootHash, at);
      }
      for (const id of change.removals) {
        if (plan.refs.has(id)) continue;
        s.dropRefs.run(id);
        s.dropSource.run(id);
      }
      return { created, reused: plan.added - created, removed };
    });
    return Promise.resolve(result);
  }

  sources(limit: number): Promise<SourceInfo[]> {
    return Promise.resolve(
      this.#s.sources.all(limit).map((r) => ({
        docId: String(r.doc_id),
        rootHash: String(r.root_hash),
        lastSynced: String(r.last_synced),
      })),
    );
  }

  refCounts(): Promise<Map<string, number>> {
    return Promise.resolve(
      new Map(this.#s.refCounts.all().map((r) => [String(r.hash), Number(r.ref_count)])),
    );
  }

  totals(): Promise<{ contents: number; edges: number; sources: number }> {
    const r = this.#s.totals.get()!;
    return Promise.resolve({
      contents: Number(r.contents),
      edges: Number(r.edges),
      sources: Number(r.sources),
    });
  }

  read(docId: string): Promise<unknown> {
    const source = this.#s.source.get(docId);
    if (source === undefined) return Promise.resolve(undefined);
    const get = (hash: string): ContentNode | undefined => {
      const row = this.#s.content.get(hash);
      if (row === undefined) return undefined;
      const children = this.#s.children.all(hash).map((e) => ({
        pos: Number(e.pos),
        key: e.key === null ? null : String(e.key),
        hash: String(e.child),
      }));
      return {
        hash,
        kind: String(row.kind) as Kind,
        value: row.value === null ? null : String(row.value),
        children,
      };
    };
    return Promise.resolve(rebuild(String(source.root_hash), get));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
