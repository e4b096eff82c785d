/**
 * What a running task gets: logger, progress, abort signal, configuration,
 * counters, failures, the run id, its own databases (migrated, with their
 * checkpoints), the object store, and read access to the run records.
 *
 * @module
 */
import { join } from "../lib/path.ts";
import type { DatabaseSync } from "node:sqlite";
import type { WeirConfig } from "./config.ts";
import { Counters, Failures } from "../lib/counters.ts";
import type { Logger } from "./report/logger.ts";
import type { Progress } from "../lib/progress.ts";
import { runProgress } from "../lib/progress_terminal.ts";
import type { RunRecord } from "./run_records.ts";
import type { CheckpointStore } from "../lib/sqlite/checkpoints.ts";
import type { Migration } from "../lib/sqlite/migrations.ts";
import type { ObjectStore } from "../lib/objects/mod.ts";
import type { Terminal } from "../lib/terminal.ts";

/** Stores a task opens on demand; the runner closes them when it ends. */
export interface Stores {
  /** The configured object store: a directory under the home, or S3. */
  objects(): Promise<ObjectStore>;
}

/** What {@linkcode TaskContext.database} opens. */
export interface DatabaseOptions {
  /** The database file (its folder is created), or `":memory:"`. */
  path: string;
  /**
   * The database's schema history, applied before the database is handed
   * over. It must include `checkpointsMigration(version)` (from
   * `lib/sqlite/checkpoints.ts`).
   */
  migrations: readonly Migration[];
  /**
   * Whose checkpoints `checkpoints` reads and writes: another task of the
   * same plugin may name the scope of the task that wrote them.
   *
   * @default {the running task's id}
   */
  checkpointScope?: string;
  /** What to tell a person whose database turns out corrupted (see `openSqlite`). */
  corruptHint?: string;
}

/** A task's own database, migrated, with its checkpoints in it. */
export interface TaskDatabase {
  /** The file, as given. */
  readonly path: string;
  /** The connection; closed when the task ends. */
  readonly db: DatabaseSync;
  /**
   * Checkpoints in the same database, so a unit of work and its checkpoint
   * commit in one `transaction(db, ...)`.
   */
  readonly checkpoints: CheckpointStore;
}

/** Read-only access to the kernel's run records. */
export interface RunReader {
  /**
   * Reads one run.
   *
   * @param id The run id.
   * @returns The record (redacted as stored), or `undefined`.
   */
  get(id: string): RunRecord | undefined;
}

/** The context passed to `task.run`. */
export interface TaskContext {
  /** This run's id. */
  readonly runId: string;
  /** Structured logger; lines carry the run id and task id. */
  readonly log: Logger;
  /** Aborts on SIGINT/SIGTERM: finish the current unit of work, then return. */
  readonly signal: AbortSignal;
  /** The resolved configuration. */
  readonly config: WeirConfig;
  /** Named counters, saved in the run record. */
  readonly counters: Counters;
  /** Items that failed while the run went on; any makes the run partial (exit 3). */
  readonly failures: Failures;
  /** Lazily opened stores. */
  readonly stores: Stores;
  /** The kernel's run records, to read (a sandboxed task has none). */
  readonly runs: RunReader;
  /**
   * Opens a database of the task's own with weir's pragmas (WAL,
   * `synchronous=NORMAL`, foreign keys, busy timeout), applies its
   * migrations and returns it with its checkpoints; it is closed when the
   * task ends. The task declares the permissions for its folder.
   */
  database(options: DatabaseOptions): Promise<TaskDatabase>;
  /** Starts a progress reporter (a bar on a terminal, JSON lines otherwise). */
  progress(label: string, total?: number): Progress;
}

/** The parts {@linkcode createTaskContext} assembles. */
export interface ContextParts {
  /** The run id. */
  runId: string;
  /** The task id. */
  taskId: string;
  /** The logger (already carrying run and task fields). */
  log: Logger;
  /** The abort signal. */
  signal: AbortSignal;
  /** The configuration. */
  config: WeirConfig;
  /** Where progress goes. */
  terminal: Terminal;
  /** Whether progress is shown at all. */
  quiet: boolean;
  /** The run records `ctx.runs` reads; when absent, reading them throws. */
  runs?: RunReader;
}

