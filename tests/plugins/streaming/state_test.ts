import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { testKernel } from "../../helpers/kernel.ts";
import { assertCleanDatabase } from "../../helpers/ontology.ts";
import { CheckpointStore } from "../../../lib/sqlite/checkpoints.ts";
import { migrate } from "../../../lib/sqlite/migrations.ts";
import { openSqlite } from "../../../lib/sqlite/open.ts";
import { MIGRATIONS } from "../../../plugins/streaming/schema.ts";

const SAMPLE = "fixtures/ontology/sample/pages";

interface LastRun {
  run_id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  counts: Record<string, number>;
}

interface Status {
  sources: {
    location: string;
    last_run: LastRun | null;
    failures: { path: string }[];
  }[];
}

function tables(path: string): string[] {
  const db = openSqlite(path);
  try {
    return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all()
      .map((r) => String(r.name));
  } finally {
    db.close();
  }
}

function syncCheckpoints(path: string): Record<string, unknown> {
  const db = openSqlite(path);
  try {
    const list = new CheckpointStore(db, "streaming.sync").list();
    return Object.fromEntries(list.map((e) => [e.key, e.value]));
  } finally {
    db.close();
  }
}

Deno.test("streaming.status reports each source's last sync from the kernel's run record: status, counts, times", async () => {
  const t = await testKernel();
  try {
    const db = join(t.home, "o.db");
    const first = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
    const second = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
    assert.equal(second.status, "partial");

    const status = await t.kernel.runTask("streaming.status", { db });
    const [src] = (status.output as Status).sources;
    const record = t.kernel.records().get(second.runId)!;
    assert.notEqual(second.runId, first.runId);
    assert.deepEqual(src.last_run, {
      run_id: second.runId,
      status: "partial",
      started_at: record.startedAt,
      ended_at: record.endedAt,
      counts: record.counters,
    });
    // The second run found the saved and skipped pages unchanged and retried the failed ones.
    assert.deepEqual(src.last_run?.counts, {
      listed: 17,
      read: 4,
      saved: 0,
      unchanged: 13,
      skipped: 0,
      warned: 0,
      failed: 4,
      deleted: 0,
    });
    assert.deepEqual(record.failures.map((f) => f.item).sort(), src.failures.map((f) => f.path));
  } finally {
    await t.close();
  }
});

Deno.test("streaming keeps no run table: its database holds the ontology, its checkpoints and schema versions", async () => {
  const t = await testKernel();
  try {
    const db = join(t.home, "o.db");
    const sync = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
    const all = tables(db);
    assert.ok(!all.includes("sync_runs"), all.join(", "));
    assert.ok(all.includes("weir_checkpoints") && all.includes("schema_migrations"));
    assert.deepEqual(syncCheckpoints(db), { "source:1": { run_id: sync.runId, done: true } });
  } finally {
    await t.close();
  }
});

/**
 * Writes a database as schema version 1 left it: a source for the sample
 * directory, a page, and sync_runs rows, the newest with `latest` status.
 */
function writeVersionOne(path: string, latest: string): void {
  const db = openSqlite(path);
  try {
    migrate(db, path, MIGRATIONS.slice(0, 1));
    const at = "2025-01-01T00:00:00.000Z";
    db.prepare("INSERT INTO sources (id, kind, location, created_at) VALUES (?, ?, ?, ?)")
      .run(1, "dir", `dir:${resolve(SAMPLE)}`, at);
    db.prepare("INSERT INTO sources (id, kind, location, created_at) VALUES (?, ?, ?, ?)")
      .run(2, "dir", "dir:/elsewhere", at);
    db.prepare(
      `INSERT INTO pages (source_id, path, version, content_sha, outcome, reason, line, run_id, synced_at)
       VALUES (1, 'Avatar.md', 'old', NULL, 'skipped', 'no block', NULL, 'r-old', ?)`,
    ).run(at);
    const run = db.prepare(
      "INSERT INTO sync_runs (run_id, source_id, status, started_at, ended_at, counts) VALUES (?, ?, ?, ?, ?, '{}')",
    );
    run.run("r-old", 1, "succeeded", "2025-01-01T00:00:00.000Z", "2025-01-01T00:01:00.000Z");
    run.run("r-new", 1, latest, "2025-01-02T00:00:00.000Z", null);
    run.run("r-other", 2, "succeeded", "2025-01-01T00:00:00.000Z", "2025-01-01T00:01:00.000Z");
  } finally {
    db.close();
  }
}

Deno.test("an old streaming database upgrades: sync_runs goes, each source's last run becomes its checkpoint, an interrupted one is resumed", async () => {
  const t = await testKernel();
  try {
    const db = join(t.home, "old", "o.db");
    await Deno.mkdir(join(t.home, "old"));
    writeVersionOne(db, "interrupted");

    const sync = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
    const out = sync.output as { resumed: boolean; saved: number };
    assert.equal(out.resumed, true);
    assert.equal(out.saved, 10, "the page left by version 1 is synced again");

    assert.ok(!tables(db).includes("sync_runs"));
    const upgraded = openSqlite(db);
    try {
      const versions = upgraded.prepare("SELECT version FROM schema_migrations ORDER BY version")
        .all().map((r) => Number(r.version));
      assert.deepEqual(versions, [1, 2, 3, 4]);
    } finally {
      upgraded.close();
    }
    assert.deepEqual(syncCheckpoints(db), {
      "source:1": { run_id: sync.runId, done: true },
      "source:2": { run_id: "r-other", done: true },
    });
    // migrate() kept a copy of the version-1 database.
    assert.equal(
      readdirSync(join(t.home, "old")).filter((f) => f.startsWith("o.db.bak-1-")).length,
      1,
    );
    assertCleanDatabase(db);

    // A source whose last run is not in this home's run records has no last run to show.
    const status = await t.kernel.runTask("streaming.status", { db });
    const sources = (status.output as Status).sources;
    assert.deepEqual(sources.map((s) => s.last_run?.run_id ?? null), [sync.runId, null]);
  } finally {
    await t.close();
  }
});

Deno.test("an old streaming database whose last sync finished upgrades to a finished checkpoint and is not resumed", async () => {
  const t = await testKernel();
  try {
    const db = join(t.home, "o.db");
    writeVersionOne(db, "partial");
    const upgraded = openSqlite(db);
    try {
      migrate(upgraded, db, MIGRATIONS);
    } finally {
      upgraded.close();
    }
    assert.deepEqual(syncCheckpoints(db)["source:1"], { run_id: "r-new", done: true });
    const sync = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
    assert.equal((sync.output as { resumed: boolean }).resumed, false);
  } finally {
    await t.close();
  }
});
