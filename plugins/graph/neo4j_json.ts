/**
 * The jsongraph on Neo4j: a `JsonDocument` node per document (doc_id,
 * sync_status, root_hash, node_count, deleted, error, updated_at) with a
 * `ROOT` edge to its root `JsonNode`; a `JsonNode` per value (uid, doc_id,
 * idx, parent, kind, key, pos, value) with `HAS` edges from parent to child. Writes
 * are `UNWIND` batches of at most `batchSize` rows in one transaction.
 *
 * @module
 */
import type { Transaction } from "neo4j-driver";
import { label, type Neo4jConnection } from "./neo4j_connection.ts";
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

/**
 * Splits rows into chunks of at most `size`.
 *
 * @param rows The rows.
 * @param size The chunk size (from 1).
 * @returns The chunks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chunks } from "./neo4j_json.ts";
 * assert.deepEqual(chunks([1, 2, 3], 2), [[1, 2], [3]]);
 * ```
 */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Runs one UNWIND statement per chunk of rows. */
export async function unwind(
  tx: Transaction,
  cypher: string,
  rows: readonly unknown[],
  size: number,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const chunk of chunks(rows, size)) {
    const result = await tx.run(cypher, { rows: chunk });
    for (const r of result.records) out.push(r.toObject());
  }
  return out;
}

function toInfo(r: Record<string, unknown>): DocumentInfo {
  return {
    docId: String(r.doc_id),
    status: (r.sync_status ?? null) as SyncStatus,
    rootHash: (r.root_hash ?? null) as string | null,
    nodeCount: Number(r.node_count ?? 0),
    deleted: r.deleted === true,
    error: (r.error ?? null) as string | null,
  };
}

/** The jsongraph's Cypher, for one namespace. */
function queries(ns: string) {
  const D = label(ns, "JsonDocument");
  const N = label(ns, "JsonNode");
  const DOC = `d.doc_id AS doc_id, d.sync_status AS sync_status, d.root_hash AS root_hash,
    d.node_count AS node_count, d.deleted AS deleted, d.error AS error`;
  return {
    schema: [
      `CREATE CONSTRAINT ${ns}weir_json_document IF NOT EXISTS FOR (d:${D}) REQUIRE d.doc_id IS UNIQUE`,
      `CREATE CONSTRAINT ${ns}weir_json_node IF NOT EXISTS FOR (n:${N}) REQUIRE n.uid IS UNIQUE`,
      `CREATE INDEX ${ns}weir_json_node_doc IF NOT EXISTS FOR (n:${N}) ON (n.doc_id)`,
      `CREATE INDEX ${ns}weir_json_document_status IF NOT EXISTS FOR (d:${D}) ON (d.sync_status)`,
    ],
    deleteNodes: `UNWIND $rows AS id MATCH (n:${N} {doc_id: id}) DETACH DELETE n`,
    upsertDocs: `UNWIND $rows AS r MERGE (d:${D} {doc_id: r.doc_id})
      SET d.sync_status = r.status, d.root_hash = r.root_hash, d.node_count = toInteger(r.node_count),
          d.deleted = r.deleted, d.error = null, d.updated_at = r.at`,
    createNodes: `UNWIND $rows AS r CREATE (:${N} {uid: r.uid, doc_id: r.doc_id,
      idx: toInteger(r.idx), parent: toInteger(r.parent), kind: r.kind, key: r.key, pos: toInteger(r.pos), value: r.value})`,
    createEdges: `UNWIND $rows AS r MATCH (p:${N} {uid: r.p}) MATCH (c:${N} {uid: r.c})
      CREATE (p)-[:HAS]->(c)`,
    rootEdges: `UNWIND $rows AS id MATCH (d:${D} {doc_id: id}) MATCH (n:${N} {uid: id + '#0'})
      CREATE (d)-[:ROOT]->(n)`,
    markDeleted: `UNWIND $rows AS r MATCH (d:${D} {doc_id: r.id})
      SET d.sync_status = 'pending', d.node_count = 0, d.deleted = true, d.root_hash = null,
          d.error = null, d.updated_at = r.at RETURN count(d) AS n`,
    docs: `UNWIND $ids AS id MATCH (d:${D} {doc_id: id}) RETURN ${DOC}`,
    unsynced: `MATCH (d:${D}) WHERE (d.sync_status IS NULL OR d.sync_status = 'pending')
      AND d.doc_id > $after RETURN ${DOC} ORDER BY d.doc_id LIMIT toInteger($limit)`,
    page:
      `MATCH (d:${D}) WHERE d.doc_id > $after RETURN ${DOC} ORDER BY d.doc_id LIMIT toInteger($limit)`,
    nodes: `UNWIND $ids AS id MATCH (n:${N} {doc_id: id})
      RETURN id AS doc_id, n.idx AS idx, n.parent AS parent, n.key AS key, n.pos AS pos,
             n.kind AS kind, n.value AS value`,
    dropDeleted: `UNWIND $rows AS id MATCH (d:${D} {doc_id: id}) WHERE d.deleted = true
      DETACH DELETE d RETURN id`,
    setStatus: `UNWIND $rows AS r MATCH (d:${D} {doc_id: r.id})
      SET d.sync_status = r.status, d.error = r.error, d.updated_at = r.at`,
    byStatus: `MATCH (d:${D}) RETURN coalesce(d.sync_status, 'null') AS s, count(*) AS n,
      sum(d.node_count) AS nodes`,
  };
}

