/**
 * The embedded SQLite connection (`node:sqlite`) with the settings every weir
 * database uses, a transaction helper and busy-error detection.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "../path.ts";
import { asDatabaseError, DatabaseError } from "./database_error.ts";

/** Options of {@linkcode openSqlite}. */
export interface OpenSqliteOptions {
  /**
   * How long a statement waits for another connection's lock before it fails
   * with `SQLITE_BUSY`, in milliseconds.
   *
   * @default {5000}
   */
  busyTimeoutMs?: number;
  /**
   * What a person should do when the file turns out to be corrupted, for
   * the {@linkcode DatabaseError}'s message: the check task to run, say.
   *
   * @default {an integrity check with sqlite3, or a backup}
   */
  corruptHint?: string;
}

/** Options of {@linkcode transaction}. */
export interface TransactionOptions {
  /**
   * Start with `BEGIN IMMEDIATE`, taking the write lock at once. Keep it for
   * any transaction that writes: a deferred transaction that reads first can
   * fail with a snapshot conflict that the busy timeout does not cure.
   *
   * @default {true}
   */
  immediate?: boolean;
}

/** The primary result code of a busy database (`SQLITE_BUSY`). */
export const SQLITE_BUSY = 5;
/** The primary result code of a locked table (`SQLITE_LOCKED`). */
export const SQLITE_LOCKED = 6;

const defaults = { busyTimeoutMs: 5000 } satisfies OpenSqliteOptions;

/**
 * Returns whether `path` names a database that lives only in memory.
 *
 * @param path A database path as given to {@linkcode openSqlite}.
 * @returns `true` for `":memory:"` and `""` (a private temporary database).
 *
 * @example Tell memory from file databases
 * ```ts
 * import { isMemoryPath } from "./open.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isMemoryPath(":memory:"), true);
 * assert.equal(isMemoryPath("state/weir.db"), false);
 * ```
 */
export function isMemoryPath(path: string): boolean {
  return path === ":memory:" || path === "";
}

/**
 * Opens (creating it and its parent folder if absent) a SQLite database with
 * weir's settings: `journal_mode=WAL` (file databases only),
 * `synchronous=NORMAL`, `foreign_keys=ON` and a busy timeout.
 *
 * @param path The database file, or `":memory:"`.
 * @param options How long to wait for locks.
 * @returns The open connection; close it with `db.close()`.
 * @throws {RangeError} When `busyTimeoutMs` is not a non-negative integer.
 * @throws {DatabaseError} Naming the file, when it is corrupted or not a
 * database, locked past the busy timeout, or cannot be opened.
 * @throws {Error} When the folder cannot be created.
 *
 * @example Open an in-memory database
 * ```ts
 * import { openSqlite } from "./open.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:", { busyTimeoutMs: 1000 });
 * const row = db.prepare("PRAGMA busy_timeout").get();
 * assert.equal(row?.timeout, 1000);
 * db.close();
 * ```
 */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): DatabaseSync {
  const { busyTimeoutMs, corruptHint } = { ...defaults, ...options };
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(
      `Cannot open a database as busyTimeoutMs must be a non-negative integer: current value is "${busyTimeoutMs}"`,
    );
  }
  const memory = isMemoryPath(path);
  if (!memory) createPrivateFile(path);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    // The timeout comes first so that switching to WAL waits for other writers.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    // The first statements to read the file: a corrupted one fails here.
    if (!memory) switchToWal(db, busyTimeoutMs);
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
  } catch (err) {
    if (db?.isOpen) db.close();
    throw asDatabaseError(err, path, { hint: corruptHint });
  }
  return db;
}

/**
 * Switches a connection to WAL. On a new file that other processes open at
 * the same moment, SQLite can refuse the switch as busy at once, without
 * calling the busy handler, so the busy timeout is applied here by hand.
 */
