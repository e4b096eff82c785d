/**
 * Graph adapters for tests: the embedded pair on fresh SQLite files, the
 * Neo4j pair under a namespace of its own (removed afterwards), and an
 * independent count of each distinct subtree's documents.
 *
 * @module
 */
import { canonicalJson } from "../../../lib/hash.ts";
import { migrate, openSqlite } from "../../../lib/sqlite/mod.ts";
import { Neo4jConnection } from "../../../plugins/graph/neo4j_connection.ts";
import { Neo4jHybridGraph } from "../../../plugins/graph/neo4j_hybrid.ts";
import { Neo4jJsonGraph } from "../../../plugins/graph/neo4j_json.ts";
import type {
  HybridGraphStore,
  JsonDocumentInput,
  JsonGraphStore,
} from "../../../plugins/graph/port.ts";
import { HYBRID_MIGRATIONS, JSON_MIGRATIONS } from "../../../plugins/graph/schema.ts";
import { SqliteHybridGraph } from "../../../plugins/graph/sqlite_hybrid.ts";
import { SqliteJsonGraph } from "../../../plugins/graph/sqlite_json.ts";
import { flatten, hashTree, type Json } from "../../../plugins/graph/tree.ts";
import type { Neo4jSettings } from "../../helpers/services.ts";

/** Both graphs, opened for one test. */
export interface Graphs {
  json: JsonGraphStore;
  hybrid: HybridGraphStore;
  close(): Promise<void>;
}

/** The embedded pair on two SQLite files in a fresh folder. */
export async function openEmbedded(): Promise<Graphs> {
  const dir = await Deno.makeTempDir({ prefix: "weir-graph-" });
  const jdb = openSqlite(`${dir}/jsongraph.db`);
  migrate(jdb, `${dir}/jsongraph.db`, JSON_MIGRATIONS);
  const hdb = openSqlite(`${dir}/hybridgraph.db`);
  migrate(hdb, `${dir}/hybridgraph.db`, HYBRID_MIGRATIONS);
  return {
    json: new SqliteJsonGraph(jdb, `${dir}/jsongraph.db`),
    hybrid: new SqliteHybridGraph(hdb, `${dir}/hybridgraph.db`),
    async close() {
      jdb.close();
      hdb.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A namespace no other test uses: `t<random>_`. */
export function uniqueNamespace(): string {
  return `t${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}_`;
}

/** Removes a namespace's nodes, constraints and indexes from a server. */
export async function dropNamespace(uri: string, namespace: string): Promise<void> {
  const conn = await Neo4jConnection.open({ uri, namespace });
  try {
    for (const name of ["JsonDocument", "JsonNode", "HybridContent", "HybridSource"]) {
      // Labels cannot be parameters; the namespace is checked by Neo4jConnection.
      await conn.write((tx) => tx.run(`MATCH (n:\`${namespace}${name}\`) DETACH DELETE n`));
    }
    // SHOW commands cannot be combined with UNION: one query each.
    const constraints = await conn.read(
      "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH $p RETURN name",
      { p: namespace },
    );
    for (const r of constraints) {
      await conn.write((tx) => tx.run(`DROP CONSTRAINT \`${String(r.name)}\` IF EXISTS`));
    }
    const indexes = await conn.read(
      "SHOW INDEXES YIELD name, owningConstraint WHERE name STARTS WITH $p AND owningConstraint IS NULL RETURN name",
      { p: namespace },
    );
    for (const r of indexes) {
      await conn.write((tx) => tx.run(`DROP INDEX \`${String(r.name)}\` IF EXISTS`));
    }
  } finally {
    await conn.close();
  }
}

/** The Neo4j pair on the test servers, under a fresh namespace. */
export async function openNeo4j(settings: Neo4jSettings, batchSize = 5_000): Promise<Graphs> {
  const namespace = uniqueNamespace();
  const json = await Neo4jJsonGraph.open(
    await Neo4jConnection.open({ uri: settings.uri, namespace }),
    batchSize,
  );
  const hybrid = await Neo4jHybridGraph.open(
    await Neo4jConnection.open({ uri: settings.hybridUri, namespace }),
    batchSize,
  );
  return {
    json,
    hybrid,
    async close() {
      await json.close();
      await hybrid.close();
      await dropNamespace(settings.uri, namespace);
      if (settings.hybridUri !== settings.uri) await dropNamespace(settings.hybridUri, namespace);
    },
  };
}

/**
 * Each distinct subtree's expected ref_count, counted without the hashing
 * code: subtrees compared by canonical JSON text, one count per document
 * that contains it; keyed by hash only at the end, to compare.
 */
export function expectedRefCounts(docs: Iterable<Json>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const doc of docs) {
    const seen = new Set<string>();
    const walk = (v: Json) => {
      seen.add(canonicalJson(v));
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(doc);
    for (const text of seen) counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return new Map([...counts].map(([text, n]) => [hashTree(JSON.parse(text)).root, n]));
}

/** A map as sorted entries, for deepEqual. */
export function sorted(map: ReadonlyMap<string, number>): [string, number][] {
  return [...map].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Documents as jsongraph rows, for writing legacy data straight into a graph. */
export function jsonRows(docs: Record<string, Json>): JsonDocumentInput[] {
  return Object.entries(docs).map(([docId, v]) => ({
    docId,
    rootHash: hashTree(v).root,
    nodes: flatten(v),
  }));
}
