/**
 * Counters and per-item failures a task reports as it works; both end up in
 * the run record. Any failure makes the run a partial success (exit 3).
 *
 * @module
 */

/**
 * Named numeric counters.
 *
 * @example
 * ```ts
 * import { Counters } from "./counters.ts";
 * import assert from "node:assert/strict";
 * const c = new Counters();
 * c.add("saved"); c.add("saved", 2);
 * assert.equal(c.get("saved"), 3);
 * assert.deepEqual(c.toJSON(), { saved: 3 });
 * ```
 */
export class Counters {
  #values = new Map<string, number>();

  /**
   * Adds to a counter.
   *
   * @param name The counter.
   * @param n How much. @default {1}
   */
  add(name: string, n = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + n);
  }

  /**
   * Sets a counter (a gauge, like peak memory).
   *
   * @param name The counter.
   * @param value Its value.
   */
  set(name: string, value: number): void {
    this.#values.set(name, value);
  }

  /**
   * Reads a counter.
   *
   * @param name The counter.
   * @returns Its value, 0 when never touched.
   */
  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  /** The counters as a plain object, sorted by name. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#values].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** One item that failed while the rest of the run went on. */
export interface ItemFailure {
  /** The item: a path, an id. */
  item: string;
  /** Why it failed, naming the field or line where possible. */
  reason: string;
  /** Whether another attempt could succeed. */
  retryable?: boolean;
}

/**
 * The items that failed permanently in this run.
 *
 * @example
 * ```ts
 * import { Failures } from "./counters.ts";
 * import assert from "node:assert/strict";
 * const f = new Failures();
 * f.add("pages/a.md", "line 3: unclosed parenthesis");
 * assert.equal(f.size, 1);
 * assert.deepEqual(f.list(), [
 *   { item: "pages/a.md", reason: "line 3: unclosed parenthesis", retryable: false },
 * ]);
 * ```
 */
export class Failures {
  #items: ItemFailure[] = [];

  /**
   * Records a failed item.
   *
   * @param item The item.
   * @param reason Why it failed.
   * @param retryable Whether another attempt could succeed. @default {false}
   */
  add(item: string, reason: string, retryable = false): void {
    this.#items.push({ item, reason, retryable });
  }

  /** How many items failed. */
  get size(): number {
    return this.#items.length;
  }

  /** The failures, in the order they happened. */
  list(): ItemFailure[] {
    return [...this.#items];
  }
}

/**
 * Reads counters and failures from an untrusted value (what a sandboxed
 * child sent), refusing anything else.
 *
 * @param value `{ counters, failures }` as sent.
 * @returns The counters and failures.
 * @throws {TypeError} When counters are not numbers by name or a failure lacks its item or reason.
 *
 * @example
 * ```ts
 * import { parseRecorded } from "./counters.ts";
 * import assert from "node:assert/strict";
 * const r = parseRecorded({ counters: { ok: 2 }, failures: [{ item: "a", reason: "bad" }] });
 * assert.equal(r.counters.ok, 2);
 * assert.throws(() => parseRecorded({ counters: { ok: "2" }, failures: [] }), TypeError);
 * ```
 */
export function parseRecorded(
  value: unknown,
): { counters: Record<string, number>; failures: ItemFailure[] } {
  const { counters, failures } = (value ?? {}) as Record<string, unknown>;
  const ok = counters !== null && typeof counters === "object" && !Array.isArray(counters) &&
    Object.values(counters).every((n) => typeof n === "number") && Array.isArray(failures) &&
    failures.every((f) =>
      typeof f?.item === "string" && typeof f?.reason === "string" &&
      (f.retryable === undefined || typeof f.retryable === "boolean")
    );
  if (!ok) {
    throw new TypeError(
      `Cannot accept counters and failures as they are malformed: current value is ${
        JSON.stringify({ counters, failures })?.slice(0, 200)
      }`,
    );
  }
  return { counters: counters as Record<string, number>, failures: failures as ItemFailure[] };
}
