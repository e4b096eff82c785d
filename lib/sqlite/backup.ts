/**
 * Consistent copies of a live SQLite database, taken under its write lock.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { transaction } from "./open.ts";
import { removeIfThere } from "./_remove.ts";

/**
 * Copies a file database to `target` with every committed transaction in it,
 * while `db` and other connections stay open. Under the write lock (no commit
 * can land meanwhile) the file and its `-wal` are copied; the copied WAL is
 * then folded into the copy, which is left as one file in rollback journal
 * mode.
 *
 * Deno's `node:sqlite` refuses `VACUUM INTO` (like `ATTACH`) unless the
 * process has every permission, so this copies the files themselves.
 *
 * @param db An open file database: outside any transaction (the write lock
 * is taken and released here, waiting up to the busy timeout), or inside one
 * begun with `BEGIN IMMEDIATE` that has not written yet.
 * @param target The new file; it must not exist.
 * @throws {TypeError} When `db` is an in-memory database.
 * @throws {Error} When `target` exists, the write lock cannot be taken or a
 * copy fails (nothing is left at `target` then).
 *
 * @example Back up a database
 * ```ts
 * import { openSqlite } from "./open.ts";
 * import { backupSqlite } from "./backup.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const db = openSqlite(`${dir}/weir.db`);
 * db.exec("CREATE TABLE t (x INTEGER)");
 * backupSqlite(db, `${dir}/weir.db.bak`);
 * db.close();
 * const copy = openSqlite(`${dir}/weir.db.bak`);
 * assert.equal(copy.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
 * copy.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function backupSqlite(db: DatabaseSync, target: string): void {
  const path = db.location();
  if (path === null) {
    throw new TypeError(
      'Cannot back up a database as it lives in memory: current value is ":memory:"',
    );
  }
  if (sizeOf(target) !== undefined) {
    throw new Error(`Cannot back up "${path}" as "${target}" already exists`);
  }
  const copy = () => {
    // A stray -wal beside the target would be replayed into the copy.
    for (const suffix of ["-wal", "-shm"]) removeIfThere(target + suffix);
    Deno.copyFileSync(path, target);
    try {
      // Other connections may checkpoint meanwhile, but only WAL pages, which the copied WAL restores.
      const wal = `${path}-wal`;
      if ((sizeOf(wal) ?? 0) > 0) Deno.copyFileSync(wal, `${target}-wal`);
      const copied = new DatabaseSync(target);
      try {
        copied.exec("PRAGMA journal_mode = DELETE");
      } finally {
        copied.close();
      }
      using file = Deno.openSync(target, { write: true });
      file.syncSync();
    } catch (err) {
      for (const suffix of ["", "-wal", "-shm"]) removeIfThere(target + suffix);
      throw err;
    }
  };
  if (db.isTransaction) copy();
  else transaction(db, copy);
}

/** A file's size, or `undefined` when it does not exist. */
function sizeOf(path: string): number | undefined {
  try {
    return Deno.statSync(path).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}
