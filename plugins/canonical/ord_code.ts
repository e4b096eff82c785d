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
/** The widths of those fields. */
const WIDTHS = [2, 2, 2, 2, 2, 3] as const;

/** The digit at `at`, or -1000 when it is not one (so that any of the sums below with it is negative). */
function digit(s: string, at: number): number {
  const d = s.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : -1000;
}

/** The two digits at `at` as a number, or a negative number when either is not a digit. */
const two = (s: string, at: number): number => digit(s, at) * 10 + digit(s, at + 1);

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
  // Written out: called once per record, it must cost little.
  if (
    s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90
  ) return -1;
  const yh = two(s, 0), yl = two(s, 2), mo = two(s, 5), d = two(s, 8), h = two(s, 11);
  const mi = two(s, 14), sec = two(s, 17), ms = two(s, 20) * 10 + digit(s, 22);
  if ((yh | yl | mo | d | h | mi | sec | ms) < 0) return -1; // a non-digit
  if (mo > 12 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
  return ((((((yh * 100 + yl) * 13 + mo) * 32 + d) * 24 + h) * 60 + mi) * 61 + sec) * 1000 + ms;
}

/**
 * The timestamp a number from {@linkcode isoCode} stands for.
 *
 * @param code The number.
 * @returns The timestamp, exactly as it was.
 *
 * @example
 * ```ts
 * import { isoCode, isoText } from "./ord_code.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isoText(isoCode("9999-12-31T23:59:60.999Z")), "9999-12-31T23:59:60.999Z");
 * ```
 */
export function isoText(code: number): string {
  const parts: string[] = [];
  for (let f = RADICES.length - 1; f >= 0; f--) {
    const v = code % RADICES[f];
    code = (code - v) / RADICES[f];
    parts[f] = String(v).padStart(WIDTHS[f], "0");
  }
  const [mo, d, h, mi, s, ms] = parts;
  return `${String(code).padStart(4, "0")}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
}
