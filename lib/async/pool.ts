/**
 * A bounded worker pool with backpressure for streaming work: items are
 * pulled from a (possibly lazy, possibly endless) source only as workers
 * free up, each item's outcome is reported on its own, and an abort stops
 * taking new items while the ones in flight finish.
 *
 * Built on `p-map`'s `pMapIterable`, which does the pulling and the
 * backpressure; this module adds the settled results, the abort and the
 * live counters.
 *
 * @module
 */

import { pMapIterable } from "p-map";

/** Options of {@linkcode pool}. */
export interface PoolOptions {
  /**
   * How many workers run at once (an integer from 1 to 1024).
   * @default {8}
   */
  concurrency?: number;
  /**
   * How many finished results may wait for a slow consumer before workers
   * pause (an integer from 0 to 1024). The source is never read more than
   * `concurrency + buffer` items ahead of the consumer.
   * @default {concurrency}
   */
  buffer?: number;
  /**
   * Yield results in source order instead of as each finishes. A slow item
   * then holds back the ones after it (and, through `buffer`, the workers).
   * @default {false}
   */
  ordered?: boolean;
  /**
   * Stops taking items from the source; workers in flight finish and their
   * results are still yielded. Workers get a signal that aborts with it.
   */
  signal?: AbortSignal;
}

/** The outcome of one item. `index` is its position in the source. */
export type PoolResult<T, R> =
  | { status: "fulfilled"; item: T; index: number; value: R }
  | { status: "rejected"; item: T; index: number; reason: unknown }
  /** Taken from the source, but the signal aborted before a worker started on it. */
  | { status: "skipped"; item: T; index: number };

/** Live counters of a pool, for a progress display. */
export interface PoolStats {
  /** Items taken from the source so far. */
  pulled: number;
  /** Items taken from the source and waiting for a worker. */
  queued: number;
  /** Workers running now. */
  busy: number;
  /** Workers started so far. */
  started: number;
  /** Workers finished so far, whether they succeeded or failed. */
  completed: number;
  /** Workers that failed so far. */
  failed: number;
  /** Items taken but not started because the signal aborted. */
  skipped: number;
}

/** Every outcome of a pool run, each list in source order. */
export interface PoolSummary<T, R> {
  /** The items whose worker succeeded. */
  fulfilled: Extract<PoolResult<T, R>, { status: "fulfilled" }>[];
  /** The items whose worker failed, with the reason. */
  rejected: Extract<PoolResult<T, R>, { status: "rejected" }>[];
  /** The items taken but not started because the signal aborted. */
  skipped: Extract<PoolResult<T, R>, { status: "skipped" }>[];
  /** Whether the signal aborted, so the source may not have been read to its end. */
  aborted: boolean;
}

/** A running (or ready to run) pool: iterate it once, or {@linkcode Pool.settle} it. */
export interface Pool<T, R> extends AsyncIterable<PoolResult<T, R>> {
  /** A snapshot of the live counters. */
  readonly stats: PoolStats;
  /** Runs the pool to its end and collects every outcome (keeps all in memory). */
  settle(): Promise<PoolSummary<T, R>>;
}

/**
 * Runs `worker` over the items of `source` with at most `concurrency` at
 * once, yielding each item's outcome (never throwing for a worker's error).
 * Nothing runs until the pool is iterated; it can be iterated once.
 *
 * Leaving the loop early (`break`) stops the pool: no new items are taken,
 * the source is closed, and the workers' signal aborts. A source that throws
 * makes the iteration throw; workers already running are then abandoned.
 * A pull from the source in progress when the signal aborts is abandoned.
 *
 * @typeParam T The source's items.
 * @typeParam R What the worker resolves to.
 * @param source The items: an array, a generator, a stream, ...
 * @param worker Processes one item; gets the item, its index and a signal.
 * @param options Concurrency, buffer, order and abort.
 * @returns The pool: an async iterable of outcomes, with live `stats`.
 * @throws {RangeError} When `concurrency` or `buffer` is out of range.
 * @throws {TypeError} When `concurrency` or `buffer` is not a number.
 *
 * @example Record failures and keep going
 * ```ts
 * import { pool } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const failed: number[] = [];
 * let sum = 0;
 * const run = pool([1, 2, 3, 4], async (n) => {
 *   if (n === 3) throw new Error("Cannot sync item 3");
 *   return n * 10;
 * }, { concurrency: 2 });
 * for await (const result of run) {
 *   if (result.status === "fulfilled") sum += result.value;
 *   else failed.push(result.item);
 * }
 * assert.equal(sum, 70);
 * assert.deepEqual(failed, [3]);
 * ```
 *
 * @example Settle all and read the summary
 * ```ts
 * import { pool } from "./pool.ts";
 * import assert from "node:assert/strict";
 * const { fulfilled, rejected } = await pool(["a", "b"], (s) => Promise.resolve(s.toUpperCase()))
 *   .settle();
 * assert.deepEqual(fulfilled.map((r) => r.value), ["A", "B"]);
 * assert.deepEqual(rejected, []);
 * ```
 */
