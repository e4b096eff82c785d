/**
 * The read-only queries of `partition.verify` and `partition.status`, each
 * one parameterized statement over the processing log, the sessions and the
 * source table.
 *
 * @module
 */
import { quoteIdent } from "./contract.ts";
import { type PartitionBy, partitionSql } from "./rule.ts";
import { LOG_TABLE, SESSIONS_TABLE } from "./schema.ts";
import { num, type PartitionStore } from "./store.ts";

/** Per-partition counts. */
export interface PartitionCounts {
  partition: number;
  total: number;
  processed: number;
  failed: number;
  remaining: number;
}

/** A session as status reports it. */
export interface SessionReport {
  session_id: string;
  owner: string;
  instance_id: number;
  instance_count: number;
  mode: string;
  partition_by: string;
  partitions: number;
  status: string;
  live: boolean;
  processed: number;
  failed: number;
  duplicates: number;
  started_at: string;
  last_logged_at: string | null;
  records_per_s: number;
}

const names = (store: PartitionStore) => {
  const d = store.dialect;
  const c = store.contract.source;
  return {
    src: d.table(c.table),
    id: quoteIdent(c.id),
    log: d.table(LOG_TABLE),
    sessions: d.table(SESSIONS_TABLE),
  };
};

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();

/**
 * App ids logged more than once (impossible while the log's primary key
 * holds; the check proves it), and target rows of records not logged as
 * converted.
 *
 * @param store The store.
 * @returns The repeated ids (at most 20) and the stray rows per table.
 */
