/**
 * Per-page read time limits without a timer per page: one interval timer
 * watches every read in flight and aborts those past their deadline. An
 * `AbortSignal.timeout` plus an `AbortSignal.any` per page cost more than
 * the read of a small file.
 *
 * @module
 */
import { RetryableError } from "../../lib/async/retry.ts";

interface InFlight {
  deadline: number;
  controller: AbortController;
}

/**
 * Reads with a time limit each, and a shared signal that stops them all.
 *
 * @example A read that takes too long is aborted and retryable
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReadDeadlines } from "./read_deadline.ts";
 * import { isRetryable } from "../../lib/async/retry.ts";
 * const deadlines = new ReadDeadlines(20, new AbortController().signal);
 * const never = (signal: AbortSignal) =>
 *   new Promise<string>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
 * const err = await deadlines.read("a.md", never).catch((e) => e);
 * assert.equal(err.message, 'Cannot read page "a.md" as it took longer than 20 ms');
 * assert.equal(isRetryable(err), true);
 * deadlines.close();
 * ```
 */
export class ReadDeadlines {
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal;
  readonly #inFlight = new Set<InFlight>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onAbort: () => void;

  /**
   * Creates the watcher; its timer starts with the first read and stops at `close`.
   *
   * @param timeoutMs The limit per read.
   * @param signal Stops every read in flight (the run's signal).
   */
  constructor(timeoutMs: number, signal: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#signal = signal;
    this.#onAbort = () => {
      for (const r of this.#inFlight) r.controller.abort(signal.reason);
    };
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /**
   * Runs one read with the time limit.
   *
   * @param path The page, for the message.
   * @param read The read; it gets a signal that aborts at the deadline or with the run.
   * @returns What the read returned.
   * @throws {RetryableError} When the deadline passed first.
   * @throws {unknown} What the read threw otherwise.
   */
  async read<T>(path: string, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.#signal.throwIfAborted();
    const entry = { deadline: Date.now() + this.#timeoutMs, controller: new AbortController() };
    this.#inFlight.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), Math.max(5, this.#timeoutMs / 4));
    }
    try {
      return await read(entry.controller.signal);
    } catch (err) {
      if (entry.controller.signal.aborted && !this.#signal.aborted) {
        throw new RetryableError(
          `Cannot read page "${path}" as it took longer than ${this.#timeoutMs} ms`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      this.#inFlight.delete(entry);
    }
  }

  /** Stops the timer and lets go of the run's signal. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#signal.removeEventListener("abort", this.#onAbort);
  }

  #sweep(): void {
    const now = Date.now();
    for (const r of this.#inFlight) {
      if (r.deadline <= now) r.controller.abort(new Error("deadline"));
    }
  }
}
