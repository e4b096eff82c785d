/**
 * The SQLite adapter of the job-state port, the default: one database file
 * that every chunk processor on the machine shares. Writes start with
 * `BEGIN IMMEDIATE`, so processes finishing at once take turns instead of
 * failing, and the aggregator's decision is one transaction.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { openSqlite, transaction } from "../../../lib/sqlite/open.ts";
import { migrate } from "../../../lib/sqlite/migrations.ts";
import type {
  AggregateResult,
  BatchRow,
  ChunkOutcome,
  ChunkRow,
  JobRow,
  JobSpec,
  TableRef,
  TransformRow,
  TransformRun,
} from "../model.ts";
import { MIGRATIONS } from "../schema.ts";
import { decide } from "./_decide.ts";
import {
  RUN_COLUMNS,
  runValues,
  toBatch,
  toChunk,
  toJob,
  toRun,
  toTransform,
  unknownChunk,
} from "./_rows.ts";
import { CLAIM_TTL_MS, type JobState } from "./port.ts";

type Row = Record<string, unknown>;

/** Runs synchronous work as a promise, so that a throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Job state in a SQLite file.
 *
 * @example Create a job and read its chunks
 * ```ts
 * import { SqliteJobState } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 * const state = SqliteJobState.open(":memory:");
 * await state.createJob({
 *   job: "j1", source: "jsonl:in", batchSize: 10,
 *   chunks: [{ chunk: 0, tenant: "t", service: "s", table: "a", start: 0, end: 5 }],
 * });
 * assert.equal((await state.chunks("j1"))[0].status, "pending");
 * await state.close();
 * ```
 */
export class SqliteJobState implements JobState {
  /** The adapter's kind. */
  readonly kind = "sqlite" as const;
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Opens (and migrates) the database at `path`.
   *
   * @param path The file, or `":memory:"`.
   * @param busyTimeoutMs How long a writer waits for another's lock.
   * @returns The state.
   */
  static open(path: string, busyTimeoutMs = 30_000): SqliteJobState {
    const db = openSqlite(path, { busyTimeoutMs });
    try {
      migrate(db, path, MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteJobState(db);
  }

  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#db.prepare(sql).all(...params) as Row[];
  }

  #get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#db.prepare(sql).get(...params) as Row | undefined;
  }