export async function collisions(
  store: PartitionStore,
): Promise<{ repeated: number[]; stray: Record<string, number> }> {
  const n = names(store);
  const rows = await store.executor.all(
    `SELECT app_id FROM ${n.log} GROUP BY app_id HAVING count(*) > 1 ORDER BY app_id LIMIT 20`,
  );
  const stray: Record<string, number> = {};
  for (const t of store.contract.tables) {
    const [r] = await store.executor.all(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM ${store.dialect.table(t.name)} t
       WHERE NOT EXISTS (SELECT 1 FROM ${n.log} l WHERE l.app_id = t."app_id" AND l.status = 'success')`,
    );
    if (num(r.n) > 0) stray[t.name] = num(r.n);
  }
  return { repeated: rows.map((r) => num(r.app_id)), stray };
}

/**
 * Static-mode sessions that logged records outside their own partition.
 *
 * @param store The store.
 * @returns Per offending session: how many records were outside.
 */
export async function impurities(
  store: PartitionStore,
): Promise<{ session_id: string; instance_id: number; outside: number }[]> {
  const n = names(store);
  const part = (by: PartitionBy) => partitionSql(by, "l.app_id", "se.partitions");
  const rows = await store.executor.all(
    `SELECT se.session_id, se.instance_id, CAST(count(*) AS INTEGER) AS outside
     FROM ${n.log} l JOIN ${n.sessions} se ON se.session_id = l.session_id
     WHERE se.mode = 'static'
       AND CASE WHEN se.partition_by = 'hash' THEN ${part("hash")} ELSE ${
      part("modulo")
    } END <> se.instance_id
     GROUP BY se.session_id, se.instance_id ORDER BY se.session_id`,
  );
  return rows.map((r) => ({
    session_id: String(r.session_id),
    instance_id: num(r.instance_id),
    outside: num(r.outside),
  }));
}

/**
 * Total, processed, failed and remaining records per partition.
 *
 * @param store The store.
 * @param by The rule.
 * @param partitions The partition count.
 * @returns One entry per partition, in order (empty partitions included).
 */
export async function partitionCounts(
  store: PartitionStore,
  by: PartitionBy,
  partitions: number,
): Promise<PartitionCounts[]> {
  const n = names(store);
  const rows = await store.executor.all(
    `SELECT ${partitionSql(by, `s.${n.id}`, "$1")} AS part, CAST(count(*) AS INTEGER) AS total,
       CAST(sum(CASE WHEN l.status = 'success' THEN 1 ELSE 0 END) AS INTEGER) AS processed,
       CAST(sum(CASE WHEN l.status = 'failed' THEN 1 ELSE 0 END) AS INTEGER) AS failed,
       CAST(sum(CASE WHEN l.app_id IS NULL THEN 1 ELSE 0 END) AS INTEGER) AS remaining
     FROM ${n.src} s LEFT JOIN ${n.log} l ON l.app_id = s.${n.id}
     GROUP BY 1`,
    [partitions],
  );
  const byPart = new Map(rows.map((r) => [num(r.part), r]));
  return Array.from({ length: partitions }, (_, k) => {
    const r = byPart.get(k);
    return {
      partition: k,
      total: num(r?.total),
      processed: num(r?.processed),
      failed: num(r?.failed),
      remaining: num(r?.remaining),
    };
  });
}

/**
 * Records logged as failed, with their reasons.
 *
 * @param store The store.
 * @param limit At most this many.
 * @returns The records and the total count.
 */
export async function failedRecords(
  store: PartitionStore,
  limit: number,
): Promise<{ count: number; records: { app_id: number; instance_id: number; error: string }[] }> {
  const n = names(store);
  const [c] = await store.executor.all(
    `SELECT CAST(count(*) AS INTEGER) AS n FROM ${n.log} WHERE status = 'failed'`,
  );
  const rows = await store.executor.all(
    `SELECT app_id, instance_id, error FROM ${n.log} WHERE status = 'failed' ORDER BY app_id LIMIT $1`,
    [limit],
  );
  return {
    count: num(c.n),
    records: rows.map((r) => ({
      app_id: num(r.app_id),
      instance_id: num(r.instance_id),
      error: String(r.error),
    })),
  };
}

/**
 * Every session with what its log entries say (processed, failed, rate)
 * and whether its heartbeat is live.
 *
 * @param store The store.
 * @param ttlMs A heartbeat older than this is not live.
 * @returns The sessions, newest first.
 */
export async function sessionReports(
  store: PartitionStore,
  ttlMs: number,
): Promise<SessionReport[]> {
  const n = names(store);
  const rows = await store.executor.all(
    `SELECT se.session_id, se.owner, se.instance_id, se.instance_count, se.mode, se.partition_by,
       se.partitions, se.status, se.started_at, se.duplicates,
       CASE WHEN se.status = 'running' AND se.heartbeat_ms > ${store.dialect.nowMs} - $1 THEN 1 ELSE 0 END AS live,
       CAST(coalesce(l.processed, 0) AS INTEGER) AS processed, CAST(coalesce(l.failed, 0) AS INTEGER) AS failed,
       l.first_at, l.last_at
     FROM ${n.sessions} se LEFT JOIN (
       SELECT session_id, sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS processed,
         sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
         min(started_at) AS first_at, max(finished_at) AS last_at
       FROM ${n.log} GROUP BY session_id) l ON l.session_id = se.session_id
     ORDER BY se.started_at DESC, se.session_id`,
    [ttlMs],
  );
  return rows.map((r) => {
    const first = iso(r.first_at);
    const last = iso(r.last_at);
    const seconds = first && last ? (Date.parse(last) - Date.parse(first)) / 1000 : 0;
    const done = num(r.processed) + num(r.failed);
    return {
      session_id: String(r.session_id),
      owner: String(r.owner),
      instance_id: num(r.instance_id),
      instance_count: num(r.instance_count),
      mode: String(r.mode),
      partition_by: String(r.partition_by),
      partitions: num(r.partitions),
      status: String(r.status),
      live: num(r.live) === 1,
      processed: num(r.processed),
      failed: num(r.failed),
      duplicates: num(r.duplicates),
      started_at: iso(r.started_at)!,
      last_logged_at: last,
      records_per_s: seconds > 0 ? Math.round(done / seconds * 10) / 10 : 0,
    };
  });
}
