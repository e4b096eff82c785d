/**
 * Named leases: locks with an expiry, shared by processes (or machines) that
 * use one database. A lease is free when it is absent, released or expired;
 * its holder keeps it by renewing it before it expires (a heartbeat), and a
 * fencing token that grows every time the lease changes hands lets writers
 * reject work from a holder that lost it. Time is the database's clock, so
 * machines with skewed clocks agree on who holds what; tests may inject a
 * {@linkcode LeaseClock} instead (the adapters' `now` option), bound as a
 * parameter of every statement, to move time forward without waiting.
 *
 * The port is {@linkcode LeaseStore}; its adapters are `SqliteLeaseStore`
 * (`./sqlite.ts`) and `PostgresLeaseStore` (`./postgres.ts`).
 * `holdLease` (`./hold.ts`) keeps a lease renewed in the background while a
 * long-running task or a periodic job works under it.
 *
 * @module
 */

import { ExitCode, WeirError } from "../errors.ts";

/** The longest ttl a lease can have: one day, in milliseconds. */
export const MAX_LEASE_TTL_MS = 86_400_000;

/**
 * A clock injected into a lease store in place of the database's: it returns
 * the time in milliseconds since the epoch (fractions are rounded). Every
 * store sharing a table must use the same one, so inject it only in tests.
 *
 * @example A clock a test moves by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LeaseClock } from "./port.ts";
 * let now = 0;
 * const clock: LeaseClock = () => now;
 * now += 60_000;
 * assert.ok(clock() === 60_000);
 * ```
 */
export type LeaseClock = () => number;

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
 * import { LeaseLostError } from "./port.ts";
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
