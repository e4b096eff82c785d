/**
 * Versioned schema migrations for SQLite databases, applied in one
 * transaction under SQLite's write lock: concurrent migrators take turns, a
 * failure rolls everything back, and an existing database is backed up first.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { ExitCode, messageOf, WeirError } from "../errors.ts";
import { execEach, isMemoryPath } from "./open.ts";
import { backupSqlite } from "./backup.ts";

/** One step of a schema's history. */
export interface Migration {
  /** A positive integer, unique and ascending within its list. */
  version: number;
  /** A short snake_case name, stored with the version. */
  name: string;
  /**
   * The change: statements run one by one, or a function. Either runs inside
   * a savepoint of the migration's transaction, so it must not begin, commit
   * or roll back one itself.
   */
  up: readonly string[] | ((db: DatabaseSync) => void);
  /**
   * Run with foreign key enforcement off, as SQLite's table rebuild recipe
   * needs. The setting cannot change inside a transaction, so when any pending
   * migration asks for it, every pending migration runs without enforcement.
   * Violations are still caught by the check after migrating.
   *
   * @default {false}
   */
  disableForeignKeys?: boolean;
}

/** Options of {@linkcode migrate}. */
export interface MigrateOptions {
  /**
   * The clock that stamps `applied_at` and names the backup file.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
}

/** What {@linkcode migrate} did. */
export interface MigrateResult {
  /** The schema version before migrating (0 for a fresh database). */
  from: number;
  /** The schema version now. */
  to: number;
  /** The versions applied, in order. */
  applied: number[];
  /** The backup taken before migrating, when one was. */
  backup?: string;
}

/**
 * The database was written by a newer weir: its schema version is above the
 * newest migration known. Nothing was changed. Exit code 2, as with a usage
 * error: retrying cannot help, the fix is in how weir is run (a newer weir or
 * another database).
 *
 * @example Read the versions
 * ```ts
 * import { SchemaTooNewError } from "./migrations.ts";
 * import assert from "node:assert/strict";
 * const err = new SchemaTooNewError("weir.db", 7, 5);
 * assert.equal(err.exitCode, 2);
 * assert.equal(err.found, 7);
 * assert.equal(err.known, 5);
 * ```
 */
export class SchemaTooNewError extends WeirError {
  /** The database's schema version. */
  readonly found: number;
  /** The newest version this program knows. */
  readonly known: number;

  /**
   * Creates the error; its message names the database and both versions.
   *
   * @param dbPath The database.
   * @param found Its schema version.
   * @param known The newest version known.
   */
  constructor(dbPath: string, found: number, known: number) {
    super(
      `Cannot migrate "${dbPath}" as its schema is newer than this program knows (newest known is ${known}): current value is "${found}"`,
      "schema_too_new",
      ExitCode.usage,
    );
    this.name = "SchemaTooNewError";
    this.found = found;
    this.known = known;
  }
}

/**
 * Taking the write lock, the backup, a migration, a check after migrating or
 * the commit failed. Every change was rolled back and the connection stays
 * open (see {@linkcode migrate}); `cause` holds the failure.
 *
 * @example Read which migration failed
 * ```ts
 * import { MigrationError } from "./migrations.ts";
 * import assert from "node:assert/strict";
 * const err = new MigrationError("Cannot migrate", 3, "add_index", { cause: new Error("x") });
 * assert.equal(err.version, 3);
 * assert.equal(err.migration, "add_index");
 * assert.equal(err.exitCode, 1);
 * ```
 */
export class MigrationError extends WeirError {
  /**
   * The version being applied (the first pending one when the lock or the
   * backup failed), or the target version when a check or the commit failed.
   */
  readonly version: number;
  /** The migration's name, or the check's name, or `"commit"`. */
  readonly migration: string;

