import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import {
  migrate,
  type Migration,
  MigrationError,
  SchemaTooNewError,
} from "../../../lib/sqlite/migrations.ts";
import { isBusyError, openSqlite } from "../../../lib/sqlite/open.ts";
import { WeirError } from "../../../lib/errors.ts";

const now = () => new Date("2024-01-02T03:04:05.006Z");
const stamp = "20240102T030405006Z";

const v1: Migration = {
  version: 1,
  name: "create_items",
  up: ["CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT NOT NULL)"],
};
const v2: Migration = {
  version: 2,
  name: "create_tags",
  up: [
    "CREATE TABLE tags (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items (id))",
    "CREATE INDEX tags_item ON tags (item_id)",
  ],
};

async function withDb(
  fn: (path: string, dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weir-migrate-" });
  try {
    await fn(join(dir, "weir.db"), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A database at version 1 with one item, closed. */
function seedV1(path: string): void {
  const db = openSqlite(path);
  migrate(db, path, [v1], { now });
  db.prepare("INSERT INTO items (id, title) VALUES (1, 'kept')").run();
  db.close();
}

/** Returns what `fn` throws (failing when it returns). */
function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail("expected an error");
}

/** Runs a query and returns its rows as plain objects (node:sqlite's have no prototype). */
function rows(db: DatabaseSync, sql: string): Record<string, unknown>[] {
  return db.prepare(sql).all().map((row) => ({ ...row }));
}

function tables(db: DatabaseSync): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all()
    .map((r) => String(r.name));
}

function versions(db: DatabaseSync): number[] {
  return db.prepare("SELECT version FROM schema_migrations ORDER BY version").all()
    .map((r) => Number(r.version));
}

/** Reopens `path` and checks it is still the seeded version 1 database. */
function assertV1Intact(path: string): void {
  const db = openSqlite(path);
  try {
    assert.deepEqual(tables(db), ["items", "schema_migrations"]);
    assert.deepEqual(versions(db), [1]);
    assert.deepEqual(rows(db, "SELECT id, title FROM items"), [{ id: 1, title: "kept" }]);
  } finally {
    db.close();
  }
}

Deno.test("migrate() applies every migration to a fresh database without a backup", async () => {
  await withDb((path, dir) => {
    const db = openSqlite(path);
    const result = migrate(db, path, [v1, v2], { now });
    assert.deepEqual(result, { from: 0, to: 2, applied: [1, 2] });
    assert.deepEqual(tables(db), ["items", "schema_migrations", "tags"]);
    assert.deepEqual(rows(db, "SELECT * FROM schema_migrations"), [
      { version: 1, name: "create_items", applied_at: "2024-01-02T03:04:05.006Z" },
      { version: 2, name: "create_tags", applied_at: "2024-01-02T03:04:05.006Z" },
    ]);
    db.close();
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.includes(".bak-")), []);
  });
});

Deno.test("migrate() does nothing, and backs nothing up, when the database is current", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    assert.deepEqual(migrate(db, path, [v1], { now }), { from: 1, to: 1, applied: [] });
    db.close();
    assert.equal(existsSync(`${path}.bak-1-${stamp}`), false);
  });
});

Deno.test("migrate() backs up an existing database before upgrading it and keeps its data", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    const result = migrate(db, path, [v1, v2], { now });
    const backup = `${path}.bak-1-${stamp}`;
    assert.deepEqual(result, { from: 1, to: 2, applied: [2], backup });
    assert.deepEqual(rows(db, "SELECT title FROM items"), [{ title: "kept" }]);
    assert.deepEqual(versions(db), [1, 2]);
    db.close();
    assertV1Intact(backup);
  });
});

Deno.test("migrate() backup holds commits that were still only in the WAL and is one file", async () => {
  await withDb((path) => {
    const db = openSqlite(path);
    migrate(db, path, [v1], { now });
    db.prepare("INSERT INTO items (id, title) VALUES (1, 'kept')").run();
    assert.ok(Deno.statSync(`${path}-wal`).size > 0);
    const { backup } = migrate(db, path, [v1, v2], { now });
    db.close();
    assert.equal(existsSync(`${backup}-wal`), false);
    assertV1Intact(backup!);
  });
});

