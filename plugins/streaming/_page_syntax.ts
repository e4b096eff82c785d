/**
 * The line-level syntax of a Logseq page that the parser and the warning
 * scan share (private to the plugin): blanks, headers, fences, property
 * keys, `[[links]]`.
 *
 * @module
 */
import type { Relationship } from "./model.ts";

const TAB = 9, SPACE = 32, HASH = 35, COLON = 58, BACKTICK = 96;
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
 * `[[a [[b]]]]` the link is `b`. A page holds a score of links: a linear
 * search finds a duplicate sooner than a map of sets is built; past
 * {@linkcode LINEAR_DEDUPE} links, a set of keys takes over.
 */
export function relationshipsOf(
  properties: readonly (readonly [string, string])[],
): Relationship[] {
  const out: Relationship[] = [];
  let keys: Set<string> | undefined;
  for (const [property, value] of properties) {
    for (let i = value.indexOf("[["); i !== -1;) {
      const close = value.indexOf("]]", i + 2);
      if (close === -1) break;
      const inner = value.lastIndexOf("[[", close - 2); // `[[a [[b]]`: the link is `b`
      const start = (inner >= i + 2 ? inner : i) + 2;
      const target = value.slice(start, close).trim();
      i = value.indexOf("[[", close + 2);
      if (target === "") continue;
      if (keys === undefined) {
        if (out.some((r) => r.target === target && r.property === property)) continue;
        if (out.length === LINEAR_DEDUPE) {
          keys = new Set(out.map((r) => `${r.property}\0${r.target}`));
        }
      }
      if (keys !== undefined) {
        const key = `${property}\0${target}`; // No page holds a NUL (page_bytes.ts).
        if (keys.has(key)) continue;
        keys.add(key);
      }
      out.push({ property, target });
    }
  }
  return out;
}

/** Links a page holds before duplicates are found by a set instead of a linear search. */
const LINEAR_DEDUPE = 64;
