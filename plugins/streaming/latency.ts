/**
 * Commit latencies of a sync, for p50/p99 in its summary.
 *
 * @module
 */

/**
 * Collects durations and answers quantiles. Ten thousand pages make ten
 * thousand numbers: kept as they are, sorted once when asked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LatencyHistogram } from "./latency.ts";
 * const h = new LatencyHistogram();
 * for (const ms of [1, 2, 3, 4, 100]) h.add(ms);
 * assert.equal(h.quantile(0.5), 3);
 * assert.equal(h.quantile(0.99), 100);
 * ```
 */
export class LatencyHistogram {
  #values: number[];

  /**
   * Starts with some durations, or none.
   *
   * @param values Milliseconds (kept, not copied).
   */
  constructor(values: number[] = []) {
    this.#values = values;
  }

  /**
   * Adds a duration.
   *
   * @param ms Milliseconds.
   */
  add(ms: number): void {
    this.#values.push(ms);
  }

  /**
   * A quantile (nearest rank), rounded to 0.1 ms.
   *
   * @param q Between 0 and 1.
   * @returns The quantile, or null when nothing was added.
   */
  quantile(q: number): number | null {
    if (this.#values.length === 0) return null;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return Math.round(sorted[rank] * 10) / 10;
  }
}
