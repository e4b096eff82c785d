/**
 * The partition store: every statement the plugin runs, parameterized, on
 * one {@linkcode Executor} and {@linkcode Dialect} (SQLite or PostgreSQL).
 * The partition filter and the exclusion of processed records are part of
 * the claim query; each record's rows and its log entry commit together.
 *
 * @module
 */
import { type MappingContract, quoteIdent } from "./contract.ts";
import type { Dialect, Executor, SqlParam, SqlRow } from "./executor.ts";
import type { MappedRecord } from "./mapper.ts";
import { type PartitionBy, partitionSql } from "./rule.ts";
import { LEASES_TABLE, LOG_TABLE, schemaStatements, SESSIONS_TABLE } from "./schema.ts";

/** A source record. */
export interface SourceRecord {
  /** Its id. */
  appId: number;
  /** Its XML. */
  xml: string;
}

/** Which records a claim may return. */
export interface ClaimFilter {
  /** The rule and the partition count. */
  by: PartitionBy;
  /** The partition count. */
  partitions: number;
  /** The partitions to take; `null` takes every record (mode none). */
  mine: readonly number[] | null;
  /** Only ids above this one (the instance's cursor). */
  afterId: number;
  /** Also take records logged as failed by earlier sessions. */
  retryFailed: boolean;
  /** This session, whose own failures are never retried. */
  sessionId: string;
  /** At most this many. */
  limit: number;
}

/** A record's processing-log entry. */
export interface LogEntry {
  appId: number;
  status: "success" | "failed";
  sessionId: string;
  instanceId: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
}

/** The lease a record's partition is held under: its commit requires it still. */
export interface Fence {
  /** The lease's name. */
  name: string;
  /** Its owner. */
  owner: string;
  /** Its fencing token. */
  token: number;
}

/** A session (one instance run) as it starts. */
export interface SessionStart {
  sessionId: string;
  owner: string;
  instanceId: number;
  instanceCount: number;
  mode: "none" | "static" | "lease";
  by: PartitionBy;
  partitions: number;
}

/** Counts a session reports with its heartbeat and at its end. */
export interface SessionCounts {
  processed: number;
  failed: number;
  duplicates: number;
}

/** A number from a row (PostgreSQL returns `bigint` as text). */
export const num = (v: unknown): number => v === null || v === undefined ? 0 : Number(v);

/** The SQL of the partition store, on one backend. */
export class PartitionStore {
  /** The backend's dialect. */
  readonly dialect: Dialect;
  /** The contract whose tables the store writes. */
  readonly contract: MappingContract;
  readonly #ex: Executor;
  readonly #src: string;
  readonly #id: string;
  readonly #xml: string;
  readonly #log: string;
  readonly #sessions: string;

  /**
   * Creates the store over an executor.
   *
   * @param ex The executor.
   * @param dialect Its dialect.
   * @param contract The mapping contract.
   */
  constructor(ex: Executor, dialect: Dialect, contract: MappingContract) {
    this.#ex = ex;
    this.dialect = dialect;
    this.contract = contract;
    this.#src = dialect.table(contract.source.table);
    this.#id = quoteIdent(contract.source.id);
    this.#xml = quoteIdent(contract.source.xml);
    this.#log = dialect.table(LOG_TABLE);
    this.#sessions = dialect.table(SESSIONS_TABLE);
  }

  /** The executor, for the report queries. */
  get executor(): Executor {
    return this.#ex;
  }

