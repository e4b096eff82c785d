/**
 * Retry with exponential backoff and full jitter, and the retryable/permanent
 * classification that decides whether a failure is worth another attempt.
 *
 * Why not `p-retry`: its delays come from the `retry` package, which grows
 * them as `minTimeout * factor ** n` and whose `randomize` option only scales
 * each delay by 1-2x. It has no full jitter (a delay drawn uniformly from
 * `[0, cap]`), the policy that best spreads the retries of many workers that
 * failed against the same server at the same moment.
 *
 * @module
 */

import { ExitCode, WeirError } from "../errors.ts";
import { delay } from "./delay.ts";

export { delay } from "./delay.ts";

/**
 * A failure worth another attempt (a busy server, a dropped connection).
 * Throw it from an attempt to make {@linkcode retry} try again.
 *
 * @example Mark a failure as transient
 * ```ts
 * import { isRetryable, RetryableError } from "./retry.ts";
 * import assert from "node:assert/strict";
 * const err = new RetryableError("Cannot read the page as the server is busy", { cause: 503 });
 * assert.equal(isRetryable(err), true);
 * assert.equal(err.code, "retryable");
 * ```
 */
export class RetryableError extends WeirError {
  /**
   * Creates a retryable error.
   *
   * @param message What failed, in the project's error voice.
   * @param options The standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "retryable", ExitCode.failed, options);
    this.name = "RetryableError";
  }
}

/**
 * A failure that another attempt cannot cure (invalid data, a 404). Wins over
 * everything else: {@linkcode isRetryable} returns false for it.
 *
 * @example Stop retrying at once
 * ```ts
 * import { isRetryable, PermanentError } from "./retry.ts";
 * import assert from "node:assert/strict";
 * const err = new PermanentError('Cannot load the row as its id is missing: current value is ""');
 * assert.equal(isRetryable(err), false);
 * assert.equal(err.code, "permanent");
 * ```
 */
export class PermanentError extends WeirError {
  /**
   * Creates a permanent error.
   *
   * @param message What failed, in the project's error voice.
   * @param options The standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "permanent", ExitCode.failed, options);
    this.name = "PermanentError";
  }
}

/** What {@linkcode RetryOptions.onRetry} is told before each wait. */
export interface RetryEvent {
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** How long retry() waits before the next attempt, in milliseconds. */
  delayMs: number;
  /** The error the attempt failed with. */
  error: unknown;
}

/** Options of {@linkcode retry}. */
export interface RetryOptions {
  /**
   * How many attempts in all, the first included (an integer from 1).
   * @default {3}
   */
  maxAttempts?: number;
  /**
   * The cap of the first wait; each later cap doubles, in milliseconds.
   * @default {100}
   */
  baseDelayMs?: number;
  /**
   * The largest cap any wait may have, in milliseconds.
   * @default {10_000}
   */
  maxDelayMs?: number;
  /**
   * Stops retrying: an abort ends a wait at once, and retry() rejects with
   * the signal's reason. It is also passed to each attempt.
   */
  signal?: AbortSignal;
  /**
   * Decides whether an error is worth another attempt.
   * @default {isRetryable}
   */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each wait, for example to log it. An error it throws ends retry(). */
  onRetry?: (event: RetryEvent) => void;
  /**
   * A source of numbers in `[0, 1)`; inject a seeded one in tests.
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * Every attempt failed with a retryable error. The last error is the
 * `cause`; a permanent error is never wrapped (retry() throws it as is).
 *
 * @example Read the last error and the number of attempts
 * ```ts
 * import { RetryError } from "./retry.ts";
 * import assert from "node:assert/strict";
 * const err = new RetryError(3, { cause: new Error("boom") });
 * assert.equal(err.attempts, 3);
 * assert.equal((err.cause as Error).message, "boom");
 * ```
 */
export class RetryError extends WeirError {
  /** How many attempts were made. */
  readonly attempts: number;

  /**
   * Creates the error thrown when retries are exhausted.
   *
   * @param attempts How many attempts were made.
   * @param options The standard error options; `cause` is the last error.
   */
  constructor(attempts: number, options: ErrorOptions) {
    const cause = options.cause;
    const last = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot complete the operation as all ${attempts} attempts failed: last error is "${last}"`,
      "retry_exhausted",
      ExitCode.failed,
      options,
    );
    this.name = "RetryError";
    this.attempts = attempts;
  }
}

/**
 * The full-jitter delay after a failed attempt:
 * `random() * min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))`.
 *
 * @param attempt The attempt that failed, from 1.
 * @param options The delay settings; defaults as in {@linkcode RetryOptions}.
 * @returns A delay in milliseconds, always within `[0, cap]`.
 *
 * @example The cap doubles with each attempt
 * ```ts
 * import { backoffDelay } from "./retry.ts";
 * import assert from "node:assert/strict";
 * const delay = backoffDelay(3, { baseDelayMs: 100, random: () => 0.5 });
 * assert.equal(delay, 200); // half of the 400 ms cap
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random"> = {},
): number {
  const { baseDelayMs = 100, maxDelayMs = 10_000, random = Math.random } = options;
  // 2 ** 1023 is the largest finite power: 0 * cap stays 0 instead of NaN.
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 1023));
  const r = Math.min(Math.max(random(), 0), 1);
  return r * cap;
}

