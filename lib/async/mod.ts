/**
 * Asynchronous building blocks: a bounded worker pool with backpressure,
 * retry with exponential backoff and full jitter (with a retryable/permanent
 * classification), and an abortable delay.
 *
 * @example Retry a flaky call, then map items on a bounded pool
 * ```ts
 * import { pool, retry, RetryableError } from "./mod.ts";
 * import assert from "node:assert/strict";
 * let calls = 0;
 * const value = await retry(() => {
 *   if (++calls < 3) throw new RetryableError("not yet");
 *   return Promise.resolve(42);
 * }, { baseDelayMs: 1 });
 * assert.equal(value, 42);
 * const results = [];
 * for await (const r of pool([1, 2, 3], (n) => Promise.resolve(n * 2), { concurrency: 2 })) {
 *   results.push(r);
 * }
 * assert.equal(results.length, 3);
 * ```
 *
 * @module
 */
export * from "./delay.ts";
export * from "./signals.ts";
export * from "./pool.ts";
export * from "./retry.ts";