  /**
   * Creates the error for one migration or check.
   *
   * @param message What failed and the version the database stays at.
   * @param version The version being applied or checked.
   * @param migration The migration's or check's name.
   * @param options The standard error options (`cause`).
   */
  constructor(message: string, version: number, migration: string, options?: ErrorOptions) {
    super(message, "migration_failed", ExitCode.failed, options);
    this.name = "MigrationError";
    this.version = version;
    this.migration = migration;
  }
}

/**
 * Brings a database's schema up to the newest migration, recorded in
 * `schema_migrations`, in one transaction under SQLite's write lock.
 *
 * A current schema returns at once. Otherwise `BEGIN IMMEDIATE` waits (up to
 * the connection's busy timeout) for other writers, and the version is read
 * again: when another process migrated meanwhile, nothing is applied. Before
 * an existing (non-empty, file) database changes, it is copied with
 * {@linkcode backupSqlite} to `<dbPath>.bak-<version>-<timestamp>`; the copy
 * is kept. Each pending migration runs in its own savepoint; then
 * `PRAGMA integrity_check` and `PRAGMA foreign_key_check` run, and only when
 * both pass is the transaction committed.
 *
 * Any failure rolls the whole transaction back, leaving the database exactly
 * as it was, and throws a {@linkcode MigrationError}. `db` stays open in every
 * case. Other connections, in this process or others, may use the database
 * throughout; a migrator that waits for the lock longer than its busy timeout
 * fails without changing anything.
 *
 * @param db The open connection, outside any transaction.
 * @param dbPath The path `db` was opened with, or `":memory:"`.
 * @param migrations The schema's history, ascending by version.
 * @param options The clock.
 * @returns The versions before and after, those applied and the backup path.
 * @throws {TypeError} When a migration is malformed or `dbPath` is not `db`'s file.
 * @throws {RangeError} When versions are not positive integers, ascending and unique.
 * @throws {Error} When a transaction is already open on `db`.
 * @throws {SchemaTooNewError} When the database is newer than `migrations` (nothing changed).
 * @throws {MigrationError} When the lock, the backup, a migration, a check or the commit failed (rolled back).
 *
 * @example Migrate an in-memory database
 * ```ts
 * import { openSqlite } from "./open.ts";
 * import { migrate } from "./migrations.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * const result = migrate(db, ":memory:", [
 *   { version: 1, name: "create_items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
 *   { version: 2, name: "add_title", up: (db) => db.exec("ALTER TABLE items ADD title TEXT") },
 * ]);
 * assert.deepEqual(result, { from: 0, to: 2, applied: [1, 2] });
 * db.close();
 * ```
 *
 * @example A failing migration changes nothing and leaves the connection open
 * ```ts
 * import { openSqlite } from "./open.ts";
 * import { migrate, MigrationError } from "./migrations.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * const v1 = { version: 1, name: "create_items", up: ["CREATE TABLE items (id INTEGER)"] };
 * assert.throws(
 *   () => migrate(db, ":memory:", [v1, { version: 2, name: "broken", up: ["NOT SQL"] }]),
 *   (err) => err instanceof MigrationError && err.version === 2,
 * );
 * const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get();
 * assert.equal(tables?.n, 0);
 * assert.equal(db.isOpen, true);
 * db.close();
 * ```
 */
export function migrate(
  db: DatabaseSync,
  dbPath: string,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): MigrateResult {
  const { now = () => new Date() } = options;
  validateMigrations(migrations);
  checkPath(db, dbPath);
  if (db.isTransaction) {
    throw new Error(
      `Cannot migrate "${dbPath}" as a transaction is already open on its connection: commit or roll it back first`,
    );
  }
  const known = migrations.at(-1)?.version ?? 0;
  // A first look without the lock: versions only grow, so current or too new is final.
  const seen = currentVersion(db);
  if (seen > known) throw new SchemaTooNewError(dbPath, seen, known);
  const pending = migrations.filter((m) => m.version > seen);
  if (pending.length === 0) return { from: seen, to: seen, applied: [] };
  // The pragma is a no-op inside a transaction, so it is set around it.
  const foreignKeysOff = pending.some((m) => m.disableForeignKeys) &&
    db.prepare("PRAGMA foreign_keys").get()?.foreign_keys === 1;
  if (foreignKeysOff) db.exec("PRAGMA foreign_keys = OFF");
  try {
    return migrateLocked(db, dbPath, migrations, pending[0], now);
  } finally {
    if (foreignKeysOff && db.isOpen) db.exec("PRAGMA foreign_keys = ON");
  }
}

/** What `migrateLocked` was doing, for the error. */
type Step = { version: number; migration: string; what: string };

const applying = (m: Migration, what = `migration ${m.version} ("${m.name}") failed`): Step => ({
  version: m.version,
  migration: m.name,
  what,
});

function migrateLocked(
  db: DatabaseSync,
  dbPath: string,
  migrations: readonly Migration[],
  first: Migration,
  now: () => Date,
): MigrateResult {
  const known = migrations.at(-1)!.version;
  let step = applying(first, "its write lock could not be taken");
  try {
    // Prepared statements (unlike db.exec) report `errcode`, so callers can use isBusyError.
    db.prepare("BEGIN IMMEDIATE").run();
    const from = currentVersion(db);
    if (from > known) throw new SchemaTooNewError(dbPath, from, known);
    const pending = migrations.filter((m) => m.version > from);
    if (pending.length === 0) {
      db.prepare("ROLLBACK").run();
      return { from, to: from, applied: [] };
    }
    let backup: string | undefined;
    if (!isMemoryPath(dbPath) && db.prepare("SELECT 1 FROM sqlite_schema").get()) {
      step = applying(pending[0], "it could not be backed up first");
      backup = `${dbPath}.bak-${from}-${now().toISOString().replace(/[-:.]/g, "")}`;
      backupSqlite(db, backup);
    }
    step = applying(pending[0]);
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    for (const m of pending) {
      step = applying(m);
      db.exec("SAVEPOINT weir_migration");
      if (typeof m.up === "function") m.up(db);
      else execEach(db, m.up);
      if (!db.isTransaction) throw new Error("it ended the transaction it runs in");
      record.run(m.version, m.name, now().toISOString());
      db.exec("RELEASE weir_migration");
    }
    const after = `failed after migrating to version ${known}`;
    step = { version: known, migration: "integrity_check", what: `the integrity check ${after}` };
    checkIntegrity(db);
    step = {
      version: known,
      migration: "foreign_key_check",
      what: `the foreign key check ${after}`,
    };
    checkForeignKeys(db);
    step = { version: known, migration: "commit", what: `the commit ${after}` };
    db.prepare("COMMIT").run();
    const applied = pending.map((m) => m.version);
    return { from, to: known, applied, ...(backup ? { backup } : {}) };
  } catch (cause) {
    const outcome = rollBack(db);
    if (cause instanceof SchemaTooNewError) throw cause;
    throw new MigrationError(
      `Cannot migrate "${dbPath}" as ${step.what}: ${messageOf(cause)}; ${outcome}`,
      step.version,
      step.migration,
      { cause },
    );
  }
}

/** Rolls back what is open; returns where that left the database, for the message. */
function rollBack(db: DatabaseSync): string {
  try {
    if (db.isTransaction) db.prepare("ROLLBACK").run();
    return `the database stays at version ${currentVersion(db)}`;
  } catch (err) {
    return `rolling back failed too: ${messageOf(err)}`;
  }
}

function currentVersion(db: DatabaseSync): number {
  const table = db.prepare(
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
  ).get();
  if (!table) return 0;
  return Number(db.prepare("SELECT max(version) AS v FROM schema_migrations").get()?.v ?? 0);
}

function checkIntegrity(db: DatabaseSync): void {
  const rows = db.prepare("PRAGMA integrity_check").all().map((r) => String(r.integrity_check));
  if (rows.length !== 1 || rows[0] !== "ok") {
    throw new Error(`integrity_check reported ${rows.map((r) => `"${r}"`).join(", ")}`);
  }
}

function checkForeignKeys(db: DatabaseSync): void {
  const rows = db.prepare("PRAGMA foreign_key_check").all();
  if (rows.length > 0) {
    const first = rows[0];
    throw new Error(
      `${rows.length} foreign key violation(s), the first in table "${first.table}" rowid ${first.rowid} referring to "${first.parent}"`,
    );
  }
}

function checkPath(db: DatabaseSync, dbPath: string): void {
  const location = db.location();
  const real = (path: string) => {
    try {
      return Deno.realPathSync(path);
    } catch {
      return path;
    }
  };
  const same = location === null
    ? isMemoryPath(dbPath)
    : !isMemoryPath(dbPath) && real(dbPath) === real(location);
  if (!same) {
    throw new TypeError(
      `Cannot migrate as dbPath is not the file the connection has open ("${
        location ?? ":memory:"
      }"): current value is "${dbPath}"`,
    );
  }
}

function validateMigrations(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const [i, m] of migrations.entries()) {
    if (!Number.isInteger(m?.version) || m.version < 1) {
      throw new RangeError(
        `Cannot migrate as migration ${i} has a version that is not a positive integer: current value is "${m?.version}"`,
      );
    }
    if (m.version <= previous) {
      throw new RangeError(
        `Cannot migrate as migration versions must be unique and ascending (${m.version} follows ${previous}): current value is "${m.version}"`,
      );
    }
    if (typeof m.name !== "string" || m.name === "") {
      throw new TypeError(
        `Cannot migrate as migration ${m.version} has no name: current value is "${m.name}"`,
      );
    }
    const up = typeof m.up;
    if (up !== "function" && !Array.isArray(m.up)) {
      throw new TypeError(
        `Cannot migrate as migration ${m.version} ("${m.name}") has an up that is neither statements nor a function: current value is "${up}"`,
      );
    }
    previous = m.version;
  }
}
