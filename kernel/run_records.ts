/**
 * Run records: one row per task or pipeline run in the kernel's SQLite
 * database, and a JSON manifest per run under `<home>/runs/<id>/`.
 * Everything stored passes through the redactor first.
 *
 * @module
 */
import { join } from "../lib/path.ts";
import type { DatabaseSync } from "node:sqlite";
import type { ItemFailure } from "../lib/counters.ts";
import type { Redactor } from "../lib/redact.ts";
import { migrate } from "../lib/sqlite/migrations.ts";
import { openSqlite } from "../lib/sqlite/open.ts";
import { RUN_MIGRATIONS } from "./run_schema.ts";
import {
  type HeldProcessLock,
  holdProcessLock,
  isProcessLockHeld,
} from "../lib/sqlite/process_lock.ts";
import { writeJsonFile } from "../lib/json_file.ts";
import { HomeError } from "./errors.ts";
import { makeHome } from "./home.ts";
import { DatabaseError } from "../lib/sqlite/database_error.ts";

/**
 * How a run ended, `running`, or `abandoned`: marked running by a process
 * that died before it finished (kill -9, power loss), found so by a later
 * reader. Failed, interrupted and abandoned runs can be resumed.
 */
export type RunStatus =
  | "running"
  | "succeeded"
  | "failed"
  | "partial"
  | "interrupted"
  | "abandoned";

/** How a run this process ran can end. */
export type FinalStatus = Exclude<RunStatus, "running" | "abandoned">;

/** A run as stored. */
export interface RunRecord {
  /** The run id. */
  id: string;
  /** A task run or a pipeline run. */
  kind: "task" | "pipeline";
  /** The task id or pipeline name. */
  name: string;
  /** The pipeline run this step belongs to. */
  parentId: string | null;
  /** The step name inside the pipeline. */
  step: string | null;
  /** Current status. */
  status: RunStatus;
  /** The validated input (redacted). */
  params: unknown;
  /** The output (redacted), once finished. */
  output: unknown;
  /** Counters the task reported. */
  counters: Record<string, number>;
  /** Items that failed. */
  failures: ItemFailure[];
  /** The error message when the run failed. */
  error: string | null;
  /** ISO start time. */
  startedAt: string;
  /** ISO end time. */
  endedAt: string | null;
  /** Wall time in milliseconds. */
  durationMs: number | null;
  /** The process that ran it last. */
  pid: number | null;
  /** That process's host, when it could be read. */
  host: string | null;
}

/** Who runs a run: recorded so a reader can tell which process to look for. */
export interface RunProcess {
  /** The process id. */
  pid: number;
  /** The host name, when the process may read it (`--allow-sys=hostname`). */
  host: string | null;
}

/** The process this code runs in. */
function thisProcess(): RunProcess {
  const granted = Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted";
  return { pid: Deno.pid, host: granted ? Deno.hostname() : null };
}

/**
 * The kernel's run store: `<home>/weir.db` and the manifests under
 * `<home>/runs/<id>/`. A run that starts holds a lock file beside its
 * manifest until it finishes; a reader that finds a run marked running whose
 * lock nobody holds marks it `abandoned`.
 *
 * @example Record a run and read it back
 * ```ts
 * import { RunRecords } from "./run_records.ts";
 * import { Redactor } from "../lib/redact.ts";
 * import assert from "node:assert/strict";
 * const home = await Deno.makeTempDir();
 * const runs = RunRecords.open(home, new Redactor());
 * try {
 *   runs.start({ id: "r1", kind: "task", name: "hello.greet", params: { name: "ada" } });
 *   runs.finish("r1", { status: "succeeded", output: { text: "hi" } });
 *   assert.equal(runs.get("r1")?.status, "succeeded");
 * } finally {
 *   runs.close();
 *   await Deno.remove(home, { recursive: true });
 * }
 * ```
 */
export class RunRecords {
  /** The database file. */
  readonly path: string;
  #db: DatabaseSync;
  #home: string;
  #redactor: Redactor;
  #process = thisProcess();
  #locks = new Map<string, HeldProcessLock>();

