/**
 * Input checks shared by the lease adapters (private to lib/leases).
 *
 * @module
 */
import type { Lease, LeaseClock } from "./port.ts";
import { MAX_LEASE_TTL_MS } from "./port.ts";

/** The columns of the lease table, in the order adapters read and write them. */
export const LEASE_COLUMNS = "name, owner, token, ttl_ms, acquired_at, expires_at";

/**
 * The rule of `acquire`, the same in every dialect: after an `INSERT INTO
 * <table> AS l ... SELECT <clock>`, take over the row only when it is free,
 * already this owner's, or expired. The owner's live lease keeps its token and
 * acquisition time; any other takeover increments the fencing token.
 */
export const LEASE_TAKEOVER = `ON CONFLICT (name) DO UPDATE SET
  token = CASE WHEN l.owner = excluded.owner AND l.expires_at > excluded.acquired_at
    THEN l.token ELSE l.token + 1 END,
  acquired_at = CASE WHEN l.owner = excluded.owner AND l.expires_at > excluded.acquired_at
    THEN l.acquired_at ELSE excluded.acquired_at END,
  owner = excluded.owner,
  ttl_ms = excluded.ttl_ms,
  expires_at = excluded.expires_at
WHERE l.owner IS NULL OR l.owner = excluded.owner OR l.expires_at <= excluded.acquired_at`;

/**
 * Checks a lease name.
 *
 * @param name The value to check.
 * @param action What is being done, for the message: `"acquire"`, `"read"`.
 * @returns `name`.
 * @throws {TypeError} When `name` is not a non-empty string.
 *
 * @example Reject an empty name
 * ```ts
 * import { checkLeaseName } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkLeaseName("jobs", "acquire"), "jobs");
 * assert.throws(() => checkLeaseName("", "acquire"), {
 *   name: "TypeError",
 *   message: 'Cannot acquire a lease as its name must be a non-empty string: current value is ""',
 * });
 * ```
 */
export function checkLeaseName(name: unknown, action: string): string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(
      `Cannot ${action} a lease as its name must be a non-empty string: current value is "${
        show(name)
      }"`,
    );
  }
  return name;
}

/**
 * Checks the arguments of {@linkcode LeaseStore.acquire}.
 *
 * @param name The lease's name.
 * @param owner Who takes it.
 * @param ttlMs How long it lasts.
 * @throws {TypeError} When `name` or `owner` is not a non-empty string, or `ttlMs` not a number.
 * @throws {RangeError} When `ttlMs` is not an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
 *
 * @example Reject a ttl of zero
 * ```ts
 * import { checkLeaseAcquire } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * checkLeaseAcquire("jobs", "worker-1", 1000);
 * assert.throws(() => checkLeaseAcquire("jobs", "worker-1", 0), {
 *   name: "RangeError",
 *   message: 'Cannot acquire lease "jobs" as ttlMs must be an integer from 1 to 86400000: current value is "0"',
 * });
 * ```
 */
export function checkLeaseAcquire(name: unknown, owner: unknown, ttlMs: unknown): void {
  checkLeaseName(name, "acquire");
  if (typeof owner !== "string" || owner === "") {
    throw new TypeError(
      `Cannot acquire lease "${name}" as its owner must be a non-empty string: current value is "${
        show(owner)
      }"`,
    );
  }
  checkLeaseTtl(ttlMs, "acquire", name as string);
}

/**
 * Checks a ttl.
 *
 * @param ttlMs The value to check.
 * @param action What is being done, for the message: `"acquire"`, `"renew"`.
 * @param name The lease's name, for the message.
 * @returns `ttlMs`.
 * @throws {TypeError} When `ttlMs` is not a number.
 * @throws {RangeError} When `ttlMs` is not an integer from 1 to {@linkcode MAX_LEASE_TTL_MS}.
 *
 * @example Reject a fractional ttl
 * ```ts
 * import { checkLeaseTtl } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => checkLeaseTtl(1.5, "renew", "jobs"), RangeError);
 * assert.throws(() => checkLeaseTtl("100", "renew", "jobs"), TypeError);
 * ```
 */
export function checkLeaseTtl(ttlMs: unknown, action: string, name: string): number {
  if (
    typeof ttlMs !== "number" || !Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_LEASE_TTL_MS
  ) {
    const message =
      `Cannot ${action} lease "${name}" as ttlMs must be an integer from 1 to ${MAX_LEASE_TTL_MS}: current value is "${
        show(ttlMs)
      }"`;
    throw typeof ttlMs === "number" ? new RangeError(message) : new TypeError(message);
  }
  return ttlMs;
}

