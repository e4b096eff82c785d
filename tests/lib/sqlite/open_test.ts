import assert from "node:assert/strict";
import { join } from "node:path";
import {
  backupSqlite,
  execEach,
  isBusyError,
  openSqlite,
  transaction,
} from "../../../lib/sqlite/mod.ts";

async function withTempDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weir-sqlite-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function pragma(db: ReturnType<typeof openSqlite>, name: string): unknown {
  return Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
}

Deno.test("openSqlite() creates missing parent folders and applies WAL, NORMAL, foreign keys and a 5 s busy timeout", async () => {
  await withTempDir((dir) => {
    const db = openSqlite(join(dir, "a", "b", "weir.db"));
    try {
      assert.equal(pragma(db, "journal_mode"), "wal");
      assert.equal(pragma(db, "synchronous"), 1);
      assert.equal(pragma(db, "foreign_keys"), 1);
      assert.equal(pragma(db, "busy_timeout"), 5000);
    } finally {
      db.close();
    }
  });
});

Deno.test("openSqlite() keeps an in-memory database out of WAL and honours busyTimeoutMs", () => {
  const db = openSqlite(":memory:", { busyTimeoutMs: 250 });
  assert.equal(pragma(db, "journal_mode"), "memory");
  assert.equal(pragma(db, "busy_timeout"), 250);
  db.close();
});

Deno.test("openSqlite() refuses a negative busyTimeoutMs with a RangeError", () => {
  assert.throws(() => openSqlite(":memory:", { busyTimeoutMs: -1 }), {
    name: "RangeError",
    message:
      'Cannot open a database as busyTimeoutMs must be a non-negative integer: current value is "-1"',
  });
});

Deno.test("transaction() commits and returns what the function returned", () => {
  const db = openSqlite(":memory:");
  db.exec("CREATE TABLE t (x INTEGER)");
  const result = transaction(db, () => {
    db.prepare("INSERT INTO t VALUES (1)").run();
    return "done";
  });
  assert.equal(result, "done");
  assert.equal(db.isTransaction, false);
  assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 1);
  db.close();
});

Deno.test("transaction() rolls back and rethrows the function's own error", () => {
  const db = openSqlite(":memory:");
  db.exec("CREATE TABLE t (x INTEGER)");
  const boom = new Error("boom");
  assert.throws(
    () =>
      transaction(db, () => {
        db.prepare("INSERT INTO t VALUES (1)").run();
        throw boom;
      }),
    (err) => err === boom,
  );
  assert.equal(db.isTransaction, false);
  assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
  db.close();
});

Deno.test("transaction() refuses to nest and the outer transaction rolls back", () => {
  const db = openSqlite(":memory:");
  db.exec("CREATE TABLE t (x INTEGER)");
  assert.throws(
    () =>
      transaction(db, () => {
        db.prepare("INSERT INTO t VALUES (1)").run();
        transaction(db, () => {});
      }),
    {
      name: "Error",
      message:
        "Cannot begin a transaction as one is already open on this connection: nest the work in the outer transaction instead",
    },
  );
  assert.equal(db.isTransaction, false);
  assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
  db.close();
});

Deno.test("transaction() refuses a function that returns a promise and rolls back", () => {
  const db = openSqlite(":memory:");
  db.exec("CREATE TABLE t (x INTEGER)");
  assert.throws(
    () =>
      transaction(db, async () => {
        db.prepare("INSERT INTO t VALUES (1)").run();
        await Promise.resolve();
      }),
    {
      name: "TypeError",
      message:
        'Cannot commit a transaction as its function returned a promise: current value is "Promise"',
    },
  );
  assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
  db.close();
});

Deno.test("transaction() takes the write lock at once by default, so a second writer gets a busy error", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "weir.db");
    const first = openSqlite(path);
    const second = openSqlite(path, { busyTimeoutMs: 0 });
    try {
      first.exec("CREATE TABLE t (x INTEGER)");
      transaction(first, () => {
        let caught: unknown;
        try {
          transaction(second, () => {});
        } catch (err) {
          caught = err;
        }
        assert.equal(isBusyError(caught), true);
        assert.equal((caught as { errcode?: number }).errcode, 5);
        assert.equal(second.isTransaction, false);
      });
    } finally {
      second.close();
      first.close();
    }
  });
});

