/**
 * The hybridgraph on Neo4j: a `HybridContent` node per distinct value or
 * subtree (hash, kind, value, ref_count) with `CHILD {pos, key}` edges, and
 * a `HybridSource` per document (doc_id, root_hash, last_synced, refs: the
 * hashes it references) with a `ROOT` edge. One change is one transaction
 * of `UNWIND` batches; see `planRefs` for how references move.
 *
 * @module
 */
import { label, type Neo4jConnection } from "./neo4j_connection.ts";
import { unwind } from "./neo4j_json.ts";
import {
  type HybridChange,
  type HybridGraphStore,
  type MergeResult,
  planRefs,
  type SourceInfo,
} from "./port.ts";
import { type ContentNode, type Kind, rebuild } from "./tree.ts";

/** The hybridgraph's Cypher, for one namespace. */
function queries(ns: string) {
  const C = label(ns, "HybridContent");
  const S = label(ns, "HybridSource");
  return {
    schema: [
      `CREATE CONSTRAINT ${ns}weir_hybrid_content IF NOT EXISTS FOR (c:${C}) REQUIRE c.hash IS UNIQUE`,
      `CREATE CONSTRAINT ${ns}weir_hybrid_source IF NOT EXISTS FOR (s:${S}) REQUIRE s.doc_id IS UNIQUE`,
      `CREATE INDEX ${ns}weir_hybrid_source_synced IF NOT EXISTS FOR (s:${S}) ON (s.last_synced)`,
    ],
    oldRefs: `UNWIND $rows AS id MATCH (s:${S} {doc_id: id}) RETURN id, s.refs AS refs`,
    existing: `UNWIND $rows AS h MATCH (c:${C} {hash: h}) RETURN h`,
    createContent: `UNWIND $rows AS r MERGE (c:${C} {hash: r.hash})
      ON CREATE SET c.kind = r.kind, c.value = r.value, c.ref_count = 0`,
    createEdges: `UNWIND $rows AS r MATCH (p:${C} {hash: r.p}) MATCH (c:${C} {hash: r.c})
      CREATE (p)-[:CHILD {pos: toInteger(r.pos), key: r.key}]->(c)`,
    bump: `UNWIND $rows AS r MATCH (c:${C} {hash: r.hash})
      SET c.ref_count = c.ref_count + toInteger(r.delta)
      WITH c WHERE c.ref_count <= 0 DETACH DELETE c RETURN count(*) AS removed`,
    upsertSources: `UNWIND $rows AS r MERGE (s:${S} {doc_id: r.doc_id})
      SET s.root_hash = r.root_hash, s.last_synced = r.at, s.refs = r.refs
      WITH s, r OPTIONAL MATCH (s)-[old:ROOT]->() DELETE old
      WITH DISTINCT s, r MATCH (c:${C} {hash: r.root_hash}) CREATE (s)-[:ROOT]->(c)`,
    dropSources: `UNWIND $rows AS id MATCH (s:${S} {doc_id: id}) DETACH DELETE s`,
    sources: `MATCH (s:${S}) RETURN s.doc_id AS doc_id, s.root_hash AS root_hash,
      s.last_synced AS last_synced ORDER BY s.last_synced DESC, s.doc_id LIMIT toInteger($limit)`,
    refCounts: `MATCH (c:${C}) RETURN c.hash AS hash, c.ref_count AS n`,
    totals: `CALL { MATCH (c:${C}) RETURN count(c) AS contents }
      CALL { MATCH (:${C})-[e:CHILD]->() RETURN count(e) AS edges }
      CALL { MATCH (s:${S}) RETURN count(s) AS sources }
      RETURN contents, edges, sources`,
    source: `MATCH (s:${S} {doc_id: $id}) RETURN s.root_hash AS root`,
    contents: `UNWIND $hashes AS h MATCH (c:${C} {hash: h}) OPTIONAL MATCH (c)-[e:CHILD]->(k)
      RETURN c.hash AS hash, c.kind AS kind, c.value AS value,
             collect(CASE WHEN e IS NULL THEN null ELSE {pos: e.pos, key: e.key, hash: k.hash} END) AS children`,
  };
}

/**
 * The hybridgraph on Neo4j. It owns its connection: `close()` releases it.
 *
 * @example
 * ```ts ignore
 * const conn = await Neo4jConnection.open({ uri: "bolt://127.0.0.1:7688", namespace: "" });
 * await using graph = await Neo4jHybridGraph.open(conn, 5_000);
 * ```
 */
export class Neo4jHybridGraph implements HybridGraphStore {
  readonly identity: string;
  readonly #conn: Neo4jConnection;
  readonly #batch: number;
  readonly #q: ReturnType<typeof queries>;