function switchToWal(db: DatabaseSync, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2;; wait = Math.min(wait * 2, 50)) {
    try {
      db.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (err) {
      if (!isBusyError(err) || Date.now() >= deadline) throw err;
      // A synchronous pause: opening a database is synchronous.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
}

/**
 * Each connection's BEGIN/COMMIT/ROLLBACK statements, prepared once. A
 * statement prepared per transaction holds native memory the garbage
 * collector does not see, so a long sync's memory grew with every page.
 */
const transactionStatements = new WeakMap<DatabaseSync, {
  begin: StatementSync;
  beginImmediate: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
}>();

function statementsOf(db: DatabaseSync) {
  let tx = transactionStatements.get(db);
  if (!tx) {
    tx = {
      begin: db.prepare("BEGIN"),
      beginImmediate: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
    };
    transactionStatements.set(db, tx);
  }
  return tx;
}

/**
 * Runs `fn` in a transaction: `BEGIN IMMEDIATE` (or `BEGIN`), then `COMMIT`,
 * or `ROLLBACK` when `fn` throws. Transactions do not nest.
 *
 * @typeParam T What `fn` returns.
 * @param db An open connection with no transaction in progress.
 * @param fn The work; it must be synchronous.
 * @param options Whether to take the write lock at once.
 * @returns What `fn` returned.
 * @throws {Error} When a transaction is already open on `db`.
 * @throws {TypeError} When `fn` returns a promise (the transaction is rolled back).
 * @throws {unknown} Whatever `fn` or `COMMIT` threw, after rolling back.
 *
 * @example Write two rows atomically
 * ```ts
 * import { openSqlite, transaction } from "./open.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * db.exec("CREATE TABLE t (x INTEGER)");
 * const count = transaction(db, () => {
 *   db.prepare("INSERT INTO t VALUES (1), (2)").run();
 *   return db.prepare("SELECT count(*) AS n FROM t").get()?.n;
 * });
 * assert.equal(count, 2);
 * db.close();
 * ```
 */
export function transaction<T>(
  db: DatabaseSync,
  fn: () => T,
  options: TransactionOptions = {},
): T {
  const { immediate = true } = options;
  if (db.isTransaction) {
    throw new Error(
      "Cannot begin a transaction as one is already open on this connection: nest the work in the outer transaction instead",
    );
  }
  const tx = statementsOf(db);
  // Prepared statements (unlike db.exec) report `errcode`, so isBusyError works.
  (immediate ? tx.beginImmediate : tx.begin).run();
  try {
    const result = fn();
    if (isPromiseLike(result)) {
      // Catch a rejection that would otherwise go unhandled.
      Promise.resolve(result).catch(() => {});
      throw new TypeError(
        'Cannot commit a transaction as its function returned a promise: current value is "Promise"',
      );
    }
    tx.commit.run();
    return result;
  } catch (err) {
    // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR).
    if (db.isTransaction) tx.rollback.run();
    throw err;
  }
}

/**
 * Returns whether an error from `node:sqlite` means another connection held
 * a lock (`SQLITE_BUSY`, `SQLITE_LOCKED` or one of their extended codes, or
 * a busy {@linkcode DatabaseError} from opening), so the work can be retried.
 *
 * @param err Anything thrown.
 * @returns `true` for busy and locked errors.
 *
 * @example Classify errors
 * ```ts
 * import { isBusyError } from "./open.ts";
 * import assert from "node:assert/strict";
 * const busy = Object.assign(new Error("database is locked"), { errcode: 5 });
 * const snapshot = Object.assign(new Error("database is locked"), { errcode: 517 });
 * assert.equal(isBusyError(busy), true);
 * assert.equal(isBusyError(snapshot), true);
 * assert.equal(isBusyError(new Error("no such table: t")), false);
 * ```
 */
export function isBusyError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof DatabaseError) return err.problem === "busy";
  const errcode = (err as { errcode?: unknown }).errcode;
  if (typeof errcode === "number") {
    const primary = errcode & 0xff;
    return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
  }
  // db.exec() errors carry no errcode (Deno 2.9); fall back to SQLite's messages.
  return /^database (?:table )?is locked\b/.test(err.message);
}

/**
 * Runs SQL statements one by one: `db.exec()` on a long multi-statement
 * string is quadratic in its length.
 *
 * @param db An open connection.
 * @param statements The statements, each a single SQL statement.
 * @throws {Error} The first statement's error; earlier statements stay applied
 * unless the caller runs this inside {@linkcode transaction}.
 *
 * @example Create a schema
 * ```ts
 * import { execEach, openSqlite } from "./open.ts";
 * const db = openSqlite(":memory:");
 * execEach(db, ["CREATE TABLE a (id INTEGER PRIMARY KEY)", "CREATE INDEX a_id ON a (id)"]);
 * db.close();
 * ```
 */
export function execEach(db: DatabaseSync, statements: readonly string[]): void {
  for (const sql of statements) db.exec(sql);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Creates an empty file (and its folders) for its owner alone, unless it
 * exists: SQLite then opens it as a new database, and gives its `-wal`,
 * `-shm` and `-journal` files the same mode.
 *
 * @param path The database file.
 *
 * @example
 * ```ts
 * import { createPrivateFile } from "./open.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * createPrivateFile(`${dir}/a/state.db`);
 * assert.equal(Deno.statSync(`${dir}/a/state.db`).mode! & 0o777, 0o600);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function createPrivateFile(path: string): void {
  Deno.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
}
