/**
 * Holding a lease while work runs under it: renewed in the background, lost
 * leases reported, released at the end (`await using`).
 *
 * @module
 */
import { type Lease, LeaseLostError, type LeaseStore } from "./port.ts";

/** Options of {@linkcode holdLease}. */
export interface HoldLeaseOptions {
  /**
   * Stops renewing when it aborts. The lease is not released then (the work
   * under it may still be finishing): it expires by itself unless
   * {@linkcode HeldLease.release} is called. Already aborted: nothing is
   * acquired and its reason is thrown.
   */
  signal?: AbortSignal;
  /**
   * Called once when a renewal finds the lease lost, after renewing stopped.
   * It should not throw: an error it throws is reported like an uncaught one.
   */
  onLost?: (error: LeaseLostError) => void;
}

/** A lease that {@linkcode holdLease} keeps renewed. */
export interface HeldLease {
  /** The lease as last acquired or renewed. */
  readonly lease: Lease;
  /** Aborts, with a {@linkcode LeaseLostError}, when the lease is lost. */
  readonly signal: AbortSignal;
  /**
   * Stops renewing, waits for a renewal in flight and releases the lease.
   *
   * @returns `true` when the lease was released; `false` when it was lost or
   * released before.
   */
  release(): Promise<boolean>;
  /** Releases the lease, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Acquires a lease and keeps renewing it in the background, every third of
 * its ttl, until it is released, the signal aborts or a renewal finds it
 * lost (then `onLost` is called and the held lease's `signal` aborts). A
 * renewal that throws (a dropped connection) is retried at the next beat; once
 * no renewal has succeeded for a whole ttl, the lease counts as lost.
 *
 * The renewal timer does not keep the process alive. Use it so that two runs
 * of a periodic job never overlap: a run that gets `undefined` skips.
 *
 * @param store Where the lease lives.
 * @param name The lease's name.
 * @param owner Who holds it.
 * @param ttlMs The ttl of the acquire and of each renewal: an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
 * @param options The stop signal and the callback for a lost lease.
 * @returns The held lease, or `undefined` when another owner holds it.
 * @throws {TypeError} When `name` or `owner` is not a non-empty string, or `ttlMs` not a number.
 * @throws {RangeError} When `ttlMs` is not an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
 * @throws {unknown} The signal's reason, when it aborted before the lease was held.
 *
 * @example Run a periodic job only when no other run is going
 * ```ts
 * import { holdLease } from "./hold.ts";
 * import { SqliteLeaseStore } from "./sqlite.ts";
 * import assert from "node:assert/strict";
 * const store = SqliteLeaseStore.open(":memory:");
 * const held = await holdLease(store, "graph.sync", "run-1", 30_000, {
 *   onLost: (err) => console.error(err.message),
 * });
 * assert.ok(held);
 * // A second run finds the lease taken and skips.
 * assert.equal(await holdLease(store, "graph.sync", "run-2", 30_000), undefined);
 * try {
 *   held.signal.throwIfAborted(); // between units of work: stop when the lease was lost
 * } finally {
 *   assert.equal(await held.release(), true);
 * }
 * await store.close();
 * ```
 */
export async function holdLease(
  store: LeaseStore,
  name: string,
  owner: string,
  ttlMs: number,
  options: HoldLeaseOptions = {},
): Promise<HeldLease | undefined> {
  const { signal, onLost } = options;
  signal?.throwIfAborted();
  const started = performance.now();
  const lease = await store.acquire(name, owner, ttlMs);
  if (lease === undefined) return undefined;
  if (signal?.aborted) {
    await store.release(lease);
    throw signal.reason;
  }
  return new LeaseHolder(store, lease, ttlMs, started, signal, onLost);
}

/** The held lease of {@linkcode holdLease}: a renewal loop on one timer. */
class LeaseHolder implements HeldLease {
  readonly #store: LeaseStore;
  readonly #ttlMs: number;
  readonly #everyMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onLost: ((error: LeaseLostError) => void) | undefined;
  readonly #lost = new AbortController();
  #lease: Lease;
  /** `performance.now()` when the last successful renewal (or the acquire) was sent. */
  #renewedAt: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight: Promise<void> | undefined;
  #stopped = false;
  #released: Promise<boolean> | undefined;
  readonly #onAbort = () => this.#stop();

  constructor(
    store: LeaseStore,
    lease: Lease,
    ttlMs: number,
    renewedAt: number,
    signal: AbortSignal | undefined,
    onLost: ((error: LeaseLostError) => void) | undefined,
  ) {
    this.#store = store;
    this.#lease = lease;
    this.#ttlMs = ttlMs;
    this.#everyMs = Math.max(1, Math.floor(ttlMs / 3));
    this.#renewedAt = renewedAt;
    this.#signal = signal;
    this.#onLost = onLost;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#schedule();
  }

  get lease(): Lease {
    return this.#lease;
  }

  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  release(): Promise<boolean> {
    return this.#released ??= (async () => {
      this.#stop();
      await this.#inflight;
      if (this.#lost.signal.aborted) return false;
      return await this.#store.release(this.#lease);
    })();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#inflight = this.#renew().finally(() => this.#inflight = undefined);
    }, this.#everyMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  async #renew(): Promise<void> {
    const sentAt = performance.now();
    try {
      const renewed = await this.#store.renew(this.#lease, this.#ttlMs);
      if (renewed === undefined) {
        if (!this.#stopped) this.#lose();
        return;
      }
      this.#lease = renewed;
      this.#renewedAt = sentAt;
    } catch (err) {
      if (this.#stopped) return;
      // The database saw the last good renewal after it was sent, so a whole
      // ttl since then means the lease has expired whatever the clocks say.
      if (performance.now() - this.#renewedAt >= this.#ttlMs) return this.#lose(err);
    }
    this.#schedule();
  }

  #lose(cause?: unknown): void {
    this.#stop();
    const error = new LeaseLostError(this.#lease, cause);
    this.#lost.abort(error);
    try {
      this.#onLost?.(error);
    } catch (err) {
      reportError(err);
    }
  }

  #stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}
