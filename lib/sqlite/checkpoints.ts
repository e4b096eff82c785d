/**
 * Checkpoints: small JSON values by key, in the caller's SQLite database, so a
 * unit of work and its checkpoint commit in one transaction. The table is
 * created by {@linkcode checkpointsMigration}, one step of the database's own
 * migrations.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Migration } from "./migrations.ts";

/** One stored checkpoint, as {@linkcode CheckpointStore.list} returns it. */
export interface CheckpointEntry {
  /** The checkpoint's key within its scope. */
  key: string;
  /** The value, parsed from JSON. */
  value: unknown;
}

/** Options of {@linkcode CheckpointStore}. */
export interface CheckpointStoreOptions {
  /**
   * The clock that stamps `updated_at`.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
}

/** The table {@linkcode CheckpointStore} keeps its checkpoints in. */
export const CHECKPOINTS_TABLE = "weir_checkpoints";

/**
 * The migration that creates the checkpoint table: add it to a database's
 * migrations, at the version where that database starts keeping checkpoints.
 * `IF NOT EXISTS` lets it adopt a table made before checkpoints were a
 * migration.
 *
 * @param version Its place in the database's migrations: a positive integer.
 * @returns The migration, named `weir_checkpoints`.
 *
 * @example Migrate a database that keeps checkpoints
 * ```ts
 * import { openSqlite } from "./open.ts";
 * import { migrate } from "./migrations.ts";
 * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", [
 *   { version: 1, name: "items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
 *   checkpointsMigration(2),
 * ]);
 * new CheckpointStore(db, "demo").set("cursor", 1);
 * assert.equal(new CheckpointStore(db, "demo").get("cursor"), 1);
 * db.close();
 * ```
 */
export function checkpointsMigration(version: number): Migration {
  return {
    version,
    name: CHECKPOINTS_TABLE,
    up: [
      `CREATE TABLE IF NOT EXISTS ${CHECKPOINTS_TABLE} (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      ) WITHOUT ROWID`,
    ],
  };
}

/**
 * Checkpoints of one scope (a task, a run, a partition) in the
 * `weir_checkpoints` table, which {@linkcode checkpointsMigration} creates.
 * Values are stored as JSON.
 *
 * The store opens no transaction of its own: wrap the unit of work and its
 * checkpoint in one `transaction()` (from `./open.ts`) so that both commit
 * or neither does, and a resumed run starts where the last commit ended.
 *
 * @example Write rows and the checkpoint in one transaction
 * ```ts
 * import { openSqlite, transaction } from "./open.ts";
 * import { migrate } from "./migrations.ts";
 * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
 * import assert from "node:assert/strict";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", [
 *   { version: 1, name: "items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
 *   checkpointsMigration(2),
 * ]);
 * const checkpoints = new CheckpointStore(db, "demo.sync");
 * transaction(db, () => {
 *   db.prepare("INSERT INTO items (id) VALUES (1), (2)").run();
 *   checkpoints.set("cursor", { lastId: 2 });
 * });
 * assert.equal(checkpoints.get<{ lastId: number }>("cursor")?.lastId, 2);
 * db.close();
 * ```
 */
export class CheckpointStore {
  /** The scope every key of this store belongs to. */
  readonly scope: string;
  readonly #now: () => Date;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #remove: StatementSync;
  readonly #list: StatementSync;
  readonly #clear: StatementSync;

