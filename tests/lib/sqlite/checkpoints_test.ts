import assert from "node:assert/strict";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { checkpointsMigration, CheckpointStore } from "../../../lib/sqlite/checkpoints.ts";
import { migrate, type Migration } from "../../../lib/sqlite/migrations.ts";
import { openSqlite, transaction } from "../../../lib/sqlite/open.ts";

/** An in-memory database migrated to hold checkpoints. */
function checkpointDb(): DatabaseSync {
  const db = openSqlite(":memory:");
  migrate(db, ":memory:", [checkpointsMigration(1)]);
  return db;
}

const ITEMS: readonly Migration[] = [
  { version: 1, name: "items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
  checkpointsMigration(2),
];

Deno.test("CheckpointStore round-trips JSON values and returns undefined for missing keys", () => {
  const db = checkpointDb();
  const store = new CheckpointStore(db, "demo.sync");
  const values: Record<string, unknown> = {
    object: { lastId: 42, tags: ["a", "b"] },
    array: [1, "two", null],
    number: 3.5,
    string: "cursor-9",
    boolean: false,
    null: null,
  };
  for (const [key, value] of Object.entries(values)) store.set(key, value);
  for (const [key, value] of Object.entries(values)) assert.deepEqual(store.get(key), value);
  assert.equal(store.get("missing"), undefined);
  db.close();
});

Deno.test("CheckpointStore.set() replaces the value and stamps updated_at with the clock", () => {
  const db = checkpointDb();
  let time = new Date("2024-05-01T00:00:00.000Z");
  const store = new CheckpointStore(db, "demo", { now: () => time });
  store.set("page", 1);
  time = new Date("2024-05-01T00:00:01.000Z");
  store.set("page", 2);
  assert.equal(store.get("page"), 2);
  const row = db.prepare("SELECT value, updated_at FROM weir_checkpoints WHERE key = 'page'").get();
  assert.deepEqual({ ...row }, { value: "2", updated_at: "2024-05-01T00:00:01.000Z" });
  db.close();
});

Deno.test("CheckpointStore keeps scopes apart: same key, separate values, clear() only its own", () => {
  const db = checkpointDb();
  const a = new CheckpointStore(db, "task.a");
  const b = new CheckpointStore(db, "task.b");
  a.set("cursor", "a-1");
  b.set("cursor", "b-1");
  assert.equal(a.get("cursor"), "a-1");
  assert.equal(b.get("cursor"), "b-1");
  assert.equal(a.clear(), 1);
  assert.equal(a.get("cursor"), undefined);
  assert.equal(b.get("cursor"), "b-1");
  db.close();
});

Deno.test("CheckpointStore.list() returns the scope's entries sorted by key", () => {
  const db = checkpointDb();
  const store = new CheckpointStore(db, "demo");
  store.set("b", { n: 2 });
  store.set("a", { n: 1 });
  store.set("c", [3]);
  new CheckpointStore(db, "other").set("a", "not mine");
  assert.deepEqual(store.list(), [
    { key: "a", value: { n: 1 } },
    { key: "b", value: { n: 2 } },
    { key: "c", value: [3] },
  ]);
  db.close();
});

Deno.test("CheckpointStore.delete() reports whether a checkpoint was removed", () => {
  const db = checkpointDb();
  const store = new CheckpointStore(db, "demo");
  store.set("page", 1);
  assert.equal(store.delete("page"), true);
  assert.equal(store.delete("page"), false);
  assert.equal(store.get("page"), undefined);
  db.close();
});

Deno.test("checkpointsMigration() gives a migrated database the checkpoint table, recorded as a schema version", () => {
  const db = openSqlite(":memory:");
  try {
    const result = migrate(db, ":memory:", ITEMS);
    assert.deepEqual(result.applied, [1, 2]);
    const versions = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version")
      .all().map((r) => [Number(r.version), String(r.name)]);
    assert.deepEqual(versions, [[1, "items"], [2, "weir_checkpoints"]]);
    const columns = db.prepare("SELECT name FROM pragma_table_info('weir_checkpoints')").all()
      .map((r) => String(r.name));
    assert.deepEqual(columns, ["scope", "key", "value", "updated_at"]);
  } finally {
    db.close();
  }
});

Deno.test("checkpointsMigration() adopts a checkpoint table made before it was a migration", () => {
  const db = openSqlite(":memory:");
  try {
    db.exec(
      "CREATE TABLE weir_checkpoints (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID",
    );
    db.exec("INSERT INTO weir_checkpoints VALUES ('demo', 'cursor', '7', '2024-05-01T00:00:00Z')");
    migrate(db, ":memory:", [checkpointsMigration(1)]);
    assert.equal(new CheckpointStore(db, "demo").get("cursor"), 7);
  } finally {
    db.close();
  }
});

Deno.test("CheckpointStore refuses a database whose migrations lack the checkpoint table, naming the fix", () => {
  const db = openSqlite(":memory:");
  try {
    assert.throws(() => new CheckpointStore(db, "demo.sync"), {
      name: "Error",
      message:
        'Cannot open checkpoints "demo.sync" as the database has no weir_checkpoints table (add checkpointsMigration(<next version>) to its migrations): current value is ":memory:"',
    });
    // Nothing was created behind the caller's back.
    assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_schema").get()?.n, 0);
  } finally {
    db.close();
  }
});

Deno.test("CheckpointStore writes commit or roll back with the caller's data in one transaction", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weir-checkpoints-" });
  const path = join(dir, "state.db");
  try {
    const db = openSqlite(path);
    migrate(db, path, ITEMS);
    const store = new CheckpointStore(db, "demo.sync");
    transaction(db, () => {
      db.prepare("INSERT INTO items (id) VALUES (1), (2)").run();
      store.set("cursor", 2);
    });
    assert.throws(
      () =>
        transaction(db, () => {
          db.prepare("INSERT INTO items (id) VALUES (3)").run();
          store.set("cursor", 3);
          throw new Error("crash before commit");
        }),
      { message: "crash before commit" },
    );
    db.close();

    const reopened = openSqlite(path);
    const resumed = new CheckpointStore(reopened, "demo.sync");
    assert.equal(resumed.get("cursor"), 2);
    assert.equal(reopened.prepare("SELECT max(id) AS id FROM items").get()?.id, 2);
    reopened.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CheckpointStore can be created inside the caller's transaction", () => {
  const db = checkpointDb();
  transaction(db, () => new CheckpointStore(db, "demo").set("k", "v"));
  assert.equal(new CheckpointStore(db, "demo").get("k"), "v");
  db.close();
});

Deno.test("CheckpointStore.set() refuses values with no JSON form", () => {
  const db = checkpointDb();
  const store = new CheckpointStore(db, "demo");
  assert.throws(() => store.set("k", undefined), {
    name: "TypeError",
    message:
      'Cannot set checkpoint "k" as its value has no JSON form: current value is "undefined"',
  });
  assert.throws(() => store.set("k", () => 1), {
    name: "TypeError",
    message: 'Cannot set checkpoint "k" as its value has no JSON form: current value is "function"',
  });
  assert.equal(store.get("k"), undefined);
  db.close();
});

Deno.test("CheckpointStore refuses an empty scope or key", () => {
  const db = checkpointDb();
  assert.throws(() => new CheckpointStore(db, ""), {
    name: "TypeError",
    message:
      'Cannot open a checkpoint store as its scope must be a non-empty string: current value is ""',
  });
  const store = new CheckpointStore(db, "demo");
  const message =
    'Cannot use a checkpoint key as it must be a non-empty string: current value is ""';
  assert.throws(() => store.get(""), { name: "TypeError", message });
  assert.throws(() => store.set("", 1), { name: "TypeError", message });
  assert.throws(() => store.delete(""), { name: "TypeError", message });
  db.close();
});
