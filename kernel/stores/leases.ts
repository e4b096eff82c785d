/**
 * Named leases: locks with an expiry, shared by processes (or machines) that
 * use one database. A lease is free when it is absent, released or expired;
 * its holder keeps it by renewing it before it expires (a heartbeat), and a
 * fencing token that grows every time the lease changes hands lets writers
 * reject work from a holder that lost it. Time is always the database's
 * clock, so machines with skewed clocks agree on who holds what.
 *
 * The port is {@linkcode LeaseStore}; its adapters are `SqliteLeaseStore`
 * (`./leases_sqlite.ts`) and `PostgresLeaseStore` (`./leases_postgres.ts`).
 * {@linkcode holdLease} keeps a lease renewed in the background while a
 * long-running task or a periodic job works under it.
 *
 * @module
 */

import { ExitCode, WeirError } from "../errors.ts";

/** The longest ttl a lease can have: one day, in milliseconds. */
export const MAX_LEASE_TTL_MS = 86_400_000;

/** A lease held by one owner, as acquire and renew return it. */
export interface Lease {
  /** The lease's name, shared by everyone competing for it. */
  readonly name: string;
  /** Who holds it, for example `"<host>:<pid>:<run id>"`. */
  readonly owner: string;
  /**
   * The fencing token: it strictly increases every time the lease changes
   * hands (a takeover after expiry, or an acquire after a release) and stays
   * the same while one holder renews it. Store it with the work done under
   * the lease and refuse work carrying an older token.
   */
  readonly token: number;
  /** The ttl of the last acquire or renewal, in milliseconds. */
  readonly ttlMs: number;
  /** When the lease expires unless renewed, by the database's clock. */
  readonly expiresAt: Date;
}

/** A live lease as {@linkcode LeaseStore.current} reports it. */
export interface LeaseInfo extends Lease {
  /** When this holder took the lease (renewals keep it), by the database's clock. */
  readonly acquiredAt: Date;
  /**
   * Milliseconds left until the lease expires, measured by the database's
   * clock when it was read (so it is right whatever this process's clock says).
   */
  readonly remainingMs: number;
}

/**
 * The port of named leases. Every adapter behaves the same (one contract
 * suite checks them): the database decides each operation in one
 * transaction, by its own clock.
 */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `owner` for `ttlMs` milliseconds, when it is
   * free (absent, released or expired); taking over an expired or released
   * lease increments its token. When `owner` already holds the live lease,
   * its expiry is extended instead and the token is kept.
   *
   * @param name The lease's name, a non-empty string.
   * @param owner Who takes it, a non-empty string.
   * @param ttlMs How long it lasts unless renewed: an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
   * @returns The lease, or `undefined` when another owner holds it.
   * @throws {TypeError} When `name` or `owner` is not a non-empty string, or `ttlMs` not a number.
   * @throws {RangeError} When `ttlMs` is not an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
   */
  acquire(name: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Extends a held lease to `ttlMs` from now (a heartbeat). A lease that
   * expired but that nobody took since can still be renewed, with its token.
   *
   * @param lease The lease as acquire or the last renewal returned it.
   * @param ttlMs The new ttl; the lease's last ttl when omitted.
   * @returns The renewed lease, or `undefined` when it was lost (released, or
   * expired and taken by someone).
   * @throws {TypeError} When `lease` is not a lease or `ttlMs` not a number.
   * @throws {RangeError} When `ttlMs` is not an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
   */
  renew(lease: Lease, ttlMs?: number): Promise<Lease | undefined>;
  /**
   * Frees a lease at once, so that the next acquire does not wait for its
   * expiry. The token is kept, so the next holder's token is higher.
   *
   * @param lease The lease as acquire or the last renewal returned it.
   * @returns `true` when it was released; `false` when it had already been
   * released or another owner took it.
   * @throws {TypeError} When `lease` is not a lease.
   */
  release(lease: Lease): Promise<boolean>;
  /**
   * Reads who holds a lease now.
   *
   * @param name The lease's name.
   * @returns The live lease, or `undefined` when it is free.
   * @throws {TypeError} When `name` is not a non-empty string.
   */
  current(name: string): Promise<LeaseInfo | undefined>;
  /** Closes what the store opened; later calls reject. Calling it again does nothing. */
  close(): Promise<void>;
}

/**
 * A lease held by {@linkcode holdLease} was lost: another owner took it over
 * after it expired, or renewing it kept failing until its ttl ran out. Work
 * done under the lease should stop; the error is the reason of
 * {@linkcode HeldLease.signal}.
 *
 * @example Read the lost lease
 * ```ts
 * import { LeaseLostError } from "./leases.ts";
 * import assert from "node:assert/strict";
 * const lease = { name: "jobs", owner: "a", token: 3, ttlMs: 1000, expiresAt: new Date(0) };
 * const err = new LeaseLostError(lease);
 * assert.equal(err.code, "lease_lost");
 * assert.equal(err.lease.token, 3);
 * assert.equal(err.message, 'Cannot keep lease "jobs" as another owner took it over after it expired (token 3)');
 * ```
 */
export class LeaseLostError extends WeirError {
  /** The lease as it was last held. */
  readonly lease: Lease;

  /**
   * Creates the error.
   *
   * @param lease The lease as it was last held.
   * @param cause The renewal error, when renewing kept failing; absent when the lease was taken.
   */
  constructor(lease: Lease, cause?: unknown) {
    super(
      cause === undefined
        ? `Cannot keep lease "${lease.name}" as another owner took it over after it expired (token ${lease.token})`
        : `Cannot keep lease "${lease.name}" as renewing it failed for longer than its ttl (${lease.ttlMs} ms): ${
          cause instanceof Error ? cause.message : String(cause)
        }`,
      "lease_lost",
      ExitCode.failed,
      cause === undefined ? undefined : { cause },
    );
    this.name = "LeaseLostError";
    this.lease = lease;
  }
}

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
 * import { holdLease } from "./leases.ts";
 * import { SqliteLeaseStore } from "./leases_sqlite.ts";
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