/**
 * Assembles a context and the function that releases what it opened.
 *
 * @param parts The run's parts.
 * @returns The context and `dispose`, which closes every opened store.
 *
 * @example Open a task's database, then write a row and its checkpoint together
 * ```ts
 * import { createTaskContext } from "./context.ts";
 * import { loadConfig } from "./config.ts";
 * import { createLogger } from "./report/logger.ts";
 * import { Terminal } from "../lib/terminal.ts";
 * import { checkpointsMigration } from "../lib/sqlite/checkpoints.ts";
 * import { transaction } from "../lib/sqlite/open.ts";
 * import assert from "node:assert/strict";
 * const terminal = new Terminal({ writeSync: (b) => b.length }, false);
 * const { ctx, dispose } = createTaskContext({
 *   runId: "r1", taskId: "demo.sync", log: createLogger({ terminal }),
 *   signal: new AbortController().signal, config: loadConfig({ home: "/tmp/w" }, {}).config,
 *   terminal, quiet: true,
 * });
 * const { db, checkpoints } = await ctx.database({
 *   path: ":memory:",
 *   migrations: [
 *     { version: 1, name: "items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
 *     checkpointsMigration(2),
 *   ],
 * });
 * transaction(db, () => {
 *   db.prepare("INSERT INTO items (id) VALUES (1)").run();
 *   checkpoints.set("cursor", 1);
 * });
 * assert.equal(checkpoints.get("cursor"), 1);
 * await dispose(); // closes the database
 * assert.equal(db.isOpen, false);
 * ```
 */
export function createTaskContext(
  parts: ContextParts,
): { ctx: TaskContext; dispose: () => Promise<void> } {
  const closers: (() => void | Promise<void>)[] = [];
  const { config } = parts;
  let objects: Promise<ObjectStore> | undefined;

  const database = async (options: DatabaseOptions): Promise<TaskDatabase> => {
    const [{ openSqlite }, { migrate }, { CheckpointStore }] = await Promise.all([
      import("../lib/sqlite/open.ts"),
      import("../lib/sqlite/migrations.ts"),
      import("../lib/sqlite/checkpoints.ts"),
    ]);
    const db = openSqlite(
      options.path,
      options.corruptHint === undefined ? {} : { corruptHint: options.corruptHint },
    );
    try {
      migrate(db, options.path, options.migrations);
      const checkpoints = new CheckpointStore(db, options.checkpointScope ?? parts.taskId);
      closers.push(() => db.close());
      return { path: options.path, db, checkpoints };
    } catch (err) {
      db.close();
      throw err;
    }
  };

  const runs: RunReader = parts.runs ?? {
    get: (id) => {
      throw new Error(
        `Cannot read run "${id}" as this task runs without the kernel's run records (in the sandbox): current value is "${parts.taskId}"`,
      );
    },
  };

  const ctx: TaskContext = {
    runId: parts.runId,
    log: parts.log,
    signal: parts.signal,
    config,
    counters: new Counters(),
    failures: new Failures(),
    stores: {
      objects: () =>
        objects ??= (async () => {
          const { openObjectStore } = await import("../lib/objects/mod.ts");
          const store = await openObjectStore(
            config.objects === "s3"
              ? {
                kind: "s3",
                bucket: config.s3.bucket!,
                endpoint: config.s3.endpoint,
                region: config.s3.region,
                prefix: config.s3.prefix,
                forcePathStyle: config.s3.endpoint !== undefined,
                credentials: config.s3.accessKeyId && config.s3.secretAccessKey
                  ? {
                    accessKeyId: config.s3.accessKeyId,
                    secretAccessKey: config.s3.secretAccessKey,
                    sessionToken: config.s3.sessionToken,
                  }
                  : undefined,
              }
              : { kind: "fs", root: join(config.home, "objects") },
          );
          closers.push(() => store.close());
          return store;
        })(),
    },
    runs,
    database,
    progress: (label, total) => runProgress(parts.terminal, parts.quiet, label, total),
  };

  const dispose = async () => {
    for (const close of closers.reverse()) await close();
    closers.length = 0;
  };
  return { ctx, dispose };
}