  private constructor(db: DatabaseSync, home: string, path: string, redactor: Redactor) {
    this.#db = db;
    this.#home = home;
    this.path = path;
    this.#redactor = redactor;
  }

  /**
   * Opens (and migrates) `<home>/weir.db`, creating the home directory.
   *
   * @param home The kernel's home directory.
   * @param redactor Applied to everything stored.
   * @returns The store.
   * @throws {HomeError} When the home is a file or cannot be created or written.
   * @throws {DatabaseError} Naming `weir.db`, when it is corrupted or locked.
   */
  static open(home: string, redactor: Redactor): RunRecords {
    makeHome(home);
    const path = join(home, "weir.db");
    let db: DatabaseSync;
    try {
      db = openSqlite(path, {
        corruptHint:
          "it holds only run records: move it aside to start a new run history, or restore it from a backup",
      });
    } catch (err) {
      // The directory exists, yet SQLite cannot create its file there.
      if (err instanceof DatabaseError && err.problem === "cannot_open") {
        const reason = `its database cannot be created or opened (${(err.cause as Error).message})`;
        throw new HomeError(home, reason, undefined, { cause: err });
      }
      throw err;
    }
    try {
      migrate(db, path, RUN_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new RunRecords(db, home, path, redactor);
  }

  /**
   * Records the start of a run and takes its lock (held until
   * {@linkcode RunRecords.finish}). Starting an existing id again (a resumed
   * pipeline) marks it running anew.
   *
   * @param run The run's identity and input.
   */
  start(run: {
    id: string;
    kind: "task" | "pipeline";
    name: string;
    params: unknown;
    parentId?: string;
    step?: string;
  }): void {
    this.#locks.set(run.id, holdProcessLock(this.#lockPath(run.id)));
    this.#db.prepare(
      `INSERT INTO runs (id, kind, name, parent_id, step, status, params, started_at, pid, host)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = 'running', error = NULL, ended_at = NULL,
         pid = excluded.pid, host = excluded.host`,
    ).run(
      run.id,
      run.kind,
      run.name,
      run.parentId ?? null,
      run.step ?? null,
      JSON.stringify(this.#redactor.value(run.params) ?? null),
      new Date().toISOString(),
      this.#process.pid,
      this.#process.host,
    );
  }

  /**
   * Records how a run ended, writes its manifest and releases its lock.
   *
   * @param id The run id.
   * @param end Status, output, counters, failures, error.
   * @returns The stored record.
   * @throws {Error} Naming the file, when the record or manifest cannot be
   * written (a failed manifest marks the row failed); the lock is released.
   */
  finish(id: string, end: {
    status: FinalStatus;
    output?: unknown;
    counters?: Record<string, number>;
    failures?: ItemFailure[];
    error?: string;
  }): RunRecord {
    try {
      const r = this.#redactor;
      const endedAt = new Date().toISOString();
      try {
        this.#db.prepare(
          `UPDATE runs SET status = ?, output = ?, counters = ?, failures = ?, error = ?,
             ended_at = ?, duration_ms = (julianday(?) - julianday(started_at)) * 86400000.0
           WHERE id = ?`,
        ).run(
          end.status,
          end.output === undefined ? null : JSON.stringify(r.value(end.output)),
          JSON.stringify(end.counters ?? {}),
          JSON.stringify(r.value(end.failures ?? [])),
          end.error === undefined ? null : r.text(end.error),
          endedAt,
          endedAt,
          id,
        );
      } catch (cause) {
        throw new Error(
          `Cannot write the run record to "${this.path}": ${(cause as Error).message}`,
          { cause },
        );
      }
      const record = this.#read(id)!;
      try {
        writeJsonFile(this.manifestPath(id), {
          ...record,
          steps: record.kind === "pipeline" ? this.steps(record.id) : undefined,
          weir: { deno: Deno.version.deno },
        });
      } catch (err) {
        // The record must not claim an end whose manifest is missing: failed, and resumable.
        this.#db.prepare("UPDATE runs SET status = 'failed', error = ? WHERE id = ?")
          .run(r.text((err as Error).message), id);
        throw err;
      }
      return record;
    } finally {
      this.#locks.get(id)?.release();
      this.#locks.delete(id);
    }
  }

  /**
   * Marks this process's unfinished runs interrupted and releases their locks,
   * just before a forced exit (best effort: the process is going anyway).
   *
   * @returns The ids marked.
   */
  interruptActive(): string[] {
    const ids = [...this.#locks.keys()];
    for (const id of ids) {
      try {
        this.#db.prepare(
          `UPDATE runs SET status = 'interrupted', ended_at = ?,
             error = 'Stopped by a second signal; the run can be resumed'
           WHERE id = ? AND status = 'running'`,
        ).run(new Date().toISOString(), id);
      } catch { /* the process is exiting; abandonment detection covers it */ }
      this.#locks.get(id)?.release();
    }
    this.#locks.clear();
    return ids;
  }

  /**
   * Reads one run.
   *
   * @param id The run id.
   * @returns The record, or `undefined`.
   */
  get(id: string): RunRecord | undefined {
    this.#sweep();
    return this.#read(id);
  }

  // Without the sweep: finish() reads back its own row on every run's hot path.
  #read(id: string): RunRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM runs WHERE id = ?").get(id);
    return row ? toRecord(row) : undefined;
  }