  /**
   * Prepares the statements over the table {@linkcode checkpointsMigration}
   * created.
   *
   * @param db An open connection, migrated; the store does not close it.
   * @param scope A non-empty name that keeps these keys apart from others.
   * @param options The clock.
   * @throws {TypeError} When `scope` is not a non-empty string.
   * @throws {Error} When the database has no `weir_checkpoints` table (its
   * migrations lack {@linkcode checkpointsMigration}).
   */
  constructor(db: DatabaseSync, scope: string, options: CheckpointStoreOptions = {}) {
    if (typeof scope !== "string" || scope === "") {
      throw new TypeError(
        `Cannot open a checkpoint store as its scope must be a non-empty string: current value is "${scope}"`,
      );
    }
    this.scope = scope;
    this.#now = options.now ?? (() => new Date());
    const table = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
    if (table.get(CHECKPOINTS_TABLE) === undefined) {
      throw new Error(
        `Cannot open checkpoints "${scope}" as the database has no ${CHECKPOINTS_TABLE} table (add checkpointsMigration(<next version>) to its migrations): current value is "${
          db.location() ?? ":memory:"
        }"`,
      );
    }
    this.#select = db.prepare("SELECT value FROM weir_checkpoints WHERE scope = ? AND key = ?");
    this.#upsert = db.prepare(
      `INSERT INTO weir_checkpoints (scope, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.#remove = db.prepare("DELETE FROM weir_checkpoints WHERE scope = ? AND key = ?");
    this.#list = db.prepare("SELECT key, value FROM weir_checkpoints WHERE scope = ? ORDER BY key");
    this.#clear = db.prepare("DELETE FROM weir_checkpoints WHERE scope = ?");
  }

  /**
   * Reads a checkpoint.
   *
   * @typeParam T The value's type, as it was set (not checked).
   * @param key The checkpoint's key.
   * @returns The value, or `undefined` when none is stored.
   *
   * @example Read a missing checkpoint
   * ```ts
   * import { openSqlite } from "./open.ts";
   * import { migrate } from "./migrations.ts";
   * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
   * import assert from "node:assert/strict";
   * const db = openSqlite(":memory:");
   * migrate(db, ":memory:", [checkpointsMigration(1)]);
   * assert.equal(new CheckpointStore(db, "demo").get("cursor"), undefined);
   * db.close();
   * ```
   */
  get<T = unknown>(key: string): T | undefined {
    const row = this.#select.get(this.scope, checkKey(key));
    return row === undefined ? undefined : JSON.parse(String(row.value)) as T;
  }

  /**
   * Stores a checkpoint, replacing any value under the same key.
   *
   * @param key The checkpoint's key.
   * @param value A value JSON can represent (not `undefined`, a function or a symbol).
   * @throws {TypeError} When `key` is empty or `value` has no JSON form.
   *
   * @example Overwrite a checkpoint
   * ```ts
   * import { openSqlite } from "./open.ts";
   * import { migrate } from "./migrations.ts";
   * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
   * import assert from "node:assert/strict";
   * const db = openSqlite(":memory:");
   * migrate(db, ":memory:", [checkpointsMigration(1)]);
   * const store = new CheckpointStore(db, "demo");
   * store.set("page", 1);
   * store.set("page", 2);
   * assert.equal(store.get("page"), 2);
   * db.close();
   * ```
   */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new TypeError(
        `Cannot set checkpoint "${key}" as its value has no JSON form: current value is "${typeof value}"`,
      );
    }
    this.#upsert.run(this.scope, checkKey(key), json, this.#now().toISOString());
  }

  /**
   * Removes a checkpoint.
   *
   * @param key The checkpoint's key.
   * @returns `true` when a checkpoint was removed.
   *
   * @example Delete a checkpoint
   * ```ts
   * import { openSqlite } from "./open.ts";
   * import { migrate } from "./migrations.ts";
   * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
   * import assert from "node:assert/strict";
   * const db = openSqlite(":memory:");
   * migrate(db, ":memory:", [checkpointsMigration(1)]);
   * const store = new CheckpointStore(db, "demo");
   * store.set("page", 1);
   * assert.equal(store.delete("page"), true);
   * assert.equal(store.delete("page"), false);
   * db.close();
   * ```
   */
  delete(key: string): boolean {
    return Number(this.#remove.run(this.scope, checkKey(key)).changes) > 0;
  }

  /**
   * Lists this scope's checkpoints, sorted by key.
   *
   * @returns Every key and its value.
   *
   * @example List checkpoints
   * ```ts
   * import { openSqlite } from "./open.ts";
   * import { migrate } from "./migrations.ts";
   * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
   * import assert from "node:assert/strict";
   * const db = openSqlite(":memory:");
   * migrate(db, ":memory:", [checkpointsMigration(1)]);
   * const store = new CheckpointStore(db, "demo");
   * store.set("b", 2);
   * store.set("a", 1);
   * assert.deepEqual(store.list().map((e) => e.key), ["a", "b"]);
   * db.close();
   * ```
   */
  list(): CheckpointEntry[] {
    return this.#list.all(this.scope).map((row) => ({
      key: String(row.key),
      value: JSON.parse(String(row.value)),
    }));
  }

  /**
   * Removes every checkpoint of this scope; other scopes are kept.
   *
   * @returns How many checkpoints were removed.
   *
   * @example Start over
   * ```ts
   * import { openSqlite } from "./open.ts";
   * import { migrate } from "./migrations.ts";
   * import { checkpointsMigration, CheckpointStore } from "./checkpoints.ts";
   * import assert from "node:assert/strict";
   * const db = openSqlite(":memory:");
   * migrate(db, ":memory:", [checkpointsMigration(1)]);
   * const store = new CheckpointStore(db, "demo");
   * store.set("a", 1);
   * assert.equal(store.clear(), 1);
   * assert.deepEqual(store.list(), []);
   * db.close();
   * ```
   */
  clear(): number {
    return Number(this.#clear.run(this.scope).changes);
  }
}

function checkKey(key: string): string {
  if (typeof key !== "string" || key === "") {
    throw new TypeError(
      `Cannot use a checkpoint key as it must be a non-empty string: current value is "${key}"`,
    );
  }
  return key;
}