Deno.test("migrate() backs up and upgrades while another connection holds a read snapshot", async () => {
  await withDb((path) => {
    seedV1(path);
    const reader = openSqlite(path);
    reader.exec("BEGIN");
    assert.deepEqual(rows(reader, "SELECT title FROM items"), [{ title: "kept" }]);
    const db = openSqlite(path);
    const { backup } = migrate(db, path, [v1, v2], { now });
    assert.deepEqual(tables(reader), ["items", "schema_migrations"], "the snapshot is unchanged");
    reader.exec("COMMIT");
    assert.deepEqual(tables(reader), ["items", "schema_migrations", "tags"]);
    reader.close();
    db.close();
    assertV1Intact(backup!);
  });
});

Deno.test("migrate() backs up a database that has tables but no schema_migrations yet", async () => {
  await withDb((path) => {
    const db = openSqlite(path);
    db.exec("CREATE TABLE legacy (x INTEGER)");
    const result = migrate(db, path, [v1], { now });
    assert.deepEqual(result, { from: 0, to: 1, applied: [1], backup: `${path}.bak-0-${stamp}` });
    db.close();
  });
});

Deno.test("migrate() refuses a database newer than the newest migration and leaves it untouched", async () => {
  await withDb((path) => {
    const db = openSqlite(path);
    migrate(db, path, [v1, v2], { now });
    const err = catchError(() => migrate(db, path, [v1], { now }));
    assert.ok(err instanceof SchemaTooNewError);
    assert.equal(
      err.message,
      `Cannot migrate "${path}" as its schema is newer than this program knows (newest known is 1): current value is "2"`,
    );
    assert.equal(err.code, "schema_too_new");
    assert.equal(err.exitCode, 2);
    assert.deepEqual([err.found, err.known], [2, 1]);
    assert.equal(db.isOpen, true);
    assert.deepEqual(versions(db), [1, 2]);
    db.close();
  });
});

Deno.test("migrate() rolls back every migration when one fails, keeping data, backup and connection", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    const failing: Migration = {
      version: 3,
      name: "broken",
      up: ["CREATE TABLE partial (x INTEGER)", "INSERT INTO nope VALUES (1)"],
    };
    const caught = catchError(() => migrate(db, path, [v1, v2, failing], { now }));
    assert.ok(caught instanceof MigrationError);
    assert.ok(caught instanceof WeirError);
    assert.equal(
      caught.message,
      `Cannot migrate "${path}" as migration 3 ("broken") failed: no such table: nope; the database stays at version 1`,
    );
    assert.deepEqual([caught.version, caught.migration, caught.code, caught.exitCode], [
      3,
      "broken",
      "migration_failed",
      1,
    ]);
    assert.equal((caught.cause as Error).message, "no such table: nope");
    // Version 2 was applied before version 3 failed: it is rolled back too.
    assert.equal(db.isOpen, true);
    assert.equal(db.isTransaction, false);
    assert.deepEqual(tables(db), ["items", "schema_migrations"]);
    db.prepare("INSERT INTO items (id, title) VALUES (2, 'after')").run();
    db.prepare("DELETE FROM items WHERE id = 2").run();
    db.close();
    assertV1Intact(path);
    assertV1Intact(`${path}.bak-1-${stamp}`);
  });
});

Deno.test("migrate() leaves a fresh database empty and open when a function migration throws", async () => {
  await withDb((path) => {
    const db = openSqlite(path);
    const boom = new Error("boom");
    const failing: Migration = {
      version: 2,
      name: "throws",
      up: () => {
        throw boom;
      },
    };
    assert.throws(() => migrate(db, path, [v1, failing], { now }), {
      name: "MigrationError",
      message:
        `Cannot migrate "${path}" as migration 2 ("throws") failed: boom; the database stays at version 0`,
      cause: boom,
    });
    assert.deepEqual(tables(db), []);
    assert.deepEqual(migrate(db, path, [v1], { now }), { from: 0, to: 1, applied: [1] });
    db.close();
    assert.equal(existsSync(path), true);
  });
});

