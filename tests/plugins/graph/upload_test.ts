/**
 * Uploads, syncs and deletions through the CLI on the embedded graphs:
 * both graphs written, nothing lost while the hybridgraph is unreachable,
 * incremental sync by limit, and exact ref_counts after changes and
 * deletions (against an independent count of distinct subtrees).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { canonicalJson } from "../../../lib/hash.ts";
import { generateDocument } from "../../../fixtures/graph/generate.ts";
import type { Json } from "../../../plugins/graph/tree.ts";
import { tempDir } from "../../helpers/temp.ts";
import { graphRun, openHomeGraphs, outputOf, writeDocs } from "./_cli.ts";
import { expectedRefCounts, sorted } from "./_graphs.ts";

function corpus(n: number, seed = 5): Record<string, Json> {
  return Object.fromEntries(
    Array.from(
      { length: n },
      (
        _,
        i,
      ) => [`d${String(i).padStart(3, "0")}`, generateDocument(i, { seed, maxArray: 30 }) as Json],
    ),
  );
}

/** Checks both graphs of a home against the documents that should be there. */
async function assertGraphs(home: string, docs: Record<string, Json>): Promise<void> {
  const g = openHomeGraphs(home);
  try {
    const counts = await g.json.counts();
    assert.deepEqual(
      counts.byStatus,
      Object.keys(docs).length ? { synced: Object.keys(docs).length } : {},
    );
    assert.deepEqual(
      sorted(await g.hybrid.refCounts()),
      sorted(expectedRefCounts(Object.values(docs))),
    );
    const totals = await g.hybrid.totals();
    assert.equal(totals.sources, Object.keys(docs).length);
    for (const [id, doc] of Object.entries(docs)) {
      assert.equal(canonicalJson(await g.hybrid.read(id)), canonicalJson(doc), id);
    }
  } finally {
    await g.close();
  }
}

Deno.test("batch_upload_dual writes both graphs, marks documents synced, skips unchanged ones", async () => {
  await using home = await tempDir("weir-graph-up-");
  const docs = corpus(20);
  await writeDocs(join(home.path, "in"), docs);
  const first = await graphRun(home.path, [
    "graph.batch_upload_dual",
    "--input",
    join(home.path, "in"),
    "--batch-size",
    "300",
  ]);
  assert.equal(first.code, 0, first.stderr);
  const out = outputOf(first);
  assert.equal(out.documents_synced, 20);
  assert.equal(out.content_created, expectedRefCounts(Object.values(docs)).size);
  await assertGraphs(home.path, docs);
  const again = outputOf(
    await graphRun(home.path, ["graph.batch_upload_dual", "--input", `${home.path}/in/*.json`]),
  );
  assert.deepEqual([again.documents_unchanged, again.documents_written], [20, 0]);
});

Deno.test("upload while the hybridgraph is unreachable: exit 3, documents pending with the error, a later sync completes them", async () => {
  await using home = await tempDir("weir-graph-down-");
  const docs = corpus(8);
  await writeDocs(join(home.path, "in"), docs);
  await Deno.writeTextFile(join(home.path, "blocker"), "a file where a folder should be");
  const down = await graphRun(home.path, [
    "graph.batch_upload_dual",
    "--input",
    join(home.path, "in"),
    "--hybrid-db",
    join(home.path, "blocker", "hybridgraph.db"),
  ]);
  assert.equal(down.code, 3, down.stderr);
  const out = outputOf<
    { documents_written: number; documents_synced: number; errors: { error: string }[] }
  >(down);
  assert.deepEqual([out.documents_written, out.documents_synced, out.errors.length], [8, 0, 8]);
  assert.match(out.errors[0].error, /^hybridgraph write failed: /);
  const g = openHomeGraphs(home.path);
  try {
    const pending = await g.json.unsynced(100);
    assert.equal(pending.length, 8);
    assert.ok(
      pending.every((d) =>
        d.status === "pending" && d.error?.startsWith("hybridgraph write failed")
      ),
    );
  } finally {
    await g.close();
  }
  const status = outputOf<{ by_status: Record<string, number> }>(
    await graphRun(home.path, ["graph.status"]),
  );
  assert.deepEqual(status.by_status, { pending: 8 });
  const sync = await graphRun(home.path, ["graph.sync_to_hybrid"]);
  assert.equal(sync.code, 0, sync.stderr);
  assert.equal(outputOf(sync).documents_synced, 8);
  await assertGraphs(home.path, docs);
});

