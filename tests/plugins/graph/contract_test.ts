/**
 * The graph ports' contract: the same behaviours on the embedded SQLite
 * adapters and on Neo4j (the two test servers, a namespace per case).
 */
import assert from "node:assert/strict";
import { contractSuite, runContract } from "../../helpers/contract.ts";
import { requireService } from "../../helpers/services.ts";
import type { HybridDocument, JsonDocumentInput } from "../../../plugins/graph/port.ts";
import { flatten, hashTree, type Json, unflatten } from "../../../plugins/graph/tree.ts";
import { expectedRefCounts, type Graphs, openEmbedded, openNeo4j, sorted } from "./_graphs.ts";

const at = new Date("2026-01-01T00:00:00Z");

function jdoc(docId: string, value: Json): JsonDocumentInput {
  return { docId, rootHash: hashTree(value).root, nodes: flatten(value) };
}

function hdoc(docId: string, value: Json): HybridDocument {
  const t = hashTree(value);
  return { docId, rootHash: t.root, contents: t.contents };
}

const shared = { vendor: { name: "Acme ✓", tags: ["a", "b"] } };
const A: Json = { id: 1, ...shared, items: [1, 2, 2, { deep: { er: [null, true] } }] };
const B: Json = { id: 2, ...shared, items: [] };
const A2: Json = { id: 1, vendor: { name: "Other" }, items: [1] };