Deno.test("migrate() rolls back when the foreign key check fails and turns enforcement back on", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    const orphan: Migration = {
      ...v2,
      disableForeignKeys: true,
      up: [...v2.up as string[], "INSERT INTO tags (id, item_id) VALUES (7, 99)"],
    };
    assert.throws(() => migrate(db, path, [v1, orphan], { now }), {
      name: "MigrationError",
      message: `Cannot migrate "${path}" as the foreign key check failed after migrating to ` +
        `version 2: 1 foreign key violation(s), the first in table "tags" rowid 7 referring to ` +
        `"items"; the database stays at version 1`,
    });
    assert.equal(db.prepare("PRAGMA foreign_keys").get()?.foreign_keys, 1);
    db.close();
    assertV1Intact(path);
  });
});

Deno.test("migrate() rolls back when the integrity check fails after migrating", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    const corrupt: Migration = {
      version: 2,
      name: "bypass_check",
      up: (db) => {
        db.exec("CREATE TABLE scores (n INTEGER CHECK (n > 0))");
        db.exec("PRAGMA ignore_check_constraints = ON");
        db.exec("INSERT INTO scores VALUES (-1)");
        db.exec("PRAGMA ignore_check_constraints = OFF");
      },
    };
    const caught = catchError(() => migrate(db, path, [v1, corrupt], { now }));
    assert.ok(caught instanceof MigrationError);
    assert.equal(
      caught.message,
      `Cannot migrate "${path}" as the integrity check failed after migrating to version 2: ` +
        `integrity_check reported "CHECK constraint failed in scores"; the database stays at version 1`,
    );
    assert.deepEqual([caught.version, caught.migration], [2, "integrity_check"]);
    assert.equal(db.isOpen, true);
    db.close();
    assertV1Intact(path);
  });
});

Deno.test("migrate() reports a migration that ends the transaction it runs in", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    const committing: Migration = { version: 2, name: "commits", up: ["COMMIT"] };
    assert.throws(() => migrate(db, path, [v1, committing], { now }), {
      name: "MigrationError",
      message:
        `Cannot migrate "${path}" as migration 2 ("commits") failed: it ended the transaction it runs in; the database stays at version 1`,
    });
    db.close();
    assertV1Intact(path);
  });
});

Deno.test("migrate() with disableForeignKeys rebuilds a parent table and turns enforcement back on", async () => {
  await withDb((path) => {
    seedV1(path);
    const db = openSqlite(path);
    migrate(db, path, [v1, v2], { now });
    db.prepare("INSERT INTO tags (id, item_id) VALUES (1, 1)").run();
    const rebuild: Migration = {
      version: 3,
      name: "rebuild_items",
      disableForeignKeys: true,
      up: [
        "CREATE TABLE items_new (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)",
        "INSERT INTO items_new (id, title) SELECT id, title FROM items",
        "DROP TABLE items",
        "ALTER TABLE items_new RENAME TO items",
      ],
    };
    const result = migrate(db, path, [v1, v2, rebuild], { now });
    assert.deepEqual(result.applied, [3]);
    assert.deepEqual(rows(db, "SELECT item_id FROM tags"), [{ item_id: 1 }]);
    assert.equal(db.prepare("PRAGMA foreign_keys").get()?.foreign_keys, 1);
    db.close();
  });
});

Deno.test("migrate() reports a backup it cannot write and changes nothing", async () => {
  await withDb((path) => {
    seedV1(path);
    Deno.writeTextFileSync(`${path}.bak-1-${stamp}`, "in the way");
    const db = openSqlite(path);
    assert.throws(() => migrate(db, path, [v1, v2], { now }), {
      name: "MigrationError",
      message:
        `Cannot migrate "${path}" as it could not be backed up first: Cannot back up "${path}" as "${path}.bak-1-${stamp}" already exists; the database stays at version 1`,
    });
    assert.equal(db.isOpen, true);
    db.close();
    assertV1Intact(path);
    assert.equal(Deno.readTextFileSync(`${path}.bak-1-${stamp}`), "in the way");
  });
});

