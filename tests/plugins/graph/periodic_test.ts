/**
 * `graph.periodic_sync`: SIGTERM lets the batch in flight finish, then exit
 * 130 with consistent graphs; the lease keeps two processes from syncing
 * the same graphs at once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateDocument } from "../../../fixtures/graph/generate.ts";
import { migrate, openSqlite } from "../../../lib/sqlite/mod.ts";
import { SqliteLeaseStore } from "../../../lib/leases/sqlite.ts";
import { embeddedIdentity, syncLeaseName } from "../../../plugins/graph/graphs.ts";
import { STATE_MIGRATIONS } from "../../../plugins/graph/schema.ts";
import type { Json } from "../../../plugins/graph/tree.ts";
import { waitFor, weir } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/temp.ts";
import { graphRun, openHomeGraphs, outputOf, PERMS, writeDocs } from "./_cli.ts";
import { expectedRefCounts, sorted } from "./_graphs.ts";

/** A home with `n` documents in the jsongraph, all pending (the hybridgraph was unreachable). */
async function pendingHome(home: string, n: number): Promise<Record<string, Json>> {
  const docs = Object.fromEntries(
    Array.from(
      { length: n },
      (
        _,
        i,
      ) => [
        `p${String(i).padStart(3, "0")}`,
        generateDocument(i, { seed: 21, maxArray: 10 }) as Json,
      ],
    ),
  );
  await writeDocs(join(home, "in"), docs);
  await Deno.writeTextFile(join(home, "blocker"), "");
  const up = await graphRun(home, [
    "graph.batch_upload_dual",
    "--input",
    join(home, "in"),
    "--hybrid-db",
    join(home, "blocker", "h.db"),
  ]);
  assert.equal(up.code, 3, up.stderr);
  return docs;
}

/** Every synced document is fully in the hybridgraph and nothing else is; ref_counts exact. */
async function assertConsistent(home: string, docs: Record<string, Json>): Promise<number> {
  const g = openHomeGraphs(home);
  try {
    const synced = (await g.json.page(10_000)).filter((d) => d.status === "synced").map((d) =>
      d.docId
    );
    const sources = (await g.hybrid.sources(10_000)).map((s) => s.docId).sort();
    // A kill between the hybridgraph's commit and the status update leaves at most
    // one batch merged but still pending: merged again, idempotently, by the next sync.
    assert.ok(synced.every((id) => sources.includes(id)));
    assert.deepEqual(
      sorted(await g.hybrid.refCounts()),
      sorted(expectedRefCounts(sources.map((id) => docs[id]))),
    );
    return synced.length;
  } finally {
    await g.close();
  }
}

Deno.test("periodic_sync stops on SIGTERM after the batch in flight: exit 130, graphs consistent, the rest synced later", async () => {
  await using home = await tempDir("weir-graph-term-");
  const docs = await pendingHome(home.path, 30);
  const run = await weir([
    "--home",
    home.path,
    "run",
    "graph.periodic_sync",
    "--interval-seconds",
    "3600",
    "--limit",
    "5",
    "--batch-size",
    "20",
  ], {
    perms: PERMS,
    onSpawn: async (child, stderr) => {
      await waitFor(stderr, '"msg":"started"');
      child.kill("SIGTERM");
    },
  });
  assert.equal(run.code, 130, run.stderr);
  const done = await assertConsistent(home.path, docs);
  assert.ok(done < 30 || run.stderr.includes("round done"));
  const rest = await graphRun(home.path, [
    "graph.periodic_sync",
    "--continuous",
    "false",
    "--limit",
    "7",
  ]);
  assert.equal(rest.code, 0, rest.stderr);
  const out = outputOf<{ rounds: number; documents_synced: number }>(rest);
  assert.equal(out.rounds, 1);
  assert.equal(await assertConsistent(home.path, docs), 30);
});

Deno.test("periodic_sync skips its round while another process holds the lease", async () => {
  await using home = await tempDir("weir-graph-lease-");
  const docs = await pendingHome(home.path, 6);
  const statePath = join(home.path, "graph", "state.db");
  const db = openSqlite(statePath);
  try {
    migrate(db, statePath, STATE_MIGRATIONS);
    const leases = new SqliteLeaseStore(db);
    const identity = embeddedIdentity({
      json: join(home.path, "graph", "jsongraph.db"),
      hybrid: join(home.path, "graph", "hybridgraph.db"),
    });
    const lease = await leases.acquire(syncLeaseName(identity), "the test process", 60_000);
    assert.ok(lease);
    const blocked = await graphRun(home.path, ["graph.periodic_sync", "--continuous", "false"]);
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.deepEqual(
      ((
        { rounds, skipped_rounds, documents_synced },
      ) => [rounds, skipped_rounds, documents_synced])(
        outputOf<{ rounds: number; skipped_rounds: number; documents_synced: number }>(blocked),
      ),
      [1, 1, 0],
    );
    assert.match(blocked.stderr, /another process holds the sync lease/);
    assert.equal(await leases.release(lease), true);
  } finally {
    db.close();
  }
  const free = outputOf<{ skipped_rounds: number; documents_synced: number }>(
    await graphRun(home.path, ["graph.periodic_sync", "--continuous", "false"]),
  );
  assert.deepEqual([free.skipped_rounds, free.documents_synced], [0, 6]);
  assert.equal(await assertConsistent(home.path, docs), 6);
});

Deno.test("two periodic_sync processes at once never sync the same documents twice", async () => {
  await using home = await tempDir("weir-graph-two-");
  const docs = await pendingHome(home.path, 40);
  const args = [
    "graph.periodic_sync",
    "--continuous",
    "false",
    "--limit",
    "3",
    "--batch-size",
    "30",
  ];
  const [a, b] = await Promise.all([graphRun(home.path, args), graphRun(home.path, args)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const outs = [a, b].map((r) => outputOf<{ documents_synced: number; skipped_rounds: number }>(r));
  assert.equal(outs[0].documents_synced + outs[1].documents_synced, 40);
  assert.equal(await assertConsistent(home.path, docs), 40);
});
