/**
 * The graph plugin's throughput, in documents per second, each figure the
 * median of alternating paired runs with its minimum and maximum:
 * - embedded (SQLite): batch upload to both graphs (hashing, flattening and
 *   reference counting included) against a plain SQLite loop inserting the
 *   same rows, precomputed, in the same batches: goal >= 0.5x; sync of
 *   pending documents against a plain loop writing the same hybridgraph rows;
 * - Neo4j (the test servers, a namespace per run): batch upload on the
 *   UNWIND path against a per-document MERGE loop (the design it replaces)
 *   on the same documents: goal >= 20x; sync against the per-document
 *   MERGE loop of the hybridgraph alone;
 * - the dedup ratio of the generated corpus (values / distinct content).
 *
 * `deno task bench graph`, or `deno run -P=bench bench/graph_bench.ts`.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a benchmark prints its figures
import { generateDocument } from "../fixtures/graph/generate.ts";
import { migrate, openSqlite } from "../lib/sqlite/mod.ts";
import { batchesOf, prepare, syncBatch, uploadBatch } from "../plugins/graph/dual.ts";
import type { Graphs } from "../plugins/graph/graphs.ts";
import { Neo4jConnection } from "../plugins/graph/neo4j_connection.ts";
import { Neo4jHybridGraph } from "../plugins/graph/neo4j_hybrid.ts";
import { Neo4jJsonGraph } from "../plugins/graph/neo4j_json.ts";
import type { HybridGraphStore, JsonGraphStore } from "../plugins/graph/port.ts";
import { HYBRID_MIGRATIONS, JSON_MIGRATIONS } from "../plugins/graph/schema.ts";
import { SqliteHybridGraph } from "../plugins/graph/sqlite_hybrid.ts";
import { SqliteJsonGraph } from "../plugins/graph/sqlite_json.ts";
import { clearHashCache, type Json } from "../plugins/graph/tree.ts";
import { requireService } from "../tests/helpers/services.ts";
import { dropNamespace, uniqueNamespace } from "../tests/plugins/graph/_graphs.ts";
import { type BenchResult, median } from "./harness.ts";
import { perDocumentMerge, plainLoop } from "./_graph_baselines.ts";

const RUNS = 5;
const BATCH = 5_000;

type Doc = { docId: string; value: Json };

function corpus(n: number, maxArray: number): Doc[] {
  return Array.from({ length: n }, (_, i) => ({
    docId: `doc-${String(i).padStart(6, "0")}`,
    value: generateDocument(i, { seed: 1, maxArray }) as Json,
  }));
}

/** A result from paired rates (docs/s): medians, and the per-pair ratio's median, min, max. */
function rates(name: string, values: number[], baseline: string, baselines: number[]): BenchResult {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const ratios = values.map((v, i) => v / baselines[i]);
  return {
    name,
    value: r(median(values)),
    unit: "docs/s",
    baseline,
    baseline_value: r(median(baselines)),
    ratio: r(median(ratios)),
    ratio_min: r(Math.min(...ratios)),
    ratio_max: r(Math.max(...ratios)),
    pairs: ratios.length,
    value_min: r(Math.min(...values)),
    value_max: r(Math.max(...values)),
  };
}

