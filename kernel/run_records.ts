/**
 * Run records: one row per task or pipeline run in the kernel's SQLite
 * database, and a JSON manifest per run under `<home>/runs/<id>/`.
 * Everything stored passes through the redactor first.
 *
 * @module
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { ItemFailure } from "./counters.ts";
import { HomeError } from "./errors.ts";
import type { Redactor } from "./report/redact.ts";
import { migrate } from "../lib/sqlite/migrations.ts";
import { openSqlite } from "../lib/sqlite/open.ts";
import { DatabaseError } from "../lib/sqlite/database_error.ts";

/** How a run ended, or `running`. */
export type RunStatus = "running" | "succeeded" | "failed" | "partial" | "interrupted";

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
}

const MIGRATIONS = [{
  version: 1,
  name: "runs",
  up: [
    `CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('task', 'pipeline')),
      name TEXT NOT NULL,
      parent_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
      step TEXT,
      status TEXT NOT NULL
        CHECK (status IN ('running', 'succeeded', 'failed', 'partial', 'interrupted')),
      params TEXT NOT NULL,
      output TEXT,
      counters TEXT NOT NULL DEFAULT '{}',
      failures TEXT NOT NULL DEFAULT '[]',
      error TEXT,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      duration_ms REAL
    )`,
    "CREATE INDEX runs_started ON runs (started_at)",
    "CREATE INDEX runs_parent ON runs (parent_id, step)",
  ],
}];

/**
 * Makes a run id: sortable by time, unique across processes.
 *
 * @param now The start time. @default {new Date()}
 * @returns An id like `20261126T011500Z-3fa9c2d1`.
 *
 * @example
 * ```ts
 * import { newRunId } from "./run_records.ts";
 * import assert from "node:assert/strict";
 * assert.match(newRunId(), /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const rand = crypto.getRandomValues(new Uint8Array(4));
  return `${stamp}-${Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The kernel's run store.
 *
 * @example Record a run and read it back
 * ```ts
 * import { RunRecords } from "./run_records.ts";
 * import { Redactor } from "./report/redact.ts";
 * import assert from "node:assert/strict";
 * const home = await Deno.makeTempDir();
 * const runs = RunRecords.open(home, new Redactor());
 * runs.start({ id: "r1", kind: "task", name: "hello.greet", params: { name: "ada" } });
 * runs.finish("r1", { status: "succeeded", output: { text: "hi" } });
 * assert.equal(runs.get("r1")?.status, "succeeded");
 * runs.close();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export class RunRecords {
  #db: DatabaseSync;
  #home: string;
  #redactor: Redactor;

  private constructor(db: DatabaseSync, home: string, redactor: Redactor) {
    this.#db = db;
    this.#home = home;
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
    migrate(db, path, MIGRATIONS);
    return new RunRecords(db, home, redactor);
  }

  /**
   * Records the start of a run.
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
    this.#db.prepare(
      `INSERT INTO runs (id, kind, name, parent_id, step, status, params, started_at)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = 'running', error = NULL, ended_at = NULL`,
    ).run(
      run.id,
      run.kind,
      run.name,
      run.parentId ?? null,
      run.step ?? null,
      JSON.stringify(this.#redactor.value(run.params) ?? null),
      new Date().toISOString(),
    );
  }

  /**
   * Records how a run ended and writes its manifest.
   *
   * @param id The run id.
   * @param end Status, output, counters, failures, error.
   * @returns The stored record.
   */
  finish(id: string, end: {
    status: Exclude<RunStatus, "running">;
    output?: unknown;
    counters?: Record<string, number>;
    failures?: ItemFailure[];
    error?: string;
  }): RunRecord {
    const r = this.#redactor;
    const endedAt = new Date();
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
      endedAt.toISOString(),
      endedAt.toISOString(),
      id,
    );
    const record = this.get(id)!;
    this.#writeManifest(record);
    return record;
  }

  /**
   * Reads one run.
   *
   * @param id The run id.
   * @returns The record, or `undefined`.
   */
  get(id: string): RunRecord | undefined {
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
    this.#db.close();
  }

  #writeManifest(record: RunRecord): void {
    const manifest = {
      ...record,
      steps: record.kind === "pipeline" ? this.steps(record.id) : undefined,
      weir: { deno: Deno.version.deno },
    };
    const path = this.manifestPath(record.id);
    mkdirSync(join(this.#home, "runs", record.id), { recursive: true });
    // Write then rename: a reader never sees half a manifest.
    writeFileSync(`${path}.tmp`, JSON.stringify(manifest, null, 2) + "\n");
    renameSync(`${path}.tmp`, path);
  }
}

/** Creates the home directory, or says in one line why it cannot be used. */
function makeHome(home: string): void {
  try {
    mkdirSync(home, { recursive: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    let reason = `it cannot be created (${(err as Error).message})`;
    if (code === "EEXIST" || code === "ENOTDIR") {
      let file = home;
      while (isDirectory(file) === undefined && dirname(file) !== file) file = dirname(file);
      if (isDirectory(file) === false) {
        reason = file === home
          ? "it is a file, not a directory"
          : `a parent of it is a file, not a directory ("${file}")`;
      }
    } else if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      reason = `it is not writable (${code})`;
    }
    throw new HomeError(home, reason, undefined, { cause: err });
  }
}

/** `true` for a directory, `false` for another file, `undefined` when absent. */
function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
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
  };
}