Deno.test("sync_to_hybrid --limit syncs that many documents per run, in doc-id order", async () => {
  await using home = await tempDir("weir-graph-limit-");
  const docs = corpus(10, 9);
  await writeDocs(join(home.path, "in"), docs);
  await Deno.writeTextFile(join(home.path, "blocker"), "");
  await graphRun(home.path, [
    "graph.batch_upload_dual",
    "--input",
    join(home.path, "in"),
    "--hybrid-db",
    join(home.path, "blocker", "h.db"),
  ]);
  const synced: number[] = [];
  for (let i = 0; i < 4; i++) {
    const run = await graphRun(home.path, ["graph.sync_to_hybrid", "--limit", "4", "--quiet"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "", "--quiet prints nothing on success");
    synced.push(outputOf<{ documents_synced: number }>(run).documents_synced);
  }
  assert.deepEqual(synced, [4, 4, 2, 0]);
  await assertGraphs(home.path, docs);
});

Deno.test("changed and deleted documents: references move, ref_counts stay exact, zero-ref content goes", async () => {
  await using home = await tempDir("weir-graph-change-");
  const docs = corpus(12, 3);
  const dir = join(home.path, "in");
  await writeDocs(dir, docs);
  assert.equal((await graphRun(home.path, ["graph.batch_upload_dual", "--input", dir])).code, 0);
  // Change three documents (one to share nothing), delete two others.
  docs.d001 = { replaced: true, vendor: (docs.d002 as Record<string, Json>).vendor };
  docs.d004 = { completely: ["new", { "ü": 1 }] };
  (docs.d007 as Record<string, Json>).title = "changed ✓";
  await writeDocs(dir, { d001: docs.d001, d004: docs.d004, d007: docs.d007 });
  const up = outputOf<{ documents_written: number; content_removed: number }>(
    await graphRun(home.path, ["graph.batch_upload_dual", "--input", dir]),
  );
  assert.equal(up.documents_written, 3);
  assert.ok(up.content_removed > 0);
  await assertGraphs(home.path, docs);
  const del = await graphRun(home.path, [
    "graph.delete_dual",
    "--doc-id",
    "d000",
    "--doc-id",
    "d004",
    "--doc-id",
    "nope",
  ]);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(
    (({ documents_removed, documents_synced }) => [documents_removed, documents_synced])(
      outputOf(del),
    ),
    [2, 2],
  );
  delete docs.d000;
  delete docs.d004;
  await assertGraphs(home.path, docs);
});

Deno.test("a deletion while the hybridgraph is unreachable is completed by the next sync", async () => {
  await using home = await tempDir("weir-graph-deldown-");
  const docs = corpus(4, 11);
  const dir = join(home.path, "in");
  await writeDocs(dir, docs);
  await graphRun(home.path, ["graph.batch_upload_dual", "--input", dir]);
  await Deno.writeTextFile(join(home.path, "blocker"), "");
  const del = await graphRun(home.path, [
    "graph.delete_dual",
    "--doc-id",
    "d001",
    "--hybrid-db",
    join(home.path, "blocker", "h.db"),
  ]);
  assert.equal(del.code, 3, del.stderr);
  const sync = outputOf<{ documents_synced: number }>(
    await graphRun(home.path, ["graph.sync_to_hybrid"]),
  );
  assert.equal(sync.documents_synced, 1);
  delete docs.d001;
  await assertGraphs(home.path, docs);
});

Deno.test("upload_dual takes one file with a given id; a file that is not JSON is a failed item", async () => {
  await using home = await tempDir("weir-graph-one-");
  await writeDocs(home.path, { a: { x: [1, 2] } });
  const one = await graphRun(home.path, [
    "graph.upload_dual",
    "--file",
    join(home.path, "a.json"),
    "--doc-id",
    "custom/id",
  ]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(outputOf(one).doc_id, "custom/id");
  await Deno.writeTextFile(join(home.path, "bad.json"), "{ nope");
  const bad = await graphRun(home.path, [
    "graph.upload_dual",
    "--file",
    join(home.path, "bad.json"),
  ]);
  assert.equal(bad.code, 3);
  assert.match(JSON.stringify(outputOf(bad).errors), /Cannot parse .*bad\.json.* as JSON/);
  await assertGraphs(home.path, { "custom/id": { x: [1, 2] } });
});

Deno.test("--backend neo4j without NEO4J_URI is exit 2 naming the variable; a bad namespace names the flag", async () => {
  await using home = await tempDir("weir-graph-usage-");
  const run = await graphRun(home.path, ["graph.status", "--backend", "neo4j"], {
    NEO4J_URI: "",
    NEO4J_HYBRID_URI: "",
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /Cannot use --backend neo4j as NEO4J_URI is not set/);
  const bad = await graphRun(home.path, ["graph.status", "--namespace", "x`) DETACH DELETE n //"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /namespace/);
});
