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
  /** Rows by key, for keys that are integers from 0 to 2^30 - 1 (sparse ones make V8 keep a dictionary). */
  #dense: number[] = [];
  /** Rows by key, for the other keys. */
  #sparse = new Map<RecordKey, number>();
  #keys: RecordKey[] = [];
  /** The ordering value's kind, plus 4 when the version deletes its key. */
  #flags: number[] = [];
  /** The number of a `NUMBER` or `ISO` row's ordering value. */
  #codes: number[] = [];
  /** The ordering value of a `TEXT` row. */
  #texts = new Map<number, string>();
  #seqs: number[] = [];
  #values: Version[] = [];

  /** The number of keys. */
  get size(): number {
    return this.#keys.length;
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
    const flags = deleted ? kind | 4 : kind;
    const row = this.row(pk);
    if (row === undefined) {
      const added = this.#keys.push(pk) - 1;
      if (dense(pk)) this.#dense[pk as number] = added;
      else this.#sparse.set(pk, added);
      this.#flags.push(flags);
      this.#codes.push(code);
      this.#seqs.push(seq);
      this.#values.push(value);
      if (text !== undefined) this.#texts.set(added, text);
      return true;
    }
    const old = this.#flags[row] & 3;
    const newer = kind !== TEXT && old !== TEXT
      ? (kind === old ? !(code < this.#codes[row]) : kind === ISO) // a string is after a number
      : compareOrd(ord, this.ord(row)) >= 0;
    if (newer) {
      this.#flags[row] = flags;
      this.#codes[row] = code;
      this.#seqs[row] = seq;
      this.#values[row] = value;
      if (text !== undefined) this.#texts.set(row, text);
      else if (old === TEXT) this.#texts.delete(row);
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
    return dense(pk) ? this.#dense[pk as number] : this.#sparse.get(pk);
  }

  /**
   * A row's key.
   *
   * @param row The row (rows are numbered from 0 in the order keys came).
   * @returns The key.
   */
  key(row: number): RecordKey {
    return this.#keys[row];
  }

  /**
   * A row's ordering value, as it was offered.
   *
   * @param row The row.
   * @returns The value.
   */
  ord(row: number): number | string {
    const kind = this.#flags[row] & 3;
    return kind === NUMBER
      ? this.#codes[row]
      : kind === ISO
      ? isoText(this.#codes[row])
      : this.#texts.get(row)!;
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
    return this.#flags[row] >= 4;
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
    this.#dense = [];
    this.#sparse = new Map();
    this.#keys = [];
    this.#flags = [];
    this.#codes = [];
    this.#texts = new Map();
    this.#seqs = [];
    this.#values = [];
  }
}

/** Whether a key indexes the dense rows: an integer from 0 to 2^30 - 1 (-0 is 0, as in a `Map`). */
function dense(pk: RecordKey): boolean {
  return typeof pk === "number" && (pk >>> 0) === pk && pk < 1_073_741_824;
}
