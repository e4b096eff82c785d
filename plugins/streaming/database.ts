/**
 * Where the streaming plugin's database lives, what opening it needs, and
 * how a task opens it through its context: migrated, with the ontology store
 * and the checkpoints of `streaming.sync` over one connection.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { TaskContext } from "../../kernel/context.ts";
import type { PermissionNeeds } from "../../lib/permissions.ts";
import { UsageError } from "../../lib/errors.ts";
import type { CheckpointStore } from "../../lib/sqlite/checkpoints.ts";
import type { Options } from "./options.ts";
import { MIGRATIONS } from "./schema.ts";
import { OntologyStore } from "./store.ts";

/** The checkpoint scope of `streaming.sync`, which `streaming.status` reads too. */
export const SYNC_SCOPE = "streaming.sync";

/**
 * The last sync of a source, kept as a checkpoint: which run it was, and
 * whether it ran to its end. A run that did not (interrupted, killed) is
 * resumed by the next.
 */
export interface SourceSync {
  /** The kernel's run id. */
  run_id: string;
  /** `false` until the run has listed and processed every page. */
  done: boolean;
}

/**
 * What a task needs to open its database: its directory, since SQLite writes
 * `-wal` and `-shm` files, and migrations a backup, beside it.
 *
 * @param db The database file.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dbNeeds } from "./database.ts";
 * assert.deepEqual(dbNeeds("/h/s/o.db"), { read: ["/h/s"], write: ["/h/s"] });
 * ```
 */
export function dbNeeds(db: string): PermissionNeeds {
  return { read: [dirname(db)], write: [dirname(db)] };
}

/**
 * The database a task uses: the one given, else the plugin's default under
 * the home directory.
 *
 * @param db The `--db` given, if any.
 * @param home The kernel's home.
 * @param options The plugin's options.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dbPath } from "./database.ts";
 * assert.equal(dbPath(undefined, "/h", { database: "s/o.db" }), "/h/s/o.db");
 * ```
 */
export function dbPath(db: string | undefined, home: string, options: Options): string {
  return resolve(home, db ?? options.database);
}

/** The plugin's database as a task holds it; the context closes it. */
export interface OntologyDatabase {
  /** The ontology tables. */
  store: OntologyStore;
  /** The checkpoints of `streaming.sync`, in the same database. */
  checkpoints: CheckpointStore;
}

/**
 * Opens the plugin's database through the task's context (migrated, closed
 * when the task ends).
 *
 * @param ctx The running task's context.
 * @param path The database file.
 * @param options `existing: true` refuses a missing file rather than creating
 * an empty database to report on.
 * @returns The store and the sync's checkpoints.
 * @throws {UsageError} When `existing` is set and there is no database at `path`.
 *
 * @example Open a database and read a source's last sync
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTaskContext } from "../../kernel/context.ts";
 * import { loadConfig } from "../../kernel/config.ts";
 * import { createLogger } from "../../kernel/report/logger.ts";
 * import { Terminal } from "../../lib/terminal.ts";
 * import { lastSync, openOntologyDatabase } from "./database.ts";
 * const terminal = new Terminal({ writeSync: (b) => b.length }, false);
 * const { ctx, dispose } = createTaskContext({
 *   runId: "r1", taskId: "streaming.status", log: createLogger({ terminal }),
 *   signal: new AbortController().signal, config: loadConfig({ home: "/tmp/w" }, {}).config,
 *   terminal, quiet: true,
 * });
 * const { store, checkpoints } = await openOntologyDatabase(ctx, ":memory:");
 * assert.equal(lastSync(checkpoints, store.source("dir", "/pages")), undefined);
 * await dispose();
 * ```
 */
export async function openOntologyDatabase(
  ctx: TaskContext,
  path: string,
  options: { existing?: boolean } = {},
): Promise<OntologyDatabase> {
  if (options.existing && !existsSync(path)) {
    throw new UsageError(
      `Cannot open the ontology database as it does not exist (run streaming.sync first): current value is "${path}"`,
    );
  }
  const { db, checkpoints } = await ctx.database({
    path,
    migrations: MIGRATIONS,
    checkpointScope: SYNC_SCOPE,
    corruptHint:
      `restore it from a backup, or delete it and run streaming.sync again ("weir run streaming.check --db ${path}" reports the damage while it still opens)`,
  });
  return { store: new OntologyStore(db), checkpoints };
}

/**
 * Reads the last sync of a source.
 *
 * @param checkpoints The sync's checkpoints.
 * @param sourceId The source.
 * @returns The run and whether it finished, or `undefined` before the first sync.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlite } from "../../lib/sqlite/open.ts";
 * import { migrate } from "../../lib/sqlite/migrations.ts";
 * import { CheckpointStore } from "../../lib/sqlite/checkpoints.ts";
 * import { MIGRATIONS } from "./schema.ts";
 * import { lastSync, markSync, SYNC_SCOPE } from "./database.ts";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", MIGRATIONS);
 * const checkpoints = new CheckpointStore(db, SYNC_SCOPE);
 * markSync(checkpoints, 1, { run_id: "r1", done: false });
 * assert.deepEqual(lastSync(checkpoints, 1), { run_id: "r1", done: false });
 * db.close();
 * ```
 */
export function lastSync(checkpoints: CheckpointStore, sourceId: number): SourceSync | undefined {
  return checkpoints.get<SourceSync>(syncKey(sourceId));
}

/**
 * Records the sync of a source: at its start (`done: false`), and at its end
 * unless it was interrupted.
 *
 * @param checkpoints The sync's checkpoints.
 * @param sourceId The source.
 * @param sync The run and whether it finished.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlite } from "../../lib/sqlite/open.ts";
 * import { migrate } from "../../lib/sqlite/migrations.ts";
 * import { CheckpointStore } from "../../lib/sqlite/checkpoints.ts";
 * import { MIGRATIONS } from "./schema.ts";
 * import { lastSync, markSync, SYNC_SCOPE } from "./database.ts";
 * const db = openSqlite(":memory:");
 * migrate(db, ":memory:", MIGRATIONS);
 * const checkpoints = new CheckpointStore(db, SYNC_SCOPE);
 * markSync(checkpoints, 1, { run_id: "r1", done: true });
 * assert.equal(lastSync(checkpoints, 1)?.done, true);
 * db.close();
 * ```
 */
export function markSync(checkpoints: CheckpointStore, sourceId: number, sync: SourceSync): void {
  checkpoints.set(syncKey(sourceId), sync);
}

function syncKey(sourceId: number): string {
  return `source:${sourceId}`;
}
