/**
 * The runner's argument checks and the decoding of a batch's answers
 * (private to lib/regex).
 *
 * @module
 */
import type { BatchOutcome, BatchPattern, RegexMatch, WireOutcome } from "./types.ts";

/** Turns a pattern's answer from the Worker into its outcome: each match with its text. */
export function expand(o: WireOutcome, text: string): BatchOutcome {
  if (!("spans" in o)) return o;
  const matches: RegexMatch[] = [];
  for (let k = 0; k < o.spans.length; k += 2) {
    const index = o.spans[k];
    const extra = o.extra?.[k / 2];
    const match: RegexMatch = {
      index,
      match: text.slice(index, index + o.spans[k + 1]),
      captures: extra ? extra[0] : [],
    };
    if (extra?.[1]) match.groups = extra[1];
    matches.push(match);
  }
  return { matches };
}

/** Throws unless `limit` is an integer from 1. */
export function checkLimit(limit: unknown): void {
  if (typeof limit !== "number") {
    throw new TypeError(
      `Cannot match pattern as limit must be a number: current value is "${String(limit)}"`,
    );
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(
      `Cannot match pattern as limit must be an integer from 1: current value is "${limit}"`,
    );
  }
}

/** Throws unless `text` is a string. */
export function checkText(text: unknown): void {
  if (typeof text !== "string") {
    throw new TypeError(
      `Cannot match pattern as the text must be a string: current value is "${String(text)}"`,
    );
  }
}

/** Throws unless an option is a number within its range. */
export function checkOption(name: string, value: unknown, ok: boolean, what: string): void {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot create the regex runner as ${name} must be a number: current value is "${
        String(value)
      }"`,
    );
  }
  if (!ok) {
    throw new RangeError(
      `Cannot create the regex runner as ${name} must be ${what}: current value is "${value}"`,
    );
  }
}

/**
 * A groups call's texts and patterns as the Worker takes them: each distinct
 * text sent once, however many groups search it, and each pattern naming its
 * text by index. Throws a TypeError for a text or pattern of the wrong type.
 */
export function groupsRequest(
  groups: readonly { text: string; patterns: readonly BatchPattern[] }[],
): { texts: string[]; list: (BatchPattern & { text: number })[] } {
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const list: (BatchPattern & { text: number })[] = [];
  for (const [g, { text, patterns }] of groups.entries()) {
    checkText(text);
    let t = textIndex.get(text);
    if (t === undefined) textIndex.set(text, t = texts.push(text) - 1);
    for (const [i, { source, flags }] of patterns.entries()) {
      if (typeof source !== "string" || typeof flags !== "string") {
        throw new TypeError(
          `Cannot match patterns as pattern ${i} of group ${g} must have string source and flags: current value is "${
            String(source)
          }"`,
        );
      }
      list.push({ source, flags, text: t });
    }
  }
  return { texts, list };
}