Deno.test("transaction({ immediate: false }) starts deferred and takes no lock until it writes", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "weir.db");
    const first = openSqlite(path);
    const second = openSqlite(path, { busyTimeoutMs: 0 });
    try {
      first.exec("CREATE TABLE t (x INTEGER)");
      transaction(first, () => {
        transaction(second, () => second.prepare("INSERT INTO t VALUES (2)").run());
      }, { immediate: false });
      assert.equal(first.prepare("SELECT count(*) AS n FROM t").get()?.n, 1);
    } finally {
      second.close();
      first.close();
    }
  });
});

Deno.test("isBusyError() accepts SQLITE_BUSY, SQLITE_LOCKED and their extended codes only", () => {
  const withCode = (errcode: number) => Object.assign(new Error("x"), { errcode });
  assert.equal(isBusyError(withCode(5)), true);
  assert.equal(isBusyError(withCode(6)), true);
  assert.equal(isBusyError(withCode(517)), true); // SQLITE_BUSY_SNAPSHOT
  assert.equal(isBusyError(withCode(262)), true); // SQLITE_LOCKED_SHAREDCACHE
  assert.equal(isBusyError(withCode(1)), false);
  assert.equal(isBusyError(withCode(19)), false); // SQLITE_CONSTRAINT
  assert.equal(isBusyError("database is locked"), false);
  assert.equal(isBusyError(undefined), false);
});

Deno.test("isBusyError() recognises a busy error from db.exec(), which carries no errcode", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "weir.db");
    const first = openSqlite(path);
    const second = openSqlite(path, { busyTimeoutMs: 0 });
    try {
      first.exec("CREATE TABLE t (x INTEGER)");
      first.exec("BEGIN IMMEDIATE");
      let caught: unknown;
      try {
        second.exec("INSERT INTO t VALUES (1)");
      } catch (err) {
        caught = err;
      }
      first.exec("ROLLBACK");
      assert.equal(isBusyError(caught), true);
      assert.equal(isBusyError(new Error("no such table: t")), false);
    } finally {
      second.close();
      first.close();
    }
  });
});

Deno.test("execEach() runs statements in order and stops at the first failure", () => {
  const db = openSqlite(":memory:");
  assert.throws(
    () =>
      execEach(db, [
        "CREATE TABLE a (x INTEGER)",
        "INSERT INTO nope VALUES (1)",
        "CREATE TABLE b (x INTEGER)",
      ]),
    { message: "no such table: nope" },
  );
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
  assert.deepEqual(tables.map((r) => r.name), ["a"]);
  db.close();
});

Deno.test("backupSqlite() copies committed rows still in the WAL and leaves the database open", async () => {
  await withTempDir((dir) => {
    const db = openSqlite(join(dir, "weir.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    db.prepare("INSERT INTO t VALUES (1), (2)").run();
    backupSqlite(db, join(dir, "copy.db"));
    db.prepare("INSERT INTO t VALUES (3)").run();
    db.close();
    const copy = openSqlite(join(dir, "copy.db"));
    assert.equal(copy.prepare("SELECT count(*) AS n FROM t").get()?.n, 2);
    copy.close();
  });
});

Deno.test("backupSqlite() refuses an existing target and an in-memory database", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "weir.db");
    const target = join(dir, "taken.db");
    Deno.writeTextFileSync(target, "keep me");
    const db = openSqlite(path);
    assert.throws(() => backupSqlite(db, target), {
      name: "Error",
      message: `Cannot back up "${path}" as "${target}" already exists`,
    });
    assert.equal(Deno.readTextFileSync(target), "keep me");
    db.close();
    const memory = openSqlite(":memory:");
    assert.throws(() => backupSqlite(memory, target), {
      name: "TypeError",
      message: 'Cannot back up a database as it lives in memory: current value is ":memory:"',
    });
    memory.close();
  });
});