  /**
   * Lists recent top-level runs, newest first.
   *
   * @param limit How many. @default {20}
   * @returns The records.
   */
  list(limit = 20): RunRecord[] {
    this.#sweep();
    return this.#db.prepare(
      "SELECT * FROM runs WHERE parent_id IS NULL ORDER BY started_at DESC, id DESC LIMIT ?",
    ).all(limit).map(toRecord);
  }

  /**
   * Lists the step runs of a pipeline run, in the order they started.
   *
   * @param parentId The pipeline run id.
   * @returns The step records.
   */
  steps(parentId: string): RunRecord[] {
    this.#sweep();
    return this.#db.prepare(
      "SELECT * FROM runs WHERE parent_id = ? ORDER BY started_at, rowid",
    ).all(parentId).map(toRecord);
  }

  /** The manifest path of a run. */
  manifestPath(id: string): string {
    return join(this.#home, "runs", id, "manifest.json");
  }

  /** Closes the database. */
  close(): void {
    for (const lock of this.#locks.values()) lock.release();
    this.#locks.clear();
    this.#db.close();
  }

  #lockPath(id: string): string {
    return join(this.#home, "runs", id, "alive.lock");
  }

  /**
   * Marks as abandoned every run recorded as running whose process is gone:
   * not one of ours, and its lock is free. Runs of other hosts are left
   * alone, as their locks cannot be seen from here.
   */
  #sweep(): void {
    const running = this.#db.prepare(
      "SELECT id, pid, host FROM runs WHERE status = 'running'",
    ).all();
    for (const row of running) {
      const id = String(row.id);
      if (this.#locks.has(id)) continue;
      if (row.host !== null && row.host !== this.#process.host) continue;
      if (isProcessLockHeld(this.#lockPath(id))) continue;
      const who = `process ${row.pid ?? "?"}${row.host ? ` on ${row.host}` : ""}`;
      this.#db.prepare(
        `UPDATE runs SET status = 'abandoned', error = ? WHERE id = ? AND status = 'running'`,
      ).run(`The ${who} stopped before the run finished; it can be resumed`, id);
    }
  }
}

function toRecord(row: Record<string, unknown>): RunRecord {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.parse(String(v)));
  return {
    id: String(row.id),
    kind: row.kind as RunRecord["kind"],
    name: String(row.name),
    parentId: (row.parent_id as string | null) ?? null,
    step: (row.step as string | null) ?? null,
    status: row.status as RunStatus,
    params: json(row.params),
    output: json(row.output),
    counters: json(row.counters) ?? {},
    failures: json(row.failures) ?? [],
    error: (row.error as string | null) ?? null,
    startedAt: String(row.started_at),
    endedAt: (row.ended_at as string | null) ?? null,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    pid: row.pid === null || row.pid === undefined ? null : Number(row.pid),
    host: (row.host as string | null) ?? null,
  };
}