/**
 * The jsongraph on Neo4j. It owns its connection: `close()` releases it.
 *
 * @example
 * ```ts ignore
 * const conn = await Neo4jConnection.open({ uri: "bolt://127.0.0.1:7687", namespace: "" });
 * await using graph = await Neo4jJsonGraph.open(conn, 5_000);
 * ```
 */
export class Neo4jJsonGraph implements JsonGraphStore {
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
  static async open(conn: Neo4jConnection, batchSize: number): Promise<Neo4jJsonGraph> {
    const graph = new Neo4jJsonGraph(conn, batchSize);
    try {
      await conn.ensureSchema(graph.#q.schema);
    } catch (err) {
      await conn.close();
      throw err;
    }
    return graph;
  }

  async write(docs: readonly JsonDocumentInput[], status: "pending" | null): Promise<void> {
    const q = this.#q;
    const at = new Date().toISOString();
    const ids = docs.map((d) => d.docId);
    const nodes: Record<string, unknown>[] = [];
    const edges: { p: string; c: string }[] = [];
    for (const d of docs) {
      for (const n of d.nodes) {
        const uid = `${d.docId}#${n.idx}`;
        nodes.push({
          uid,
          doc_id: d.docId,
          idx: n.idx,
          parent: n.parent,
          kind: n.kind,
          key: n.key,
          pos: n.pos,
          value: n.value,
        });
        if (n.parent !== null) edges.push({ p: `${d.docId}#${n.parent}`, c: uid });
      }
    }
    const docRows = docs.map((d) => ({
      doc_id: d.docId,
      status,
      root_hash: d.rootHash,
      node_count: d.nodes.length,
      deleted: false,
      at,
    }));
    await this.#conn.write(async (tx) => {
      await unwind(tx, q.deleteNodes, ids, this.#batch);
      await unwind(tx, q.upsertDocs, docRows, this.#batch);
      await unwind(tx, q.createNodes, nodes, this.#batch);
      await unwind(tx, q.createEdges, edges, this.#batch);
      await unwind(tx, q.rootEdges, ids, this.#batch);
    });
  }

  async remove(docIds: readonly string[]): Promise<number> {
    const at = new Date().toISOString();
    return await this.#conn.write(async (tx) => {
      await unwind(tx, this.#q.deleteNodes, docIds, this.#batch);
      const rows = await unwind(
        tx,
        this.#q.markDeleted,
        docIds.map((id) => ({ id, at })),
        this.#batch,
      );
      return rows.reduce((sum, r) => sum + Number(r.n), 0);
    });
  }

  async documents(docIds: readonly string[]): Promise<Map<string, DocumentInfo>> {
    const rows = await this.#conn.read(this.#q.docs, { ids: docIds });
    return new Map(rows.map((r) => [String(r.doc_id), toInfo(r)]));
  }

  async unsynced(limit: number, after = ""): Promise<DocumentInfo[]> {
    return (await this.#conn.read(this.#q.unsynced, { after, limit })).map(toInfo);
  }

  async page(limit: number, after = ""): Promise<DocumentInfo[]> {
    return (await this.#conn.read(this.#q.page, { after, limit })).map(toInfo);
  }

  async nodes(docIds: readonly string[]): Promise<Map<string, JsonNodeRow[]>> {
    const out = new Map<string, JsonNodeRow[]>(docIds.map((id) => [id, []]));
    for (const r of await this.#conn.read(this.#q.nodes, { ids: docIds })) {
      out.get(String(r.doc_id))!.push({
        idx: Number(r.idx),
        parent: r.parent === null ? null : Number(r.parent),
        key: (r.key ?? null) as string | null,
        pos: r.pos === null ? null : Number(r.pos),
        kind: r.kind as Kind,
        value: (r.value ?? null) as string | null,
      });
    }
    return out;
  }

  async setStatus(updates: readonly StatusUpdate[]): Promise<void> {
    const at = new Date().toISOString();
    await this.#conn.write(async (tx) => {
      const synced = updates.filter((u) => u.status === "synced").map((u) => u.docId);
      const dropped = new Set(
        (await unwind(tx, this.#q.dropDeleted, synced, this.#batch)).map((r) => String(r.id)),
      );
      const rows = updates.filter((u) => !dropped.has(u.docId))
        .map((u) => ({ id: u.docId, status: u.status, error: u.error, at }));
      await unwind(tx, this.#q.setStatus, rows, this.#batch);
    });
  }

  async counts(): Promise<JsonCounts> {
    return tally(await this.#conn.read(this.#q.byStatus));
  }

  async close(): Promise<void> {
    await this.#conn.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
