/**
 * Ordering values that are UTC timestamps of one shape
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, what `Date#toISOString` writes) as numbers
 * in the same order, so that the deduplicator compares and keeps them as
 * numbers: no string per kept key, no string comparison.
 *
 * @module
 */

/** The radices of month, day, hour, minute, second and millisecond (one above each field's largest value). */
const RADICES = [13, 32, 24, 60, 61, 1000] as const;
/** Where the fields after the year start, and their widths. */
const FIELDS = [[5, 2], [8, 2], [11, 2], [14, 2], [17, 2], [20, 3]] as const;
const SEPARATORS = [[4, 45], [7, 45], [10, 84], [13, 58], [16, 58], [19, 46], [23, 90]] as const;

function digits(s: string, at: number, width: number): number {
  let n = 0;
  for (let i = at; i < at + width; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The number of a timestamp of that shape, or -1 for any other string.
 * Two strings of that shape compare as their numbers do (lexicographic
 * order is field order, and every field is below its radix); the largest
 * number, for year 9999, is below 2^49, so every one is exact.
 *
 * @param s An ordering value.
 * @returns Its number, or -1.
 *
 * @example
 * ```ts
 * import { isoCode, isoText } from "./ord_code.ts";
 * import assert from "node:assert/strict";
 * const a = isoCode("2026-01-01T00:00:01.000Z");
 * const b = isoCode("2026-01-01T00:00:01.001Z");
 * assert.ok(a >= 0 && a < b);
 * assert.equal(isoText(a), "2026-01-01T00:00:01.000Z");
 * assert.equal(isoCode("2026-01-01"), -1);
 * assert.equal(isoCode("2026-13-01T00:00:01.000Z"), -1);
 * ```
 */
export function isoCode(s: string): number {
  if (s.length !== 24) return -1;
  for (const [at, c] of SEPARATORS) if (s.charCodeAt(at) !== c) return -1;
  let code = digits(s, 0, 4);
  if (code < 0) return -1;
  for (let f = 0; f < FIELDS.length; f++) {
    const v = digits(s, FIELDS[f][0], FIELDS[f][1]);
    if (v < 0 || v >= RADICES[f]) return -1;
    code = code * RADICES[f] + v;
  }
  return code;
}

/**
 * The timestamp a number from {@linkcode isoCode} stands for.
 *
 * @param code The number.
 * @returns The timestamp, exactly as it was.
 */
export function isoText(code: number): string {
  const parts: string[] = [];
  for (let f = FIELDS.length - 1; f >= 0; f--) {
    const v = code % RADICES[f];
    code = (code - v) / RADICES[f];
    parts[f] = String(v).padStart(FIELDS[f][1], "0");
  }
  const [mo, d, h, mi, s, ms] = parts;
  return `${String(code).padStart(4, "0")}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
}
