/**
 * What a running task gets: logger, progress, abort signal, configuration,
 * lazy stores, checkpoints, counters, failures and the run id.
 *
 * @module
 */
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { WeirConfig } from "./config.ts";
import { Counters, Failures } from "../lib/counters.ts";
import type { Logger } from "./report/logger.ts";
import { createProgress, type Progress } from "./report/progress.ts";
import type { CheckpointStore } from "../lib/sqlite/checkpoints.ts";
import type { ObjectStore } from "../lib/objects/mod.ts";
import type { Terminal } from "./report/terminal.ts";

/** Stores a task opens on demand; the runner closes them when it ends. */
export interface Stores {
  /**
   * Opens a SQLite database with weir's pragmas (WAL, synchronous=NORMAL,
   * foreign keys, busy timeout).
   */
  sqlite(path: string): Promise<DatabaseSync>;
  /** The configured object store: a directory under the home, or S3. */
  objects(): Promise<ObjectStore>;
}

/** The context passed to `task.run`. */
export interface TaskContext {
  /** This run's id. */
  readonly runId: string;
  /** The running task's id. */
  readonly taskId: string;
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
  /** Checkpoints of this task in the kernel database, scoped by task id. */
  checkpoints(): Promise<CheckpointStore>;
  /** Starts a progress reporter (a bar on a terminal, JSON lines otherwise). */
  progress(label: string, total?: number): Progress;
  /** Whether a feature flag is on (`--feature x` or `WEIR_FEATURES=x`). */
  feature(name: string): boolean;
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
}

/**
 * Assembles a context and the function that releases what it opened.
 *
 * @param parts The run's parts.
 * @returns The context and `dispose`, which closes every opened store.
 *
 * @example
 * ```ts
 * import { createTaskContext } from "./context.ts";
 * import { loadConfig } from "./config.ts";
 * import { createLogger } from "./report/logger.ts";
 * import { Terminal } from "./report/terminal.ts";
 * const terminal = new Terminal({ writeSync: (b) => b.length }, false);
 * const { ctx, dispose } = createTaskContext({
 *   runId: "r1", taskId: "hello.greet", log: createLogger({ terminal }),
 *   signal: new AbortController().signal, config: loadConfig({ home: "/tmp/w" }, {}).config,
 *   terminal, quiet: true,
 * });
 * ctx.counters.add("greeted");
 * await dispose();
 * ```
 */
export function createTaskContext(
  parts: ContextParts,
): { ctx: TaskContext; dispose: () => Promise<void> } {
  const closers: (() => void | Promise<void>)[] = [];
  const { config } = parts;
  let objects: Promise<ObjectStore> | undefined;
  let checkpoints: Promise<CheckpointStore> | undefined;

  const sqlite = async (path: string) => {
    const { openSqlite } = await import("../lib/sqlite/open.ts");
    const db = openSqlite(path);
    closers.push(() => db.close());
    return db;
  };

  const ctx: TaskContext = {
    runId: parts.runId,
    taskId: parts.taskId,
    log: parts.log,
    signal: parts.signal,
    config,
    counters: new Counters(),
    failures: new Failures(),
    stores: {
      sqlite,
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
    checkpoints: () =>
      checkpoints ??= (async () => {
        const { CheckpointStore } = await import("../lib/sqlite/checkpoints.ts");
        return new CheckpointStore(await sqlite(join(config.home, "weir.db")), parts.taskId);
      })(),
    progress: (label, total) =>
      createProgress({
        label,
        total,
        mode: parts.quiet ? "silent" : parts.terminal.isTTY ? "tty" : "json",
        write: (text) => parts.terminal.line(text.replace(/\n$/, "")),
        status: (text) => parts.terminal.status(text),
        columns: parts.terminal.columns,
      }),
    feature: (name) => config.features.includes(name),
  };

  const dispose = async () => {
    for (const close of closers.reverse()) await close();
    closers.length = 0;
  };
  return { ctx, dispose };
}
