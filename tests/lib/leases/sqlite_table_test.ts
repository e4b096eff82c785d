import assert from "node:assert/strict";
import { join } from "node:path";
import { leasesMigration, SqliteLeaseStore } from "../../../lib/leases/sqlite.ts";
import { migrate } from "../../../lib/sqlite/migrations.ts";
import { openSqlite } from "../../../lib/sqlite/open.ts";

Deno.test("SqliteLeaseStore refuses a database without its table instead of creating one, naming the fix", () => {
  const db = openSqlite(":memory:");
  try {
    assert.throws(() => new SqliteLeaseStore(db), {
      name: "Error",
      message:
        'Cannot open a lease store as the database has no table "weir_leases" (add leasesMigration(<next version>, "weir_leases") to its migrations, or use SqliteLeaseStore.open on a file of its own): current value is ":memory:"',
    });
    assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_schema").get()?.n, 0);
  } finally {
    db.close();
  }
});

Deno.test("SqliteLeaseStore.open() migrates its dedicated file to version 1 once, across reopenings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weir-leases-" });
  const path = join(dir, "leases.db");
  try {
    const first = SqliteLeaseStore.open(path);
    const lease = await first.acquire("nightly", "a", 60_000);
    await first.close();
    const again = SqliteLeaseStore.open(path);
    assert.equal((await again.current("nightly"))?.token, lease?.token);
    await again.close();
    const db = openSqlite(path);
    try {
      const versions = db.prepare("SELECT version, name FROM schema_migrations").all()
        .map((r) => [Number(r.version), String(r.name)]);
      assert.deepEqual(versions, [[1, "weir_leases"]]);
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("leasesMigration() puts a lease table among an application's own migrations", async () => {
  const db = openSqlite(":memory:");
  try {
    migrate(db, ":memory:", [
      { version: 1, name: "jobs", up: ["CREATE TABLE jobs (id INTEGER PRIMARY KEY)"] },
      leasesMigration(2, "job_leases"),
    ]);
    const store = new SqliteLeaseStore(db, { table: "job_leases" });
    assert.equal((await store.acquire("jobs", "a", 60_000))?.token, 1);
    await store.close();
    assert.equal(db.prepare("SELECT count(*) AS n FROM job_leases").get()?.n, 1);
  } finally {
    db.close();
  }
});

Deno.test("leasesMigration() refuses a table name that is not an identifier", () => {
  assert.throws(() => leasesMigration(1, "leases; DROP TABLE x"), { name: "TypeError" });
});