function graphsOf(json: JsonGraphStore, hybrid: HybridGraphStore): Graphs {
  return {
    json,
    hybrid: () => Promise.resolve(hybrid),
    identity: "bench",
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  clearHashCache(); // every run hashes from cold
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

async function upload(graphs: Graphs, docs: Doc[]): Promise<void> {
  const prepared = docs.map((d) => prepare(d.docId, d.value));
  for (const batch of batchesOf(prepared, (p) => p.nodes.length, BATCH)) {
    await uploadBatch(graphs, batch);
  }
}

async function sync(graphs: Graphs): Promise<number> {
  let n = 0;
  for (;;) {
    const infos = await graphs.json.unsynced(10_000);
    if (infos.length === 0) return n;
    for (const batch of batchesOf(infos, (d) => d.nodeCount, BATCH)) {
      n += (await syncBatch(graphs, batch)).synced;
    }
  }
}

// ---------------------------------------------------------------- embedded

function sqlitePair(dir: string) {
  const jdb = openSqlite(`${dir}/j.db`);
  migrate(jdb, `${dir}/j.db`, JSON_MIGRATIONS);
  const hdb = openSqlite(`${dir}/h.db`);
  migrate(hdb, `${dir}/h.db`, HYBRID_MIGRATIONS);
  return {
    jdb,
    hdb,
    graphs: graphsOf(new SqliteJsonGraph(jdb, "j"), new SqliteHybridGraph(hdb, "h")),
  };
}

async function embedded(docs: Doc[]): Promise<BenchResult[]> {
  const up: number[] = [];
  const upBase: number[] = [];
  const sy: number[] = [];
  const syBase: number[] = [];
  const prepared = docs.map((d) => prepare(d.docId, d.value));
  for (let i = -1; i < RUNS; i++) {
    const dir = await Deno.makeTempDir({ prefix: "weir-graph-bench-" });
    try {
      const a = sqlitePair(`${dir}`);
      await Deno.mkdir(`${dir}/b`);
      const b = sqlitePair(`${dir}/b`);
      const tBase = await timed(() => plainLoop(b.jdb, b.hdb, prepared, true));
      const tUp = await timed(() => upload(a.graphs, docs));
      // Sync: the same documents pending in a fresh jsongraph.
      await Deno.mkdir(`${dir}/c`);
      const c = sqlitePair(`${dir}/c`);
      await c.graphs.json.write(
        prepared.map((p) => ({ docId: p.docId, rootHash: p.tree.root, nodes: p.nodes })),
        "pending",
      );
      await Deno.mkdir(`${dir}/d`);
      const d = sqlitePair(`${dir}/d`);
      const tSyncBase = await timed(() => plainLoop(d.jdb, d.hdb, prepared, false));
      const tSync = await timed(() => sync(c.graphs));
      for (const p of [a, b, c, d]) {
        p.jdb.close();
        p.hdb.close();
      }
      if (i < 0) continue; // warm-up
      up.push(docs.length / tUp);
      upBase.push(docs.length / tBase);
      sy.push(docs.length / tSync);
      syBase.push(docs.length / tSyncBase);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return [
    rates(
      `graph embedded batch upload (${docs.length} docs)`,
      up,
      "plain SQLite loop, same rows precomputed",
      upBase,
    ),
    rates(
      `graph embedded sync (${docs.length} docs)`,
      sy,
      "plain SQLite loop, same hybridgraph rows",
      syBase,
    ),
  ];
}

// ---------------------------------------------------------------- Neo4j

/**
 * A graph pair under a namespace of its own, kept for every run so that the
 * server's query plans stay cached, as they do for a real graph whose labels
 * do not change; `clear()` empties it between runs.
 */
async function neo4jPair(uri: string, hybridUri: string) {
  const namespace = uniqueNamespace();
  const jc = await Neo4jConnection.open({ uri, namespace });
  const hc = await Neo4jConnection.open({ uri: hybridUri, namespace });
  const json = await Neo4jJsonGraph.open(await Neo4jConnection.open({ uri, namespace }), BATCH);
  const hybrid = await Neo4jHybridGraph.open(
    await Neo4jConnection.open({ uri: hybridUri, namespace }),
    BATCH,
  );
  return {
    jc,
    hc,
    graphs: graphsOf(json, hybrid),
    async clear() {
      for (
        const [conn, labels] of [[jc, ["JsonDocument", "JsonNode"]], [hc, [
          "HybridContent",
          "HybridSource",
        ]]] as const
      ) {
        for (const name of labels) {
          await conn.write((tx) => tx.run(`MATCH (n:\`${namespace}${name}\`) DETACH DELETE n`));
        }
      }
    },
    async close() {
      for (const c of [jc, hc, json, hybrid]) await c.close();
      await dropNamespace(uri, namespace);
      if (hybridUri !== uri) await dropNamespace(hybridUri, namespace);
    },
  };
}

async function neo4j(docs: Doc[], uri: string, hybridUri: string): Promise<BenchResult[]> {
  const prepared = docs.map((d) => prepare(d.docId, d.value));
  const up: number[] = [];
  const upBase: number[] = [];
  const sy: number[] = [];
  const syBase: number[] = [];
  const pairs = [];
  for (let k = 0; k < 4; k++) pairs.push(await neo4jPair(uri, hybridUri));
  try {
    const [a, b, c, d] = pairs;
    for (let i = -1; i < RUNS; i++) {
      for (const p of pairs) await p.clear();
      const tBase = await timed(() => perDocumentMerge(b.jc, b.hc, prepared, true));
      const tUp = await timed(() => upload(a.graphs, docs));
      await c.graphs.json.write(
        prepared.map((p) => ({ docId: p.docId, rootHash: p.tree.root, nodes: p.nodes })),
        "pending",
      );
      const tSyncBase = await timed(() => perDocumentMerge(d.jc, d.hc, prepared, false));
      const tSync = await timed(() => sync(c.graphs));
      if (i < 0) continue; // warm-up: plans compiled, JIT warm
      up.push(docs.length / tUp);
      upBase.push(docs.length / tBase);
      sy.push(docs.length / tSync);
      syBase.push(docs.length / tSyncBase);
    }
  } finally {
    for (const p of pairs) await p.close();
  }
  return [
    rates(
      `graph neo4j batch upload, UNWIND (${docs.length} docs)`,
      up,
      "per-document MERGE loop, same docs",
      upBase,
    ),
    rates(
      `graph neo4j sync, UNWIND (${docs.length} docs)`,
      sy,
      "per-document MERGE loop, hybridgraph only",
      syBase,
    ),
  ];
}

/** Runs the graph benchmarks. */
export default async function graph(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const big = corpus(2_000, 50);
  const prepared = big.map((d) => prepare(d.docId, d.value));
  const values = prepared.reduce((n, p) => n + p.nodes.length, 0);
  const distinct = new Set(prepared.flatMap((p) => [...p.tree.contents.keys()])).size;
  results.push({
    name: `graph dedup ratio (${big.length} generated docs, ${values} values)`,
    value: Math.round((values / distinct) * 1000) / 1000,
    unit: "x",
    baseline: "no deduplication",
    baseline_value: 1,
    ratio: Math.round((values / distinct) * 1000) / 1000,
  });
  results.push(...await embedded(corpus(1_000, 50)));
  const service = requireService("neo4j");
  const neo4jDocs = Number(Deno.env.get("WEIR_GRAPH_BENCH_NEO4J_DOCS") ?? 40);
  if (service.available && neo4jDocs > 0) {
    results.push(
      ...await neo4j(
        corpus(neo4jDocs, 20),
        service.settings.uri,
        service.settings.hybridUri,
      ),
    );
  } else {
    console.error(
      `graph bench: Neo4j figures skipped: ${
        service.available ? "0 documents asked" : service.reason
      }`,
    );
  }
  return results;
}

if (import.meta.main) console.log(JSON.stringify(await graph(), null, 2));
