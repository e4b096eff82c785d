/**
 * The line-level syntax of a Logseq page that the parser and the warning
 * scan share (private to the plugin): blanks, headers, fences, property
 * keys, `[[links]]`.
 *
 * @module
 */
import type { Relationship } from "./model.ts";

const TAB = 9, SPACE = 32, HASH = 35, COLON = 58, BACKTICK = 96;
const OPEN_BRACKET = 91, CLOSE_BRACKET = 93;
const HEADER = "OntologyBlock";

/** A space or a tab. */
export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** `#`-`######`, whitespace, `OntologyBlock`, nothing else but whitespace. */
export function isHeader(text: string, pos: number, end: number): boolean {
  let hashes = 0;
  while (pos < end && text.charCodeAt(pos) === HASH) pos++, hashes++;
  if (hashes === 0 || hashes > 6 || pos >= end || !isBlank(text.charCodeAt(pos))) return false;
  while (pos < end && isBlank(text.charCodeAt(pos))) pos++;
  if (!text.startsWith(HEADER, pos) || pos + HEADER.length > end) return false;
  for (pos += HEADER.length; pos < end; pos++) if (!isBlank(text.charCodeAt(pos))) return false;
  return true;
}

/** How many backticks open a fence at `pos` (at least three), else 0. */
export function fenceTicks(text: string, pos: number, end: number): number {
  let p = pos;
  while (p < end && text.charCodeAt(p) === BACKTICK) p++;
  return p - pos >= 3 ? p - pos : 0;
}

/** The fence's language, lower-cased (`""` when none), or null when the info string holds a backtick. */
export function fenceLanguage(text: string, pos: number, end: number): string | null {
  const info = text.slice(pos, end).trim();
  if (info.includes("`")) return null;
  let stop = 0;
  while (stop < info.length && !isBlank(info.charCodeAt(stop))) stop++;
  return info.slice(0, stop).toLowerCase();
}

export function isClosingFence(text: string, pos: number, end: number, ticks: number): boolean {
  let p = pos;
  while (p < end && text.charCodeAt(p) === BACKTICK) p++;
  if (p - pos < ticks) return false;
  for (; p < end; p++) if (!isBlank(text.charCodeAt(p))) return false;
  return true;
}

/**
 * Where the `::` of a property line starts (so the key is `[pos, result)`),
 * or -1 when the line is not a property: the key would hold whitespace, or
 * no `::` is followed by whitespace or the line's end.
 */
export function propertyKeyEnd(text: string, pos: number, end: number): number {
  for (let p = pos; p < end; p++) {
    const c = text.charCodeAt(p);
    if (isBlank(c)) return -1;
    if (c === COLON && text.charCodeAt(p + 1) === COLON) {
      if (p + 2 >= end || isBlank(text.charCodeAt(p + 2))) return p;
      p++;
    }
  }
  return -1;
}

export function first(
  properties: readonly (readonly [string, string])[],
  key: string,
): string | null {
  for (const [k, v] of properties) if (k === key && v !== "") return v;
  return null;
}

/**
 * Every `[[link]]` of every property value, duplicates removed. In
 * `[[a [[b]]]]` the link is `b`. A char-code scan: most values are short, and
 * `indexOf` calls cost more than the scan.
 */
export function relationshipsOf(
  properties: readonly (readonly [string, string])[],
): Relationship[] {
  const out: Relationship[] = [];
  const seen = new Map<string, Set<string>>(); // property -> targets
  for (const [property, value] of properties) {
    const last = value.length - 1;
    for (let i = 0; i < last; i++) {
      if (value.charCodeAt(i) !== OPEN_BRACKET || value.charCodeAt(i + 1) !== OPEN_BRACKET) {
        continue;
      }
      let start = i + 2, close = start;
      for (; close < last; close++) {
        const c = value.charCodeAt(close), next = value.charCodeAt(close + 1);
        if (c === CLOSE_BRACKET && next === CLOSE_BRACKET) break;
        if (c === OPEN_BRACKET && next === OPEN_BRACKET) start = close + 2;
      }
      if (close >= last) break;
      i = close + 1;
      const target = value.slice(start, close).trim();
      if (target === "") continue;
      let targets = seen.get(property);
      if (!targets) seen.set(property, targets = new Set());
      if (targets.has(target)) continue;
      targets.add(target);
      out.push({ property, target });
    }
  }
  return out;
}