  private constructor(conn: Neo4jConnection, batchSize: number) {
    this.#conn = conn;
    this.#batch = batchSize;
    this.#q = queries(conn.target.namespace);
    this.identity = conn.identity;
  }

  /**
   * Makes the adapter, creating its constraints and indexes (idempotent).
   *
   * @param conn The connection (owned from now on).
   * @param batchSize Rows per UNWIND statement.
   * @returns The adapter.
   */
  static async open(conn: Neo4jConnection, batchSize: number): Promise<Neo4jHybridGraph> {
    const graph = new Neo4jHybridGraph(conn, batchSize);
    try {
      await conn.ensureSchema(graph.#q.schema);
    } catch (err) {
      await conn.close();
      throw err;
    }
    return graph;
  }

  async apply(change: HybridChange): Promise<MergeResult> {
    const q = this.#q;
    const size = this.#batch;
    const at = change.syncedAt.toISOString();
    return await this.#conn.write(async (tx) => {
      const ids = [...change.upserts.map((d) => d.docId), ...change.removals];
      const old = new Map<string, string[]>();
      for (const r of await unwind(tx, q.oldRefs, ids, size)) {
        old.set(String(r.id), (r.refs ?? []) as string[]);
      }
      const plan = planRefs(change, old);
      const rising = [...plan.delta].filter(([, n]) => n > 0).map(([h]) => h);
      const existing = new Set(
        (await unwind(tx, q.existing, rising, size)).map((r) => String(r.h)),
      );
      const contents = new Map<string, ContentNode>();
      for (const doc of change.upserts) for (const [h, c] of doc.contents) contents.set(h, c);
      const fresh = rising.filter((h) => !existing.has(h)).map((h) => contents.get(h)!);
      await unwind(
        tx,
        q.createContent,
        fresh.map((c) => ({ hash: c.hash, kind: c.kind, value: c.value })),
        size,
      );
      const edges = fresh.flatMap((c) =>
        c.children.map((e) => ({ p: c.hash, c: e.hash, pos: e.pos, key: e.key }))
      );
      await unwind(tx, q.createEdges, edges, size);
      const deltas = [...plan.delta].map(([hash, delta]) => ({ hash, delta }));
      const removed = (await unwind(tx, q.bump, deltas, size))
        .reduce((sum, r) => sum + Number(r.removed), 0);
      const sources = change.upserts.map((d) => ({
        doc_id: d.docId,
        root_hash: d.rootHash,
        at,
        refs: plan.refs.get(d.docId)!,
      }));
      await unwind(tx, q.upsertSources, sources, Math.max(1, Math.floor(size / 10)));
      const dropped = change.removals.filter((id) => !plan.refs.has(id));
      await unwind(tx, q.dropSources, dropped, size);
      return { created: fresh.length, reused: plan.added - fresh.length, removed };
    });
  }

  async sources(limit: number): Promise<SourceInfo[]> {
    return (await this.#conn.read(this.#q.sources, { limit })).map((r) => ({
      docId: String(r.doc_id),
      rootHash: String(r.root_hash),
      lastSynced: String(r.last_synced),
    }));
  }

  async refCounts(): Promise<Map<string, number>> {
    const rows = await this.#conn.read(this.#q.refCounts);
    return new Map(rows.map((r) => [String(r.hash), Number(r.n)]));
  }

  async totals(): Promise<{ contents: number; edges: number; sources: number }> {
    const [r] = await this.#conn.read(this.#q.totals);
    return { contents: Number(r.contents), edges: Number(r.edges), sources: Number(r.sources) };
  }

  async read(docId: string): Promise<unknown> {
    const [source] = await this.#conn.read(this.#q.source, { id: docId });
    if (source === undefined) return undefined;
    const known = new Map<string, ContentNode>();
    let wanted = [String(source.root)];
    while (wanted.length > 0) {
      const rows = await this.#conn.read(this.#q.contents, { hashes: wanted });
      wanted = [];
      for (const r of rows) {
        const children = (r.children as { pos: number; key: string | null; hash: string }[])
          .filter((c) => c !== null);
        known.set(String(r.hash), {
          hash: String(r.hash),
          kind: r.kind as Kind,
          value: (r.value ?? null) as string | null,
          children,
        });
        for (const c of children) if (!known.has(c.hash)) wanted.push(c.hash);
      }
      wanted = [...new Set(wanted)];
    }
    return rebuild(String(source.root), (h) => known.get(h));
  }

  async close(): Promise<void> {
    await this.#conn.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