  #run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#db.prepare(sql).run(...params).changes);
  }

  createJob(spec: JobSpec): Promise<boolean> {
    return settle(() =>
      transaction(this.#db, () => {
        const added = this.#run(
          `INSERT INTO jobs (job, source, batch_size, chunks, status, created_at)
         VALUES (?, ?, ?, ?, 'running', ?) ON CONFLICT (job) DO NOTHING`,
          spec.job,
          spec.source,
          spec.batchSize,
          spec.chunks.length,
          Date.now(),
        );
        if (added === 0) return false;
        const insert = this.#db.prepare(
          `INSERT INTO chunks (job, chunk, tenant, service, tbl, start_offset, end_offset, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
        );
        for (const c of spec.chunks) {
          insert.run(spec.job, c.chunk, c.tenant, c.service, c.table, c.start, c.end);
        }
        return true;
      })
    );
  }

  job(job: string): Promise<JobRow | undefined> {
    const row = this.#get("SELECT * FROM jobs WHERE job = ?", job);
    return Promise.resolve(row && toJob(row));
  }

  chunks(job: string): Promise<ChunkRow[]> {
    return settle(() =>
      this.#all("SELECT * FROM chunks WHERE job = ? ORDER BY chunk", job).map(toChunk)
    );
  }

  startChunk(job: string, chunk: number): Promise<ChunkRow> {
    return settle(() => this.#startChunk(job, chunk));
  }

  #startChunk(job: string, chunk: number): ChunkRow {
    const row = transaction(this.#db, () => {
      this.#run(
        "UPDATE chunks SET status = 'running', attempts = attempts + 1 WHERE job = ? AND chunk = ?",
        job,
        chunk,
      );
      return this.#get("SELECT * FROM chunks WHERE job = ? AND chunk = ?", job, chunk);
    });
    if (!row) throw unknownChunk(job, chunk);
    return toChunk(row);
  }

  batches(job: string, chunk: number): Promise<BatchRow[]> {
    return settle(() =>
      this.#all("SELECT * FROM batches WHERE job = ? AND chunk = ? ORDER BY batch", job, chunk)
        .map(toBatch)
    );
  }

  commitBatch(job: string, chunk: number, b: BatchRow): Promise<void> {
    return settle(() => {
      transaction(this.#db, () =>
        this.#run(
          `INSERT INTO batches (job, chunk, batch, key, records, end_offset) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (job, chunk, batch) DO NOTHING`,
          job,
          chunk,
          b.batch,
          b.key,
          b.records,
          b.endOffset,
        ));
    });
  }

  aggregate(job: string, chunk: number, outcome: ChunkOutcome): Promise<AggregateResult> {
    return settle(() =>
      transaction(this.#db, () => {
        const changed = this.#run(
          `UPDATE chunks SET status = ?, records = ?, files = ?, error = ? WHERE job = ? AND chunk = ?`,
          outcome.ok ? "succeeded" : "failed",
          outcome.records,
          JSON.stringify(outcome.files),
          outcome.error ?? null,
          job,
          chunk,
        );
        if (changed === 0) throw unknownChunk(job, chunk);
        const chunks = this.#all("SELECT * FROM chunks WHERE job = ? ORDER BY chunk", job)
          .map(toChunk);
        const ended = chunks.filter((c) => c.status === "succeeded" || c.status === "failed");
        const current = toJob(this.#get("SELECT * FROM jobs WHERE job = ?", job)!);
        const result: AggregateResult = {
          job,
          ended: ended.length,
          total: chunks.length,
          decided: false,
          status: current.status,
          created: [],
          failedTables: [],
        };
        if (ended.length < chunks.length || current.status !== "running") return result;
        const decision = decide(chunks);
        this.#run(
          "UPDATE jobs SET status = ?, decided_at = ? WHERE job = ?",
          decision.status,
          Date.now(),
          job,
        );
        const insert = this.#db.prepare(
          `INSERT INTO transforms (job, tenant, service, tbl, files, status)
         VALUES (?, ?, ?, ?, ?, 'pending') ON CONFLICT DO NOTHING`,
        );
        for (const t of decision.transforms) {
          const added = insert.run(job, t.tenant, t.service, t.table, JSON.stringify(t.files));
          if (Number(added.changes) > 0) result.created.push({ job, ...t, status: "pending" });
        }
        return {
          ...result,
          decided: true,
          status: decision.status,
          failedTables: decision.failedTables,
        };
      })
    );
  }

  reopenFailed(job: string): Promise<number[]> {
    return settle(() =>
      transaction(this.#db, () => {
        const failed = this.#all(
          "SELECT chunk FROM chunks WHERE job = ? AND status = 'failed' ORDER BY chunk",
          job,
        ).map((r) => Number(r.chunk));
        if (failed.length > 0) {
          this.#run(
            "UPDATE chunks SET status = 'pending', error = NULL WHERE job = ? AND status = 'failed'",
            job,
          );
          this.#run("UPDATE jobs SET status = 'running', decided_at = NULL WHERE job = ?", job);
        }
        return failed;
      })
    );
  }

  transforms(job: string): Promise<TransformRow[]> {
    return settle(() =>
      this.#all("SELECT * FROM transforms WHERE job = ? ORDER BY tenant, service, tbl", job)
        .map(toTransform)
    );
  }

  claimTransform(job: string, t: TableRef): Promise<TransformRow | undefined> {
    const now = Date.now();
    const row = this.#get(
      `UPDATE transforms SET status = 'running', claimed_at = ?
       WHERE job = ? AND tenant = ? AND service = ? AND tbl = ?
         AND (status = 'pending' OR (status = 'running' AND claimed_at < ?))
       RETURNING *`,
      now,
      job,
      t.tenant,
      t.service,
      t.table,
      now - CLAIM_TTL_MS,
    );
    return Promise.resolve(row && toTransform(row));
  }

  consumed(t: TableRef, files: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const check = this.#db.prepare(
      "SELECT 1 FROM ledger WHERE tenant = ? AND service = ? AND tbl = ? AND file = ?",
    );
    for (const f of files) if (check.get(t.tenant, t.service, t.table, f)) found.add(f);
    return Promise.resolve(found);
  }

  finishRun(run: TransformRun, consumed: readonly string[]): Promise<void> {
    return settle(() =>
      transaction(this.#db, () => {
        this.#run(
          `INSERT INTO transform_runs (${RUN_COLUMNS}) VALUES (${Array(12).fill("?").join(", ")})`,
          ...runValues(run),
        );
        const add = this.#db.prepare(
          `INSERT INTO ledger (tenant, service, tbl, file, run) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        );
        if (!run.noop) {
          for (const f of consumed) add.run(run.tenant, run.service, run.table, f, run.run);
        }
        if (run.trigger === "job") {
          this.#run(
            `UPDATE transforms SET status = 'done'
           WHERE job = ? AND tenant = ? AND service = ? AND tbl = ?`,
            run.job,
            run.tenant,
            run.service,
            run.table,
          );
        }
      })
    );
  }

  runs(job: string): Promise<TransformRun[]> {
    return settle(() =>
      this.#all("SELECT * FROM transform_runs WHERE job = ? ORDER BY seq", job).map(toRun)
    );
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}
