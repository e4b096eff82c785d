import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseError, isBusyError, openSqlite } from "../../../lib/sqlite/mod.ts";

async function withTempDir(fn: (dir: string) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weir-dberr-" });
  try {
    fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openSqlite() names a file that is not a database, with the caller's hint and SQLite's error as cause", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "app.db");
    Deno.writeTextFileSync(path, "plain text, not SQLite ".repeat(50));
    let caught: unknown;
    try {
      openSqlite(path, { corruptHint: 'run "weir run app.check"' });
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof DatabaseError);
    assert.equal(caught.problem, "corrupt");
    assert.equal(caught.code, "database_corrupt");
    assert.equal(caught.exitCode, 1);
    assert.equal(caught.path, path);
    assert.equal(
      caught.message,
      `Cannot use database "${path}" as it is corrupted (file is not a database): run "weir run app.check"`,
    );
    assert.equal((caught.cause as Error).message, "file is not a database");
  });
});

Deno.test("openSqlite() names a locked file past the busy timeout, and isBusyError() still sees it", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "app.db");
    const holder = openSqlite(path);
    try {
      holder.exec("PRAGMA locking_mode = EXCLUSIVE");
      holder.exec("CREATE TABLE t (x INTEGER)");
      let caught: unknown;
      try {
        openSqlite(path, { busyTimeoutMs: 0 }).close();
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof DatabaseError);
      assert.equal(caught.problem, "busy");
      assert.equal(isBusyError(caught), true);
      // This process holds it, and a process never names itself.
      assert.equal(
        caught.message,
        `Cannot use database "${path}" as another connection holds its lock (database is locked): wait for the other run using it to finish, then try again`,
      );
    } finally {
      holder.close();
    }
  });
});
