/**
 * The deduplicator's in-memory part: per key, the newest version offered
 * so far, with its ordering value, reading order and delete flag. Kept as
 * columns (one array each, a `Map` from key to row), and ordering values
 * that are timestamps of one shape kept as numbers (see
 * {@linkcode isoCode}): a key costs no object of its own, and comparing two
 * versions is mostly comparing two numbers.
 *
 * @module
 */
import type { Version } from "./body.ts";
import { compareOrd, type RecordKey } from "./mapping.ts";
import { isoCode, isoText } from "./ord_code.ts";

/** How a row's ordering value is kept. */
const NUMBER = 0;
const ISO = 1;
const TEXT = 2;

/**
 * The newest version per key.
 *
 * @example
 * ```ts
 * import { KeyTable } from "./key_table.ts";
 * import assert from "node:assert/strict";
 * const t = new KeyTable();
 * t.offer(1, "2026-01-01T00:00:00.000Z", 0, false, "a");
 * t.offer(1, "2026-01-02T00:00:00.000Z", 1, false, "b");
 * t.offer(1, "2025-12-31T00:00:00.000Z", 2, false, "c");
 * const row = t.row(1)!;
 * assert.equal(t.value(row), "b");
 * assert.equal(t.ord(row), "2026-01-02T00:00:00.000Z");
 * assert.equal(t.size, 1);
 * ```
 */
export class KeyTable {
  #rows = new Map<RecordKey, number>();
  #kinds: number[] = [];
  /** The number of a `NUMBER` or `ISO` row's ordering value. */
  #codes: number[] = [];
  /** The ordering value of a `TEXT` row. */
  #texts: (string | undefined)[] = [];
  #seqs: number[] = [];
  #deleted: boolean[] = [];
  #values: Version[] = [];

  /** The number of keys. */
  get size(): number {
    return this.#rows.size;
  }

  /**
   * Offers a version of a key: kept when the key is new, or when its
   * ordering value is not older than the kept one's (compared as
   * {@linkcode compareOrd} does).
   *
   * @param pk The key.
   * @param ord The ordering value.
   * @param seq The reading order.
   * @param deleted Whether it deletes the key.
   * @param value The version.
   * @returns Whether the key was new.
   */
  offer(
    pk: RecordKey,
    ord: number | string,
    seq: number,
    deleted: boolean,
    value: Version,
  ): boolean {
    let kind = NUMBER;
    let code = 0;
    let text: string | undefined;
    if (typeof ord === "number") code = ord;
    else if ((code = isoCode(ord)) >= 0) kind = ISO;
    else {
      kind = TEXT;
      code = 0;
      text = ord;
    }
    const row = this.#rows.get(pk);
    if (row === undefined) {
      this.#rows.set(pk, this.#values.length);
      this.#kinds.push(kind);
      this.#codes.push(code);
      this.#texts.push(text);
      this.#seqs.push(seq);
      this.#deleted.push(deleted);
      this.#values.push(value);
      return true;
    }
    const old = this.#kinds[row];
    const newer = kind !== TEXT && old !== TEXT
      ? (kind === old ? !(code < this.#codes[row]) : kind === ISO) // a string is after a number
      : compareOrd(ord, this.ord(row)) >= 0;
    if (newer) {
      this.#kinds[row] = kind;
      this.#codes[row] = code;
      this.#texts[row] = text;
      this.#seqs[row] = seq;
      this.#deleted[row] = deleted;
      this.#values[row] = value;
    }
    return false;
  }

  /**
   * A key's row.
   *
   * @param pk The key.
   * @returns Its row, or `undefined`.
   */
  row(pk: RecordKey): number | undefined {
    return this.#rows.get(pk);
  }

  /** The keys, in the order they came. */
  keys(): IterableIterator<RecordKey> {
    return this.#rows.keys();
  }

  /** The keys with their rows, in the order they came. */
  entries(): IterableIterator<[RecordKey, number]> {
    return this.#rows.entries();
  }

  /**
   * A row's ordering value, as it was offered.
   *
   * @param row The row.
   * @returns The value.
   */
  ord(row: number): number | string {
    const kind = this.#kinds[row];
    return kind === NUMBER
      ? this.#codes[row]
      : kind === ISO
      ? isoText(this.#codes[row])
      : this.#texts[row]!;
  }

  /**
   * A row's reading order.
   *
   * @param row The row.
   * @returns The order.
   */
  seq(row: number): number {
    return this.#seqs[row];
  }

  /**
   * Whether a row's version deletes its key.
   *
   * @param row The row.
   * @returns The flag.
   */
  deleted(row: number): boolean {
    return this.#deleted[row];
  }

  /**
   * A row's version.
   *
   * @param row The row.
   * @returns The version.
   */
  value(row: number): Version {
    return this.#values[row];
  }

  /** Forgets every key. */
  clear(): void {
    this.#rows = new Map();
    this.#kinds = [];
    this.#codes = [];
    this.#texts = [];
    this.#seqs = [];
    this.#deleted = [];
    this.#values = [];
  }
}
