/**
 * Versioned schema migrations for SQLite databases, with a backup taken
 * before an existing database changes and a restore when anything fails.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { copyFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { ExitCode, WeirError } from "../errors.ts";
import { backupSqlite, execEach, isMemoryPath, transaction } from "./sqlite.ts";

/** One step of a schema's history. */
export interface Migration {
  /** A positive integer, unique and ascending within its list. */
  version: number;
  /** A short snake_case name, stored with the version. */
  name: string;
  /**
   * The change: statements run one by one, or a function. Either runs inside
   * the migration's transaction, so it must not begin one itself.
   */
  up: readonly string[] | ((db: DatabaseSync) => void);
  /**
   * Run with foreign key enforcement off, as SQLite's table rebuild recipe
   * needs. Violations are still caught by the check after migrating.
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
 * const err = new SchemaTooNewError("weir.db", 7, 5);
 * console.assert(err.exitCode === 2 && err.found === 7 && err.known === 5);
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
 * A migration or the checks after migrating failed. The database was closed
 * and restored (see {@linkcode migrate}); `cause` holds the failure.
 *
 * @example Read which migration failed
 * ```ts
 * import { MigrationError } from "./migrations.ts";
 * const err = new MigrationError("Cannot migrate", 3, "add_index", { cause: new Error("x") });
 * console.assert(err.version === 3 && err.migration === "add_index" && err.exitCode === 1);
 * ```
 */
export class MigrationError extends WeirError {
  /** The version being applied, or the target version when a check failed. */
  readonly version: number;
  /** The migration's name, or the check's name. */
  readonly migration: string;

  /**
   * Creates the error for one migration or check.
   *
   * @param message What failed and how the database was restored.
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
 * Brings a database's schema up to the newest migration, each migration in
 * its own transaction, recorded in `schema_migrations`.
 *
 * Before an existing (non-empty, file) database changes, it is copied with
 * {@linkcode backupSqlite} to `<dbPath>.bak-<version>-<timestamp>`; the copy
 * is kept. After migrating, `PRAGMA integrity_check` and `PRAGMA foreign_key_check` run.
 *
 * On failure `db` is closed, the file restored from the backup (a database
 * that was fresh is deleted) with its `-wal`/`-shm` files removed, and a
 * {@linkcode MigrationError} thrown: open the path again to find the old
 * schema intact. So `db` must be the only connection to the file. An
 * in-memory database cannot be restored: it is closed too.
 *
 * @param db The open connection, outside any transaction.
 * @param dbPath The path `db` was opened with, or `":memory:"`.
 * @param migrations The schema's history, ascending by version.
 * @param options The clock.
 * @returns The versions before and after, those applied and the backup path.
 * @throws {TypeError} When a migration is malformed or `dbPath` is not `db`'s file.
 * @throws {RangeError} When versions are not positive integers, ascending and unique.
 * @throws {SchemaTooNewError} When the database is newer than `migrations` (nothing changed).
 * @throws {MigrationError} When the backup, a migration or a check failed (restored).
 *
 * @example Migrate an in-memory database
 * ```ts
 * import { openSqlite } from "./sqlite.ts";
 * import { migrate } from "./migrations.ts";
 * const db = openSqlite(":memory:");
 * const result = migrate(db, ":memory:", [
 *   { version: 1, name: "create_items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
 *   { version: 2, name: "add_title", up: (db) => db.exec("ALTER TABLE items ADD title TEXT") },
 * ]);
 * console.assert(result.to === 2 && result.applied.length === 2);
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
  const known = migrations.at(-1)?.version ?? 0;
  const fresh = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get()?.n === 0;
  const from = fresh ? 0 : currentVersion(db);
  if (from > known) throw new SchemaTooNewError(dbPath, from, known);
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from, applied: [] };

  let backup: string | undefined;
  if (!fresh && !isMemoryPath(dbPath)) {
    backup = `${dbPath}.bak-${from}-${now().toISOString().replace(/[-:.]/g, "")}`;
    try {
      backupSqlite(db, backup);
    } catch (cause) {
      throw new MigrationError(
        `Cannot migrate "${dbPath}" as it could not be backed up first: ${messageOf(cause)}`,
        pending[0].version,
        pending[0].name,
        { cause },
      );
    }
  }

  const applied: number[] = [];
  let step = { version: pending[0].version, migration: pending[0].name };
  try {
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    for (const m of pending) {
      step = { version: m.version, migration: m.name };
      applyOne(db, m, () => record.run(m.version, m.name, now().toISOString()));
      applied.push(m.version);
    }
    step = { version: known, migration: "integrity_check" };
    checkIntegrity(db);
    step = { version: known, migration: "foreign_key_check" };
    checkForeignKeys(db);
  } catch (cause) {
    const outcome = restore(db, dbPath, backup);
    const what = step.migration.endsWith("_check")
      ? `the ${step.migration.replace(/_/g, " ")} failed after migrating to version ${step.version}`
      : `migration ${step.version} ("${step.migration}") failed`;
    throw new MigrationError(
      `Cannot migrate "${dbPath}" as ${what}: ${messageOf(cause)}; ${outcome}`,
      step.version,
      step.migration,
      { cause },
    );
  }
  return { from, to: known, applied, ...(backup ? { backup } : {}) };
}

function applyOne(db: DatabaseSync, m: Migration, record: () => void): void {
  const foreignKeys = db.prepare("PRAGMA foreign_keys").get()?.foreign_keys === 1;
  // The pragma is a no-op inside a transaction, so it is set around it.
  if (m.disableForeignKeys && foreignKeys) db.exec("PRAGMA foreign_keys = OFF");
  try {
    transaction(db, () => {
      if (typeof m.up === "function") m.up(db);
      else execEach(db, m.up);
      record();
    });
  } finally {
    if (m.disableForeignKeys && foreignKeys && db.isOpen) db.exec("PRAGMA foreign_keys = ON");
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

/** Closes `db` and puts the file back as it was; returns what happened, for the message. */
function restore(db: DatabaseSync, dbPath: string, backup: string | undefined): string {
  if (db.isOpen && db.isTransaction) db.exec("ROLLBACK");
  if (db.isOpen) db.close();
  if (isMemoryPath(dbPath)) return "the in-memory database was closed";
  try {
    // Stale WAL frames would be replayed onto the restored file: remove them first.
    for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(dbPath + suffix, { force: true });
    if (!backup) {
      rmSync(dbPath, { force: true });
      return "the new database was removed";
    }
    const temp = `${dbPath}.restoring`;
    copyFileSync(backup, temp);
    renameSync(temp, dbPath);
    return `the database was restored from "${backup}"`;
  } catch (err) {
    return `restoring it failed (${messageOf(err)}); recover it by hand${
      backup ? ` from "${backup}"` : ""
    }`;
  }
}

function checkPath(db: DatabaseSync, dbPath: string): void {
  const location = db.location();
  const real = (path: string) => {
    try {
      return realpathSync(path);
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