/**
 * Checks that a value looks like a {@linkcode Lease}: a name and an owner
 * that are non-empty strings and a token that is a positive integer.
 *
 * @param lease The value to check.
 * @param action What is being done, for the message: `"renew"`, `"release"`.
 * @returns `lease`.
 * @throws {TypeError} When it is not a lease.
 *
 * @example Reject something that is not a lease
 * ```ts
 * import { checkLease } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => checkLease({ name: "jobs" }, "release"), {
 *   name: "TypeError",
 *   message: 'Cannot release a lease as it is not one that acquire() returned: current value is "{"name":"jobs"}"',
 * });
 * ```
 */
export function checkLease(lease: unknown, action: string): Lease {
  const l = lease as Partial<Lease> | null | undefined;
  if (
    typeof l?.name !== "string" || l.name === "" || typeof l.owner !== "string" ||
    l.owner === "" || !Number.isSafeInteger(l.token) || l.token! < 1
  ) {
    throw new TypeError(
      `Cannot ${action} a lease as it is not one that acquire() returned: current value is "${
        show(lease)
      }"`,
    );
  }
  return lease as Lease;
}

/**
 * Checks a table name for a lease store and quotes it for SQL: letters,
 * digits and `_`, not starting with a digit, at most 63 characters, with an
 * optional schema (`schema.table`) of the same form.
 *
 * @param table The table name.
 * @returns The quoted name, for example `"weir"."leases"`.
 * @throws {TypeError} When `table` is not such a name.
 *
 * @example Quote a schema-qualified table
 * ```ts
 * import { quoteLeaseTable } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * assert.equal(quoteLeaseTable("weir.leases"), '"weir"."leases"');
 * assert.throws(() => quoteLeaseTable('leases"; DROP TABLE x; --'), TypeError);
 * ```
 */
export function quoteLeaseTable(table: unknown): string {
  const part = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
  const parts = typeof table === "string" ? table.split(".") : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => part.test(p))) {
    throw new TypeError(
      `Cannot open a lease store as its table must be a name of letters, digits and _ (optionally schema.table): current value is "${
        show(table)
      }"`,
    );
  }
  return parts.map((p) => `"${p}"`).join(".");
}

/**
 * Checks the `now` option of a lease store.
 *
 * @param now The value to check.
 * @returns `now`.
 * @throws {TypeError} When `now` is neither `undefined` nor a function.
 *
 * @example Reject a clock that is a number
 * ```ts
 * import { checkLeaseClock } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkLeaseClock(undefined), undefined);
 * assert.throws(() => checkLeaseClock(42), {
 *   name: "TypeError",
 *   message: 'Cannot open a lease store as its clock must be a function: current value is "42"',
 * });
 * ```
 */
export function checkLeaseClock(now: unknown): LeaseClock | undefined {
  if (now !== undefined && typeof now !== "function") {
    throw new TypeError(
      `Cannot open a lease store as its clock must be a function: current value is "${show(now)}"`,
    );
  }
  return now as LeaseClock | undefined;
}

/**
 * Reads an injected clock: whole milliseconds since the epoch.
 *
 * @param now The clock.
 * @returns Its time, rounded to a millisecond.
 * @throws {RangeError} When the clock returns something other than a finite number.
 *
 * @example Round a fractional time
 * ```ts
 * import { readLeaseClock } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * assert.equal(readLeaseClock(() => 1_000.6), 1_001);
 * assert.throws(() => readLeaseClock(() => Number.NaN), RangeError);
 * ```
 */
export function readLeaseClock(now: LeaseClock): number {
  const ms = now();
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new RangeError(
      `Cannot read the lease clock as it must return a finite number of milliseconds: current value is "${
        show(ms)
      }"`,
    );
  }
  return Math.round(ms);
}

/**
 * Throws when a store is closed.
 *
 * @param closed Whether the store is closed.
 * @param action What is being done, for the message: `"acquire"`, `"read"`.
 * @param name The lease's name.
 * @throws {Error} When `closed` is `true`.
 *
 * @example A closed store refuses work
 * ```ts
 * import { checkLeaseStoreOpen } from "./_takeover.ts";
 * import assert from "node:assert/strict";
 * checkLeaseStoreOpen(false, "acquire", "jobs");
 * assert.throws(() => checkLeaseStoreOpen(true, "acquire", "jobs"), {
 *   message: 'Cannot acquire lease "jobs" as the lease store is closed',
 * });
 * ```
 */
export function checkLeaseStoreOpen(closed: boolean, action: string, name: unknown): void {
  if (closed) {
    throw new Error(`Cannot ${action} lease "${show(name)}" as the lease store is closed`);
  }
}

/** Shows a value in a message: primitives as `String` does, objects as JSON when they have a form. */
function show(value: unknown): string {
  if (typeof value !== "object" || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