  /** Creates every table that is missing, in one transaction. */
  async setup(): Promise<void> {
    const statements = schemaStatements(this.dialect, this.contract);
    await this.#ex.transaction(async (tx) => {
      if (this.dialect.name === "postgres") {
        // Instances starting together take turns creating the schema.
        await tx.all("SELECT pg_advisory_xact_lock(2003792722, hashtext($1))", [
          this.contract.schema,
        ]);
        await tx.all(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.contract.schema)}`);
      }
      for (const s of statements) await tx.all(s);
    });
  }

  /**
   * Inserts source records; ids already present are kept as they are.
   *
   * @param records The records.
   * @returns How many were inserted.
   */
  async loadSource(records: readonly SourceRecord[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += 200) {
      const chunk = records.slice(i, i + 200);
      const values = chunk.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`).join(", ");
      const params = chunk.flatMap((r) => [r.appId, r.xml]);
      const rows = await this.#ex.transaction((tx) =>
        tx.all(
          `INSERT INTO ${this.#src} (${this.#id}, ${this.#xml}) VALUES ${values} ON CONFLICT (${this.#id}) DO NOTHING RETURNING ${this.#id}`,
          params,
        )
      );
      inserted += rows.length;
    }
    return inserted;
  }

  /**
   * Claims the next unprocessed records of the filter's partitions, in id
   * order: the partition rule and the exclusion of logged records run in
   * the query.
   *
   * @param f The filter.
   * @returns Up to `f.limit` records.
   */
  async claim(f: ClaimFilter): Promise<SourceRecord[]> {
    const params: SqlParam[] = [];
    const p = (value: SqlParam) => `$${params.push(value)}`;
    const where = [`s.${this.#id} > ${p(f.afterId)}`];
    if (f.mine !== null) {
      const expr = partitionSql(f.by, `s.${this.#id}`, p(f.partitions));
      where.push(this.dialect.inJsonList(expr, p(JSON.stringify(f.mine))));
    }
    // Failures of earlier sessions are retried with --retry-failed, never this session's own.
    const done = f.retryFailed
      ? `AND (l.status = 'success' OR l.session_id = ${p(f.sessionId)})`
      : "";
    const rows = await this.#ex.all(
      `SELECT s.${this.#id} AS app_id, s.${this.#xml} AS xml FROM ${this.#src} s
       WHERE ${where.join(" AND ")}
         AND NOT EXISTS (SELECT 1 FROM ${this.#log} l WHERE l.app_id = s.${this.#id} ${done})
       ORDER BY s.${this.#id} LIMIT ${p(f.limit)}`,
      params,
    );
    return rows.map((r) => ({ appId: num(r.app_id), xml: String(r.xml) }));
  }

  /**
   * Writes a record's log entry and its rows in one transaction. When the
   * log already holds the record (another instance converted it, or it
   * failed and failures are not retried), or another transaction holds it
   * (PostgreSQL), nothing is written: a duplicate attempt. With a fence (lease
   * mode), the same statement also requires that the partition's lease still
   * has this owner and token, so an instance that stalled past its ttl and
   * lost the lease writes nothing (`"fenced"`).
   *
   * @param entry The log entry.
   * @param rows The rows (none for a failed record).
   * @param retryFailed Replace a failed entry of an earlier session.
   * @param fence The lease the record's partition is held under, if any.
   * @returns `"done"`; `"duplicate"` or `"fenced"` when nothing was written.
   */
  commit(
    entry: LogEntry,
    rows: MappedRecord | null,
    retryFailed: boolean,
    fence?: Fence,
  ): Promise<"done" | "duplicate" | "fenced"> {
    const t = this.dialect.types;
    const onConflict = retryFailed
      ? `DO UPDATE SET status = excluded.status, session_id = excluded.session_id,
         instance_id = excluded.instance_id, error = excluded.error,
         started_at = excluded.started_at, finished_at = excluded.finished_at
         WHERE l.status = 'failed' AND l.session_id <> excluded.session_id`
      : "DO NOTHING";
    // One statement locks the source row (PostgreSQL: SKIP LOCKED, so a record another
    // transaction holds is left to it) and logs the record unless the log has it.
    const logSql = `INSERT INTO ${this.#log} AS l
        (app_id, status, session_id, instance_id, error, started_at, finished_at)
      SELECT CAST($1 AS ${t.bigint}), CAST($2 AS ${t.text}), CAST($3 AS ${t.text}),
        CAST($4 AS INTEGER), CAST($5 AS ${t.text}), CAST($6 AS ${t.timestamp}), CAST($7 AS ${t.timestamp})
      FROM ${this.dialect.lockRecord(this.#src, this.#id)} AS locked WHERE ${
      fence === undefined ? "1 = 1" : `EXISTS (SELECT 1 FROM ${this.dialect.table(LEASES_TABLE)} f
        WHERE f.name = CAST($8 AS ${t.text}) AND f.owner = CAST($9 AS ${t.text})
          AND f.token = CAST($10 AS ${t.bigint}))`
    }
      ON CONFLICT (app_id) ${onConflict} RETURNING app_id`;
    const params: SqlParam[] = [
      entry.appId,
      entry.status,
      entry.sessionId,
      entry.instanceId,
      entry.error,
      entry.startedAt.toISOString(),
      entry.finishedAt.toISOString(),
    ];
    if (fence) params.push(fence.name, fence.owner, fence.token);
    return this.#ex.transaction(async (tx) => {
      if ((await tx.all(logSql, params)).length === 0) {
        if (fence === undefined) return "duplicate";
        // Nothing written: either the log has the record, or the lease changed hands.
        const held = await tx.all(
          `SELECT 1 FROM ${this.dialect.table(LEASES_TABLE)}
           WHERE name = $1 AND owner = $2 AND token = CAST($3 AS ${t.bigint})`,
          [fence.name, fence.owner, fence.token],
        );
        return held.length > 0 ? "duplicate" : "fenced";
      }
      // Sent together: PostgreSQL pipelines them on the transaction's connection.
      await Promise.all(
        [...rows ?? []].map(([name, list]) => insertRows(tx, this.dialect.table(name), list)),
      );
      return "done";
    });
  }

  /**
   * Records a session's start, with its first heartbeat.
   *
   * @param s The session.
   */
  async startSession(s: SessionStart): Promise<void> {
    await this.#ex.all(
      `INSERT INTO ${this.#sessions} (session_id, owner, instance_id, instance_count, mode,
         partition_by, partitions, started_at, heartbeat_ms, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, ${this.dialect.nowTs}, ${this.dialect.nowMs}, 'running')`,
      [s.sessionId, s.owner, s.instanceId, s.instanceCount, s.mode, s.by, s.partitions],
    );
  }

  /**
   * Renews a session's heartbeat and saves its counts. A session that has
   * ended is left as it is, so a late heartbeat cannot revive it.
   *
   * @param sessionId The session.
   * @param c Its counts so far.
   * @param status `running`, or how it ended (which also sets `finished_at`).
   */
  async beat(sessionId: string, c: SessionCounts, status = "running"): Promise<void> {
    const finished = status === "running" ? "" : `, finished_at = ${this.dialect.nowTs}`;
    await this.#ex.all(
      `UPDATE ${this.#sessions} SET heartbeat_ms = ${this.dialect.nowMs}, processed = $2,
         failed = $3, duplicates = $4, status = $5${finished}
       WHERE session_id = $1 AND status = 'running'`,
      [sessionId, c.processed, c.failed, c.duplicates, status],
    );
  }

  /**
   * The running lease-mode sessions whose heartbeat is younger than `ttlMs`.
   *
   * @param ttlMs The heartbeat ttl.
   * @returns Their ids, oldest first.
   */
  async liveSessions(ttlMs: number): Promise<string[]> {
    const rows = await this.#ex.all(
      `SELECT session_id FROM ${this.#sessions}
       WHERE mode = 'lease' AND status = 'running' AND heartbeat_ms > ${this.dialect.nowMs} - $1
       ORDER BY started_at, session_id`,
      [ttlMs],
    );
    return rows.map((r) => String(r.session_id));
  }

  /**
   * Counts unprocessed records per partition.
   *
   * @param by The rule.
   * @param partitions The partition count.
   * @returns Partition -> unprocessed records (partitions with none are absent).
   */
  async remaining(by: PartitionBy, partitions: number): Promise<Map<number, number>> {
    const rows = await this.#ex.all(
      `SELECT ${partitionSql(by, `s.${this.#id}`, "$1")} AS part, CAST(count(*) AS INTEGER) AS n
       FROM ${this.#src} s
       WHERE NOT EXISTS (SELECT 1 FROM ${this.#log} l WHERE l.app_id = s.${this.#id})
       GROUP BY 1`,
      [partitions],
    );
    return new Map(rows.map((r: SqlRow) => [num(r.part), num(r.n)]));
  }
}

/** Inserts rows into one table, a few hundred at a time. */
async function insertRows(tx: Executor, table: string, rows: readonly SqlRow[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const names = columns.map(quoteIdent).join(", ");
  const per = Math.max(1, Math.floor(900 / columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    let n = 0;
    const values = chunk.map(() => `(${columns.map(() => `$${++n}`).join(", ")})`).join(", ");
    const params = chunk.flatMap((r) => columns.map((c) => r[c] as SqlParam));
    await tx.all(`INSERT INTO ${table} (${names}) VALUES ${values}`, params);
  }
}
