/**
 * The PostgreSQL adapter of the job-state port, for chunk processors on
 * several machines sharing one database (`DATABASE_URL`; `?search_path=`
 * picks the schema, `weir_canonical` by default). The aggregator's decision
 * is one transaction that first locks the job's row (`SELECT ... FOR
 * UPDATE`), so concurrent finishers take turns; the primary key of
 * `transforms` with `ON CONFLICT DO NOTHING` backs the one-per-table rule.
 *
 * @module
 */
import {
  connectPostgres,
  type PostgresConnection,
  type PostgresSql,
  splitSchema,
} from "../../../lib/postgres/connect.ts";
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
import { POSTGRES_TABLES } from "../schema.ts";
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

/** The schema used when the URL names none. */
export const DEFAULT_SCHEMA = "weir_canonical";
/** The advisory lock that serializes creating the tables ("wcan"). */
const CREATE_LOCK = 0x7763616e;

/**
 * Job state in a PostgreSQL schema.
 *
 * @example Open on the shared server
 * ```ts ignore
 * import { PostgresJobState } from "./postgres.ts";
 * const state = await PostgresJobState.open(Deno.env.get("DATABASE_URL")!);
 * await state.close();
 * ```
 */
export class PostgresJobState implements JobState {
  /** The adapter's kind. */
  readonly kind = "postgres" as const;
  readonly #pg: PostgresConnection;
  readonly #sql: PostgresSql;

  private constructor(pg: PostgresConnection) {
    this.#pg = pg;
    this.#sql = pg.sql;
  }

