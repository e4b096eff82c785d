/**
 * The processing loop of one instance: claim a batch of unprocessed records
 * of its partitions (the coordinator says which), and for each record, on a
 * bounded pool: parse and map it, then commit its rows and its log entry in
 * one transaction. A record that does not fit the contract is logged as
 * failed with its element path and reason, and the loop goes on; a record
 * another instance logged first is a duplicate attempt, counted.
 *
 * @module
 */
import { delay } from "../../lib/async/delay.ts";
import { pool } from "../../lib/async/pool.ts";
import type { Coordinator } from "./coordinator.ts";
import { MappingError, mapRecord } from "./mapper.ts";
import type { PartitionBy } from "./rule.ts";
import type { PartitionStore, SessionCounts, SourceRecord } from "./store.ts";

/** Settings of {@linkcode processLoop}. */
export interface LoopSettings {
  sessionId: string;
  instanceId: number;
  by: PartitionBy;
  partitions: number;
  workers: number;
  batchSize: number;
  /** The most records this instance logs. */
  limit?: number;
  retryFailed: boolean;
  /** Simulated per-record I/O wait (benchmarks), in milliseconds. */
  delayMs: number;
  signal: AbortSignal;
}

/** What the loop did. */
export interface LoopResult extends SessionCounts {
  /**
   * Records claimed and then not written because their partition's lease was
   * given back or lost (checked before the work and, as a fence, in the commit).
   */
  skipped: number;
  /**
   * Of those, the ones refused by the fence in the commit: the instance stalled
   * past its lease ttl and another instance took the partition meanwhile.
   */
  fenced: number;
  /** Failed records: id and reason (the first 100). */
  failures: { appId: number; reason: string }[];
}

/**
 * Runs the loop until the coordinator says it is done, the limit is
 * reached or the signal aborts (the records in flight are committed first).
 *
 * @param store The store.
 * @param coordinator Which partitions to take.
 * @param s The settings.
 * @param onProgress Called after each batch with the counts so far.
 * @returns The counts.
 */
export async function processLoop(
  store: PartitionStore,
  coordinator: Coordinator,
  s: LoopSettings,
  onProgress: (c: LoopResult) => void = () => {},
): Promise<LoopResult> {
  const r: LoopResult = {
    processed: 0,
    failed: 0,
    duplicates: 0,
    skipped: 0,
    fenced: 0,
    failures: [],
  };
  let cursor = -1;
  let lastMine = "";
  const left = () => s.limit === undefined ? Infinity : s.limit - r.processed - r.failed;
  const one = async (record: SourceRecord) => {
    if (!coordinator.holds(record.appId)) return void r.skipped++;
    const startedAt = new Date();
    if (s.delayMs > 0) await delay(s.delayMs);
    let rows = null;
    let error: string | null = null;
    try {
      rows = mapRecord(store.contract, record.appId, record.xml);
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      error = err.message;
    }
    // The lease may have been lost while the record was being converted.
    if (!coordinator.holds(record.appId)) return void r.skipped++;
    const outcome = await store.commit(
      {
        appId: record.appId,
        status: error === null ? "success" : "failed",
        sessionId: s.sessionId,
        instanceId: s.instanceId,
        error,
        startedAt,
        finishedAt: new Date(),
      },
      rows,
      s.retryFailed,
      coordinator.fence(record.appId),
    );
    if (outcome === "duplicate") r.duplicates++;
    else if (outcome === "fenced") [r.skipped, r.fenced] = [r.skipped + 1, r.fenced + 1];
    else if (error === null) r.processed++;
    else {
      r.failed++;
      if (r.failures.length < 100) r.failures.push({ appId: record.appId, reason: error });
    }
  };
  while (!s.signal.aborted && left() > 0) {
    const mine = await coordinator.mine();
    const key = JSON.stringify(mine);
    if (key !== lastMine) [cursor, lastMine] = [-1, key]; // new partitions: from the start
    const batch = mine !== null && mine.length === 0 ? [] : await store.claim({
      by: s.by,
      partitions: s.partitions,
      mine,
      afterId: cursor,
      retryFailed: s.retryFailed,
      sessionId: s.sessionId,
      limit: Math.min(s.batchSize, left()),
    });
    if (batch.length === 0) {
      if (cursor === -1 && await coordinator.idle()) break;
      cursor = -1; // one more pass from the start catches records skipped while locked
      continue;
    }
    cursor = batch[batch.length - 1].appId;
    // Each record commits on its own; the first database error stops the run.
    const { rejected } = await pool(batch, one, { concurrency: s.workers }).settle();
    if (rejected.length > 0) throw rejected[0].reason;
    onProgress(r);
    // SQLite answers without I/O waits, so a batch is one long chain of microtasks: let
    // timers (lease renewals, the heartbeat) run between batches.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return r;
}