const suite = contractSuite<Graphs>("GraphStore", {
  "jsongraph: write, list unsynced, read nodes back": async ({ json }) => {
    await json.write([jdoc("b", B), jdoc("a", A)], "pending");
    await json.write([jdoc("c", 1)], null);
    const unsynced = await json.unsynced(10);
    assert.deepEqual(unsynced.map((d) => [d.docId, d.status]), [
      ["a", "pending"],
      ["b", "pending"],
      ["c", null],
    ]);
    assert.equal(unsynced[0].nodeCount, flatten(A).length);
    assert.deepEqual((await json.unsynced(1, "a")).map((d) => d.docId), ["b"]);
    const nodes = await json.nodes(["a"]);
    assert.deepEqual(unflatten(nodes.get("a")!), A);
  },
  "jsongraph: rewrite replaces nodes; statuses and errors": async ({ json }) => {
    await json.write([jdoc("a", A)], "pending");
    await json.write([jdoc("a", A2)], "pending");
    assert.deepEqual(unflatten((await json.nodes(["a"])).get("a")!), A2);
    await json.setStatus([{ docId: "a", status: "pending", error: "hybrid down" }]);
    let info = (await json.documents(["a", "zz"])).get("a")!;
    assert.equal(info.error, "hybrid down");
    assert.equal(info.rootHash, hashTree(A2).root);
    await json.setStatus([{ docId: "a", status: "synced", error: null }]);
    info = (await json.documents(["a"])).get("a")!;
    assert.deepEqual([info.status, info.error], ["synced", null]);
    assert.deepEqual(await json.unsynced(10), []);
    const counts = await json.counts();
    assert.deepEqual(counts.byStatus, { synced: 1 });
    assert.equal(counts.nodes, flatten(A2).length);
  },
  "jsongraph: remove marks deleted and pending; synced drops the row": async ({ json }) => {
    await json.write([jdoc("a", A), jdoc("b", B)], "pending");
    assert.equal(await json.remove(["a", "missing"]), 1);
    const a = (await json.documents(["a"])).get("a")!;
    assert.deepEqual([a.deleted, a.status, a.nodeCount], [true, "pending", 0]);
    assert.deepEqual((await json.nodes(["a"])).get("a"), []);
    await json.setStatus([{ docId: "a", status: "synced", error: null }]);
    assert.equal((await json.documents(["a"])).size, 0);
    assert.deepEqual((await json.page(10)).map((d) => d.docId), ["b"]);
  },
  "hybridgraph: shared content stored once, counted per document": async ({ hybrid }) => {
    const r = await hybrid.apply({
      upserts: [hdoc("a", A), hdoc("b", B)],
      removals: [],
      syncedAt: at,
    });
    const expected = expectedRefCounts([A, B]);
    assert.deepEqual(sorted(await hybrid.refCounts()), sorted(expected));
    assert.equal(r.created, expected.size);
    assert.equal(r.created + r.reused, hashTree(A).contents.size + hashTree(B).contents.size);
    assert.equal((await hybrid.totals()).contents, expected.size);
    assert.deepEqual(await hybrid.read("a"), A);
    assert.deepEqual(await hybrid.read("b"), B);
    assert.equal(await hybrid.read("nope"), undefined);
  },
  "hybridgraph: merging again changes nothing": async ({ hybrid }) => {
    await hybrid.apply({ upserts: [hdoc("a", A)], removals: [], syncedAt: at });
    const before = await hybrid.totals();
    const r = await hybrid.apply({ upserts: [hdoc("a", A)], removals: [], syncedAt: at });
    assert.deepEqual(r, { created: 0, reused: 0, removed: 0 });
    assert.deepEqual(await hybrid.totals(), before);
    assert.deepEqual(sorted(await hybrid.refCounts()), sorted(expectedRefCounts([A])));
  },
  "hybridgraph: a changed document moves references, zero-ref content goes": async ({ hybrid }) => {
    await hybrid.apply({ upserts: [hdoc("a", A), hdoc("b", B)], removals: [], syncedAt: at });
    const r = await hybrid.apply({ upserts: [hdoc("a", A2)], removals: [], syncedAt: at });
    assert.ok(r.removed > 0);
    assert.deepEqual(sorted(await hybrid.refCounts()), sorted(expectedRefCounts([A2, B])));
    assert.deepEqual(await hybrid.read("a"), A2);
    const edges = (await hybrid.totals()).edges;
    const distinct = new Map([...hashTree(A2).contents, ...hashTree(B).contents]);
    assert.equal(edges, [...distinct.values()].reduce((n, c) => n + c.children.length, 0));
  },
  "hybridgraph: removing Sources drops what only they referenced": async ({ hybrid }) => {
    await hybrid.apply({ upserts: [hdoc("a", A), hdoc("b", B)], removals: [], syncedAt: at });
    await hybrid.apply({ upserts: [], removals: ["a", "never"], syncedAt: at });
    assert.deepEqual(sorted(await hybrid.refCounts()), sorted(expectedRefCounts([B])));
    await hybrid.apply({ upserts: [], removals: ["b"], syncedAt: at });
    assert.deepEqual(await hybrid.totals(), { contents: 0, edges: 0, sources: 0 });
  },
  "hybridgraph: Sources listed by last_synced, newest first": async ({ hybrid }) => {
    await hybrid.apply({ upserts: [hdoc("a", A)], removals: [], syncedAt: at });
    const later = new Date(at.getTime() + 1000);
    await hybrid.apply({ upserts: [hdoc("b", B)], removals: [], syncedAt: later });
    const sources = await hybrid.sources(10);
    assert.deepEqual(sources.map((s) => [s.docId, s.lastSynced]), [
      ["b", later.toISOString()],
      ["a", at.toISOString()],
    ]);
    assert.equal(sources[1].rootHash, hashTree(A).root);
  },
});

const neo4j = requireService("neo4j");
runContract(suite, [
  { name: "embedded", open: async () => wrap(await openEmbedded()) },
  {
    name: "neo4j",
    open: async () => wrap(await openNeo4j(neo4j.available ? neo4j.settings : never())),
    skip: neo4j.available ? undefined : neo4j.reason,
  },
]);

function wrap(graphs: Graphs) {
  return { adapter: graphs, close: () => graphs.close() };
}

function never(): never {
  throw new Error("neo4j is not available");
}
