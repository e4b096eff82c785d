import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import FakeTimers from "@sinonjs/fake-timers";
import { GroupCommit } from "../../../plugins/streaming/group_commit.ts";
import { ReadDeadlines } from "../../../plugins/streaming/read_deadline.ts";

function table(): { db: DatabaseSync; insert: (x: number) => void; rows: () => number[] } {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (x INTEGER)");
  const insert = db.prepare("INSERT INTO t VALUES (?)");
  const select = db.prepare("SELECT x FROM t ORDER BY x");
  return {
    db,
    insert: (x) => void insert.run(x),
    rows: () => select.all().map((r) => Number(r.x)),
  };
}

Deno.test("GroupCommit commits every maxPages pages, and a failed page rolls back alone", () => {
  const { db, insert, rows } = table();
  const group = new GroupCommit(db, { maxPages: 3, maxMs: 60_000 });
  for (const x of [1, 2]) group.page(() => insert(x));
  assert.equal(db.isTransaction, true, "two pages wait for a third");
  assert.throws(() => group.page(() => (insert(99), assert.fail("bad page"))), {
    message: "bad page",
  });
  group.page(() => insert(3));
  assert.equal(db.isTransaction, false, "the third page closed the group");
  assert.deepEqual(rows(), [1, 2, 3]);
  assert.deepEqual([group.stats.commits, group.stats.pages], [1, 3]);
  group.close();
  db.close();
});

Deno.test("GroupCommit commits a group older than maxMs from its timer, with no page coming", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    const { db, insert, rows } = table();
    const group = new GroupCommit(db, { maxPages: 32, maxMs: 50 });
    group.page(() => insert(1));
    assert.equal(db.isTransaction, true);
    await clock.tickAsync(49);
    assert.equal(db.isTransaction, true);
    await clock.tickAsync(1);
    assert.equal(db.isTransaction, false);
    assert.deepEqual(rows(), [1]);
    group.close();
    db.close();
  } finally {
    clock.uninstall();
  }
});

Deno.test("GroupCommit.close commits what is open and gives back the automatic WAL checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = new DatabaseSync(`${dir}/g.db`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("CREATE TABLE t (x INTEGER)");
    const group = new GroupCommit(db, { checkpointPages: 2 });
    assert.equal(db.prepare("PRAGMA wal_autocheckpoint").get()?.wal_autocheckpoint, 0);
    for (const x of [1, 2, 3]) group.page(() => void db.prepare("INSERT INTO t VALUES (?)").run(x));
    group.close();
    assert.equal(db.isTransaction, false);
    assert.equal(db.prepare("PRAGMA wal_autocheckpoint").get()?.wal_autocheckpoint, 1000);
    // A PASSIVE one after the commit (3 pages >= 2), a TRUNCATE one at the end.
    assert.equal(group.stats.checkpointMs.length, 2);
    assert.equal((await Deno.stat(`${dir}/g.db-wal`)).size, 0);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ReadDeadlines passes a read's result and error through, and aborts reads when the run stops", async () => {
  const run = new AbortController();
  const deadlines = new ReadDeadlines(60_000, run.signal);
  assert.equal(await deadlines.read("a.md", () => Promise.resolve("text")), "text");
  await assert.rejects(deadlines.read("a.md", () => Promise.reject(new Error("gone"))), {
    message: "gone",
  });
  const pending = deadlines.read(
    "b.md",
    (signal) =>
      new Promise<string>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
  );
  run.abort(new Error("SIGINT"));
  await assert.rejects(pending, { message: "SIGINT" }); // not a timeout: the run stopped
  deadlines.close();
});
