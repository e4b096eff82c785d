/**
 * `graph.migrate_to_hybrid`: a migration killed with SIGKILL at 20 seeded
 * points and resumed each time ends exactly like a clean one.
 */
import assert from "node:assert/strict";
import { generateDocument } from "../../../fixtures/graph/generate.ts";
import type { Json } from "../../../plugins/graph/tree.ts";
import { mulberry32 } from "../../../lib/random.ts";
import { tempDir } from "../../helpers/temp.ts";
import { graphRun, openHomeGraphs, outputOf } from "./_cli.ts";
import { expectedRefCounts, jsonRows, sorted } from "./_graphs.ts";

const DOCS = 48;

/** A home whose jsongraph holds legacy documents (status null), no hybridgraph yet. */
async function legacyHome(home: string): Promise<Record<string, Json>> {
  const docs: Record<string, Json> = {};
  for (let i = 0; i < DOCS; i++) {
    docs[`m${String(i).padStart(3, "0")}`] = generateDocument(i, {
      seed: 77,
      maxArray: 12,
    }) as Json;
  }
  const g = openHomeGraphs(home);
  try {
    await g.json.write(jsonRows(docs), null);
  } finally {
    await g.close();
  }
  return docs;
}

/** Everything a finished migration leaves, timestamps aside. */
async function snapshot(home: string): Promise<unknown> {
  const g = openHomeGraphs(home);
  try {
    return {
      statuses: (await g.json.page(1_000)).map((d) => [d.docId, d.status, d.error]),
      refs: sorted(await g.hybrid.refCounts()),
      totals: await g.hybrid.totals(),
      sources: (await g.hybrid.sources(1_000)).map((s) => [s.docId, s.rootHash]).sort(),
    };
  } finally {
    await g.close();
  }
}

/** Seeded kill points: small, so that every one of the 20 runs is killed before the end. */
function killPoints(seed: number, n: number): number[] {
  const next = mulberry32(seed);
  return Array.from({ length: n }, () => 1 + Math.floor(next() * 5));
}

const MIGRATE = ["graph.migrate_to_hybrid", "--page-size", "4", "--batch-size", "40"];

Deno.test("a migration killed (SIGKILL) at 20 seeded points and resumed equals a clean migration", async () => {
  await using clean = await tempDir("weir-graph-clean-");
  const docs = await legacyHome(clean.path);
  const first = await graphRun(clean.path, MIGRATE);
  assert.equal(first.code, 0, first.stderr);
  const out = outputOf<
    { documents: number; documents_synced: number; resumed_after: string | null }
  >(first);
  assert.deepEqual([out.documents, out.documents_synced, out.resumed_after], [DOCS, DOCS, null]);
  const expected = await snapshot(clean.path);
  assert.deepEqual(
    (expected as { refs: unknown }).refs,
    sorted(expectedRefCounts(Object.values(docs))),
  );

  await using crashed = await tempDir("weir-graph-crash-");
  await legacyHome(crashed.path);
  const points = killPoints(20261201, 20);
  for (const [k, at] of points.entries()) {
    const run = await graphRun(crashed.path, MIGRATE, { WEIR_GRAPH_KILL_AT: String(at) });
    assert.notEqual(
      run.code,
      0,
      `run ${k} (kill at commit ${at}) finished: the kill points are too far apart`,
    );
    assert.equal(run.code, 137, `run ${k} was not killed by SIGKILL: ${run.stderr.slice(-500)}`);
  }
  const last = await graphRun(crashed.path, MIGRATE);
  assert.equal(last.code, 0, last.stderr);
  const resumed = outputOf<{ resumed_after: string | null; documents_seen: number }>(last);
  assert.ok(resumed.resumed_after !== null, "the last run resumed from a checkpoint");
  assert.equal(resumed.documents_seen, DOCS);
  assert.deepEqual(await snapshot(crashed.path), expected);
  // A finished migration run again has nothing left to merge.
  const again = outputOf<{ documents_synced: number; documents_unchanged: number }>(
    await graphRun(crashed.path, MIGRATE),
  );
  assert.deepEqual([again.documents_synced, again.documents_unchanged], [0, DOCS]);
});

Deno.test("migrate_to_hybrid reports progress and --restart starts over", async () => {
  await using home = await tempDir("weir-graph-mig-");
  await legacyHome(home.path);
  const run = await graphRun(home.path, [...MIGRATE, "--page-size", "16"]);
  assert.equal(run.code, 0, run.stderr);
  const progress = run.lines.filter((l) => l.type === "progress" && l.label === "graph migrate");
  assert.ok(progress.length > 0);
  assert.equal(progress.at(-1)!.done, DOCS);
  const restart = outputOf<{ resumed_after: string | null; documents_seen: number }>(
    await graphRun(home.path, [...MIGRATE, "--restart"]),
  );
  assert.deepEqual([restart.resumed_after, restart.documents_seen], [null, DOCS]);
});
