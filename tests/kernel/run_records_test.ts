import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Redactor } from "../../lib/redact.ts";
import { RunRecords } from "../../kernel/run_records.ts";
import { RUN_MIGRATIONS } from "../../kernel/run_schema.ts";
import { migrate } from "../../lib/sqlite/migrations.ts";

async function withHome(fn: (home: string) => Promise<void> | void): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "weir-records-" });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const start = (records: RunRecords, id: string) =>
  records.start({ id, kind: "task", name: "probe.echo", params: {} });

Deno.test("a run this process is running stays running for every reader, in and out of its store", () =>
  withHome((home) => {
    const a = RunRecords.open(home, new Redactor());
    const b = RunRecords.open(home, new Redactor());
    try {
      start(a, "r1");
      assert.equal(a.get("r1")?.status, "running");
      // Another connection (as another process would) sees the lock held.
      assert.equal(b.get("r1")?.status, "running");
      a.finish("r1", { status: "succeeded" });
      assert.equal(b.get("r1")?.status, "succeeded");
      assert.equal(b.get("r1")?.pid, Deno.pid);
    } finally {
      a.close();
      b.close();
    }
  }));

Deno.test("a run left running without its lock is marked abandoned on the next read, naming the process", () =>
  withHome((home) => {
    const a = RunRecords.open(home, new Redactor());
    start(a, "r1");
    // Closing without finishing drops the lock, as the death of the process would.
    a.close();
    const b = RunRecords.open(home, new Redactor());
    try {
      const run = b.list().find((r) => r.id === "r1");
      assert.equal(run?.status, "abandoned");
      assert.match(
        run!.error!,
        new RegExp(`^The process ${Deno.pid}\\b.* stopped before the run finished`),
      );
    } finally {
      b.close();
    }
  }));

Deno.test("interruptActive() marks unfinished runs interrupted and releases their locks", () =>
  withHome((home) => {
    const a = RunRecords.open(home, new Redactor());
    try {
      start(a, "r1");
      assert.deepEqual(a.interruptActive(), ["r1"]);
      assert.equal(a.get("r1")?.status, "interrupted");
    } finally {
      a.close();
    }
  }));

Deno.test("a version 1 run store upgrades in place: rows kept, pid and host added, old running rows abandoned", () =>
  withHome((home) => {
    const path = join(home, "weir.db");
    const old = new DatabaseSync(path);
    migrate(old, path, RUN_MIGRATIONS.slice(0, 1));
    const insert = old.prepare(
      `INSERT INTO runs (id, kind, name, status, params, started_at)
       VALUES (?, 'task', 'probe.echo', ?, '{}', '2026-01-01T00:00:00.000Z')`,
    );
    insert.run("done", "succeeded");
    insert.run("stuck", "running");
    old.close();
    const records = RunRecords.open(home, new Redactor());
    try {
      assert.equal(records.get("done")?.status, "succeeded");
      assert.equal(records.get("done")?.pid, null);
      assert.equal(records.get("stuck")?.status, "abandoned");
      assert.match(records.get("stuck")!.error!, /^The process \? stopped/);
    } finally {
      records.close();
    }
  }));
