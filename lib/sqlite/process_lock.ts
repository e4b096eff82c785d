/**
 * Proof of life for a process's work: the process holds an exclusive SQLite
 * lock on a small file for as long as the work goes (weir's run records keep
 * one beside each run's manifest). The operating system drops the lock when
 * the process dies, whatever the cause (kill -9, a crash, power loss), so
 * another process can tell at once, without a timeout, that work marked as
 * going has no process left.
 *
 * SQLite's locks are used, not a file lock of Deno's, because they need no
 * permission beyond the home directory and a failed attempt to take one is
 * immediate (`busy_timeout = 0`).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { removeIfThere } from "./_remove.ts";
import { createPrivateFile } from "./open.ts";

/** A held process lock; releasing it removes the file. */
export interface HeldProcessLock extends Disposable {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock and removes its file; a second call does nothing. */
  release(): void;
}

/**
 * Takes the process lock at `path`, creating the file.
 *
 * @param path The lock file, e.g. `<home>/runs/<id>/alive.lock`.
 * @returns The held lock.
 * @throws {Error} When another process holds it, or the file cannot be created.
 *
 * @example A held lock is seen as alive; a released one is not
 * ```ts
 * import { holdProcessLock, isProcessLockHeld } from "./process_lock.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const lock = holdProcessLock(`${dir}/alive.lock`);
 *   assert.equal(isProcessLockHeld(`${dir}/alive.lock`), true);
 *   lock.release();
 *   assert.equal(isProcessLockHeld(`${dir}/alive.lock`), false);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function holdProcessLock(path: string): HeldProcessLock {
  createPrivateFile(path);
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 0");
    // A rollback journal: an exclusive lock then keeps every other connection out.
    db.exec("PRAGMA journal_mode = DELETE");
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    throw err;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    db.close();
    removeIfThere(path);
    removeIfThere(`${path}-journal`);
  };
  return { path, release, [Symbol.dispose]: release };
}

/**
 * Whether a process holds the lock at `path`. A missing file means no.
 *
 * @param path The lock file.
 * @returns `true` while the process that took it is alive and has not released it.
 *
 * @example
 * ```ts
 * import { isProcessLockHeld } from "./process_lock.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isProcessLockHeld("/nonexistent/alive.lock"), false);
 * ```
 */
export function isProcessLockHeld(path: string): boolean {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch {
    return false;
  }
  try {
    db.exec("PRAGMA busy_timeout = 0");
    // Reading the schema needs a shared lock, refused while the holder's exclusive one stands.
    db.prepare("SELECT count(*) FROM sqlite_schema").get();
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}