Deno.test("migrate() fails without changes when another connection keeps the write lock past the busy timeout", async () => {
  await withDb((path) => {
    seedV1(path);
    const writer = openSqlite(path);
    writer.exec("BEGIN IMMEDIATE");
    const db = openSqlite(path, { busyTimeoutMs: 0 });
    const caught = catchError(() => migrate(db, path, [v1, v2], { now }));
    assert.ok(caught instanceof MigrationError);
    assert.equal(
      caught.message,
      `Cannot migrate "${path}" as its write lock could not be taken: database is locked; the database stays at version 1`,
    );
    assert.deepEqual([caught.version, caught.migration], [2, "create_tags"]);
    assert.equal(isBusyError(caught.cause), true);
    writer.exec("ROLLBACK");
    writer.close();
    assert.deepEqual(migrate(db, path, [v1, v2], { now }).applied, [2]);
    db.close();
  });
});

Deno.test("migrate() refuses a connection that is inside a transaction", async () => {
  await withDb((path) => {
    const db = openSqlite(path);
    db.exec("BEGIN");
    assert.throws(() => migrate(db, path, [v1], { now }), {
      name: "Error",
      message:
        `Cannot migrate "${path}" as a transaction is already open on its connection: commit or roll it back first`,
    });
    db.exec("ROLLBACK");
    assert.deepEqual(tables(db), []);
    db.close();
  });
});

Deno.test("migrate() rolls back an in-memory database and keeps it open", () => {
  const db = openSqlite(":memory:");
  migrate(db, ":memory:", [v1]);
  assert.throws(
    () => migrate(db, ":memory:", [v1, v2, { version: 3, name: "bad", up: ["NOT SQL"] }]),
    {
      name: "MigrationError",
      message:
        'Cannot migrate ":memory:" as migration 3 ("bad") failed: near "NOT": syntax error in NOT SQL at offset 0; the database stays at version 1',
    },
  );
  assert.equal(db.isOpen, true);
  assert.deepEqual(tables(db), ["items", "schema_migrations"]);
  db.close();
});

Deno.test("migrate() refuses a dbPath that is not the connection's file", async () => {
  await withDb((path, dir) => {
    const db = openSqlite(path);
    assert.throws(() => migrate(db, join(dir, "other.db"), [v1]), {
      name: "TypeError",
      message: `Cannot migrate as dbPath is not the file the connection has open ("${
        Deno.realPathSync(path)
      }"): current value is "${join(dir, "other.db")}"`,
    });
    db.close();
  });
});

Deno.test("migrate() refuses invalid migration lists before touching the database", () => {
  const db = openSqlite(":memory:");
  const cases: [Migration[], string, string][] = [
    [
      [{ ...v1, version: 0 }],
      "RangeError",
      'Cannot migrate as migration 0 has a version that is not a positive integer: current value is "0"',
    ],
    [
      [{ ...v1, version: 1.5 }],
      "RangeError",
      'Cannot migrate as migration 0 has a version that is not a positive integer: current value is "1.5"',
    ],
    [
      [v2, v1],
      "RangeError",
      'Cannot migrate as migration versions must be unique and ascending (1 follows 2): current value is "1"',
    ],
    [
      [v1, { ...v2, version: 1 }],
      "RangeError",
      'Cannot migrate as migration versions must be unique and ascending (1 follows 1): current value is "1"',
    ],
    [
      [{ ...v1, name: "" }],
      "TypeError",
      'Cannot migrate as migration 1 has no name: current value is ""',
    ],
    [
      [{ ...v1, up: "CREATE TABLE x (y)" as unknown as string[] }],
      "TypeError",
      'Cannot migrate as migration 1 ("create_items") has an up that is neither statements nor a function: current value is "string"',
    ],
  ];
  for (const [migrations, name, message] of cases) {
    assert.throws(() => migrate(db, ":memory:", migrations), { name, message });
  }
  assert.deepEqual(tables(db), []);
  db.close();
});