export function pool<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  worker: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  options: PoolOptions = {},
): Pool<T, R> {
  const { concurrency = 8, ordered = false, signal } = options;
  checkLimit("concurrency", concurrency, 1);
  const buffer = options.buffer ?? concurrency;
  checkLimit("buffer", buffer, 0);

  const stats = { pulled: 0, busy: 0, started: 0, completed: 0, failed: 0, skipped: 0 };
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal!.reason);
  let used = false;

  const run = async function* (): AsyncGenerator<PoolResult<T, R>> {
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const items = takeUntil(source, stop.signal, () => stats.pulled++);
    const results = pMapIterable(items, async (item: T, index): Promise<PoolResult<T, R>> => {
      if (stop.signal.aborted) {
        stats.skipped++;
        return { status: "skipped", item, index };
      }
      stats.started++;
      stats.busy++;
      try {
        return { status: "fulfilled", item, index, value: await worker(item, index, stop.signal) };
      } catch (reason) {
        stats.failed++;
        return { status: "rejected", item, index, reason };
      } finally {
        stats.busy--;
        stats.completed++;
      }
    }, { concurrency, backpressure: concurrency + buffer, preserveOrder: ordered });
    let finished = false;
    try {
      yield* results;
      finished = true;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (!finished) stop.abort(new DOMException("The pool was stopped early", "AbortError"));
    }
  };

  return {
    [Symbol.asyncIterator]() {
      if (used) {
        throw new TypeError("Cannot iterate the pool again as it reads its source once");
      }
      used = true;
      return run();
    },
    get stats(): PoolStats {
      const queued = stats.pulled - stats.started - stats.skipped;
      return { ...stats, queued };
    },
    async settle(): Promise<PoolSummary<T, R>> {
      const summary: PoolSummary<T, R> = {
        fulfilled: [],
        rejected: [],
        skipped: [],
        aborted: false,
      };
      for await (const result of this) {
        if (result.status === "fulfilled") summary.fulfilled.push(result);
        else if (result.status === "rejected") summary.rejected.push(result);
        else summary.skipped.push(result);
      }
      for (const list of [summary.fulfilled, summary.rejected, summary.skipped]) {
        list.sort((a, b) => a.index - b.index);
      }
      summary.aborted = signal?.aborted ?? false;
      return summary;
    },
  };
}

function checkLimit(name: string, value: unknown, min: number): void {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot create a pool as ${name} must be a number: current value is "${String(value)}"`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > 1024) {
    throw new RangeError(
      `Cannot create a pool as ${name} must be an integer from ${min} to 1024: current value is "${value}"`,
    );
  }
}

const ABORTED = Symbol("aborted");

/** The source's items until it ends or `signal` aborts, which closes it at once. */
function takeUntil<T>(
  source: Iterable<T> | AsyncIterable<T>,
  signal: AbortSignal,
  onItem: () => void,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it: Iterator<T> | AsyncIterator<T> = Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : source[Symbol.iterator]();
      let open = true;
      const end = (): IteratorResult<T> => {
        if (open) {
          open = false;
          try {
            // Not awaited: a source blocked in next() must not block the pool.
            Promise.resolve(it.return?.()).catch(() => {});
          } catch {
            // A generator that is running (it aborted the signal itself) cannot be closed.
          }
        }
        return { done: true, value: undefined };
      };
      // An abort closes the source at once, so it releases its resources.
      const aborted = new Promise<typeof ABORTED>((resolve) => {
        const onAbort = () => {
          end();
          resolve(ABORTED);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      return {
        async next(): Promise<IteratorResult<T>> {
          if (!open || signal.aborted) return end();
          const result = await Promise.race([it.next(), aborted]);
          if (result === ABORTED) return end();
          if (result.done) open = false;
          else onItem();
          return result;
        },
        return: () => Promise.resolve(end()),
      };
    },
  };
}