  /**
   * Connects, creates the schema and the tables if absent.
   *
   * @param url The connection URL; `?search_path=<schema>` selects the schema.
   * @param max The most connections.
   * @returns The state.
   */
  static async open(url: string, max = 2): Promise<PostgresJobState> {
    const schema = splitSchema(url).schema ?? DEFAULT_SCHEMA;
    const pg = await connectPostgres(url, { schema, max });
    try {
      const [{ exists }] = await pg.sql`SELECT to_regclass('transform_runs') IS NOT NULL AS exists`;
      if (!exists) {
        await pg.sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(${CREATE_LOCK}::integer, hashtext(${schema}::text))`;
          for (const ddl of POSTGRES_TABLES) await tx.unsafe(ddl);
        });
      }
    } catch (err) {
      await pg.close();
      throw err;
    }
    return new PostgresJobState(pg);
  }

  async createJob(spec: JobSpec): Promise<boolean> {
    return await this.#sql.begin(async (tx) => {
      const added = await tx`
        INSERT INTO jobs (job, source, batch_size, chunks, status, created_at)
        VALUES (${spec.job}, ${spec.source}, ${spec.batchSize}, ${spec.chunks.length}, 'running',
          ${Date.now()}) ON CONFLICT (job) DO NOTHING RETURNING job`;
      if (added.length === 0) return false;
      const rows = spec.chunks.map((c) => ({
        job: spec.job,
        chunk: c.chunk,
        tenant: c.tenant,
        service: c.service,
        tbl: c.table,
        start_offset: c.start,
        end_offset: c.end,
        status: "pending",
      }));
      for (let i = 0; i < rows.length; i += 1000) {
        await tx`INSERT INTO chunks ${tx(rows.slice(i, i + 1000))}`;
      }
      return true;
    }) as boolean;
  }

  async job(job: string): Promise<JobRow | undefined> {
    const [row] = await this.#sql`SELECT * FROM jobs WHERE job = ${job}`;
    return row && toJob(row);
  }

  async chunks(job: string): Promise<ChunkRow[]> {
    return (await this.#sql`SELECT * FROM chunks WHERE job = ${job} ORDER BY chunk`).map(toChunk);
  }

  async startChunk(job: string, chunk: number): Promise<ChunkRow> {
    const [row] = await this.#sql`
      UPDATE chunks SET status = 'running', attempts = attempts + 1
      WHERE job = ${job} AND chunk = ${chunk} RETURNING *`;
    if (!row) throw unknownChunk(job, chunk);
    return toChunk(row);
  }

  async batches(job: string, chunk: number): Promise<BatchRow[]> {
    return (await this.#sql`
      SELECT * FROM batches WHERE job = ${job} AND chunk = ${chunk} ORDER BY batch`).map(toBatch);
  }

  async commitBatch(job: string, chunk: number, b: BatchRow): Promise<void> {
    await this.#sql`
      INSERT INTO batches (job, chunk, batch, key, records, end_offset)
      VALUES (${job}, ${chunk}, ${b.batch}, ${b.key}, ${b.records}, ${b.endOffset})
      ON CONFLICT (job, chunk, batch) DO NOTHING`;
  }

  async aggregate(job: string, chunk: number, outcome: ChunkOutcome): Promise<AggregateResult> {
    return await this.#sql.begin(async (tx) => {
      // The job's row lock makes finishers of one job take turns.
      const [current] = await tx`SELECT * FROM jobs WHERE job = ${job} FOR UPDATE`;
      const changed = await tx`
        UPDATE chunks SET status = ${outcome.ok ? "succeeded" : "failed"},
          records = ${outcome.records}, files = ${JSON.stringify(outcome.files)},
          error = ${outcome.error ?? null}
        WHERE job = ${job} AND chunk = ${chunk} RETURNING chunk`;
      if (!current || changed.length === 0) throw unknownChunk(job, chunk);
      const chunks = (await tx`SELECT * FROM chunks WHERE job = ${job} ORDER BY chunk`)
        .map(toChunk);
      const ended = chunks.filter((c) => c.status === "succeeded" || c.status === "failed");
      const status = toJob(current).status;
      const result: AggregateResult = {
        job,
        ended: ended.length,
        total: chunks.length,
        decided: false,
        status,
        created: [],
        failedTables: [],
      };
      if (ended.length < chunks.length || status !== "running") return result;
      const decision = decide(chunks);
      await tx`UPDATE jobs SET status = ${decision.status}, decided_at = ${Date.now()}
        WHERE job = ${job}`;
      for (const t of decision.transforms) {
        const added = await tx`
          INSERT INTO transforms (job, tenant, service, tbl, files, status)
          VALUES (${job}, ${t.tenant}, ${t.service}, ${t.table}, ${JSON.stringify(t.files)},
            'pending') ON CONFLICT DO NOTHING RETURNING job`;
        if (added.length > 0) result.created.push({ job, ...t, status: "pending" });
      }
      return {
        ...result,
        decided: true,
        status: decision.status,
        failedTables: decision.failedTables,
      };
    }) as AggregateResult;
  }

  async reopenFailed(job: string): Promise<number[]> {
    return await this.#sql.begin(async (tx) => {
      await tx`SELECT job FROM jobs WHERE job = ${job} FOR UPDATE`;
      const failed = await tx`
        UPDATE chunks SET status = 'pending', error = NULL
        WHERE job = ${job} AND status = 'failed' RETURNING chunk`;
      if (failed.length > 0) {
        await tx`UPDATE jobs SET status = 'running', decided_at = NULL WHERE job = ${job}`;
      }
      return failed.map((r) => Number(r.chunk)).sort((a, b) => a - b);
    }) as number[];
  }

  async transforms(job: string): Promise<TransformRow[]> {
    return (await this.#sql`
      SELECT * FROM transforms WHERE job = ${job} ORDER BY tenant, service, tbl`).map(toTransform);
  }

  async claimTransform(job: string, t: TableRef): Promise<TransformRow | undefined> {
    const now = Date.now();
    const [row] = await this.#sql`
      UPDATE transforms SET status = 'running', claimed_at = ${now}
      WHERE job = ${job} AND tenant = ${t.tenant} AND service = ${t.service} AND tbl = ${t.table}
        AND (status = 'pending' OR (status = 'running' AND claimed_at < ${now - CLAIM_TTL_MS}))
      RETURNING *`;
    return row && toTransform(row);
  }

  async consumed(t: TableRef, files: readonly string[]): Promise<Set<string>> {
    if (files.length === 0) return new Set();
    const rows = await this.#sql`
      SELECT file FROM ledger
      WHERE tenant = ${t.tenant} AND service = ${t.service} AND tbl = ${t.table}
        AND file = ANY(${files as string[]})`;
    return new Set(rows.map((r) => String(r.file)));
  }

  async finishRun(run: TransformRun, consumed: readonly string[]): Promise<void> {
    await this.#sql.begin(async (tx) => {
      const values = runValues(run);
      await tx.unsafe(
        `INSERT INTO transform_runs (${RUN_COLUMNS}) VALUES (${
          values.map((_, i) => `$${i + 1}`).join(", ")
        })`,
        values,
      );
      const rows = run.noop ? [] : consumed.map((file) => ({
        tenant: run.tenant,
        service: run.service,
        tbl: run.table,
        file,
        run: run.run,
      }));
      for (let i = 0; i < rows.length; i += 1000) {
        await tx`INSERT INTO ledger ${tx(rows.slice(i, i + 1000))} ON CONFLICT DO NOTHING`;
      }
      if (run.trigger === "job") {
        await tx`UPDATE transforms SET status = 'done'
          WHERE job = ${run.job} AND tenant = ${run.tenant} AND service = ${run.service}
            AND tbl = ${run.table}`;
      }
    });
  }

  async runs(job: string): Promise<TransformRun[]> {
    return (await this.#sql`SELECT * FROM transform_runs WHERE job = ${job} ORDER BY seq`)
      .map(toRun);
  }

  close(): Promise<void> {
    return this.#pg.close();
  }
}