/**
 * Calls `fn` until it succeeds, waiting a full-jitter exponential backoff
 * between attempts, as long as each error is retryable.
 *
 * @typeParam T What `fn` resolves to.
 * @param fn One attempt; receives the attempt number (from 1) and the signal.
 * @param options Attempts, delays, classification, abort and hooks.
 * @returns What the first successful attempt resolved to.
 * @throws {RetryError} When every attempt failed with a retryable error; the last error is its `cause`.
 * @throws {unknown} The error itself when it is not retryable (a {@linkcode PermanentError}, say).
 * @throws {unknown} The signal's reason when the signal aborts.
 * @throws {RangeError} When `maxAttempts`, `baseDelayMs` or `maxDelayMs` is out of range.
 *
 * @example Retry a flaky call
 * ```ts
 * import { retry, RetryableError } from "./retry.ts";
 * import assert from "node:assert/strict";
 * let calls = 0;
 * const value = await retry(async () => {
 *   if (++calls < 3) throw new RetryableError("Cannot reach the server as it is busy");
 *   return "ok";
 * }, { baseDelayMs: 1 });
 * assert.equal(value, "ok");
 * assert.equal(calls, 3);
 * ```
 *
 * @example A permanent error is thrown at once, unwrapped
 * ```ts
 * import { PermanentError, retry } from "./retry.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   retry(() => Promise.reject(new PermanentError("Cannot sync as the row is invalid"))),
 *   PermanentError,
 * );
 * ```
 */
export async function retry<T>(
  fn: (attempt: number, signal?: AbortSignal) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    maxAttempts = 3,
    baseDelayMs = 100,
    maxDelayMs = 10_000,
    signal,
    isRetryable: retryable = isRetryable,
    onRetry,
    random = Math.random,
  } = options;
  check("maxAttempts", maxAttempts, Number.isInteger(maxAttempts) && maxAttempts >= 1);
  check("baseDelayMs", baseDelayMs, Number.isFinite(baseDelayMs) && baseDelayMs >= 0);
  check("maxDelayMs", maxDelayMs, Number.isFinite(maxDelayMs) && maxDelayMs >= 0);

  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!retryable(error)) throw error;
      if (attempt >= maxAttempts) throw new RetryError(attempt, { cause: error });
      const delayMs = backoffDelay(attempt, { baseDelayMs, maxDelayMs, random });
      onRetry?.({ attempt, delayMs, error });
      await delay(delayMs, signal);
    }
  }
}

function check(name: string, value: unknown, ok: boolean): void {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot retry as ${name} must be a number: current value is "${value}"`);
  }
  if (!ok) {
    const what = name === "maxAttempts" ? "an integer from 1" : "a finite number from 0";
    throw new RangeError(`Cannot retry as ${name} must be ${what}: current value is "${value}"`);
  }
}

const NETWORK_ERRORS = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.TimedOut,
  Deno.errors.Interrupted,
  Deno.errors.BrokenPipe,
];

/** Node-style `code`s of transient socket errors (node:net, used by npm drivers). */
const NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
]);

/** The messages of fetch's network-failure TypeError: Deno and Node, Chrome, Safari, Firefox. */
const FETCH_FAILED =
  /^(fetch failed|failed to fetch|load failed|networkerror when attempting to fetch|error sending request)/i;

/**
 * Whether another attempt might succeed. True for a
 * {@linkcode RetryableError}; Deno's network errors (`ConnectionRefused`,
 * `ConnectionReset`, `ConnectionAborted`, `TimedOut`, `Interrupted`,
 * `BrokenPipe`) and their Node `code`s (`ECONNRESET`, ...); fetch's
 * network-failure TypeError; the `TimeoutError` of `AbortSignal.timeout()`;
 * SQLite busy or locked from `node:sqlite`; and any object whose numeric
 * `status`, `statusCode` or `$metadata.httpStatusCode` is 408, 429 or 5xx.
 * False for a {@linkcode PermanentError}, an `AbortError` and anything else.
 *
 * @param err Anything thrown.
 * @returns True when the error is transient.
 *
 * @example Classify common failures
 * ```ts
 * import { isRetryable } from "./retry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRetryable(new Deno.errors.ConnectionReset("reset")), true);
 * assert.equal(isRetryable({ status: 503 }), true);
 * assert.equal(isRetryable({ status: 404 }), false);
 * assert.equal(isRetryable(new RangeError("bad input")), false);
 * ```
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryableError) return true;
  if (err instanceof PermanentError) return false;
  if (NETWORK_ERRORS.some((type) => err instanceof type)) return true;
  if (err instanceof DOMException) return err.name === "TimeoutError";
  if (err instanceof TypeError) return FETCH_FAILED.test(err.message);
  if (typeof err !== "object" || err === null) return false;
  if (isSqliteBusy(err)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && NODE_CODES.has(code)) return true;
  const status = httpStatus(err);
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * SQLITE_BUSY (5) or SQLITE_LOCKED (6), extended codes included. Errors from
 * a prepared statement carry `errcode`; those from `db.exec()` carry only the
 * message, so it is matched too.
 */
function isSqliteBusy(err: object): boolean {
  const { code, errcode, message } = err as {
    code?: unknown;
    errcode?: unknown;
    message?: unknown;
  };
  if (code !== "ERR_SQLITE_ERROR") return false;
  if (typeof errcode === "number") return (errcode & 0xff) === 5 || (errcode & 0xff) === 6;
  return typeof message === "string" && /^database (table )?is locked/.test(message);
}

function httpStatus(err: object): number {
  const e = err as {
    status?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  for (const value of [e.status, e.statusCode, e.$metadata?.httpStatusCode]) {
    if (typeof value === "number") return value;
  }
  return NaN;
}
