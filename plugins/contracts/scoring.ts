/**
 * Scores matches against labels (expected spans per question): a match is
 * right when it overlaps a label; a label is found when a match overlaps
 * it. Precision = right matches / matches; recall = found labels / labels.
 *
 * @module
 */
import { z } from "zod";

/** A span of text, `[start, end)` in UTF-16 code units. */
export interface Span {
  /** Where it starts. */
  start: number;
  /** Where it ends (exclusive). */
  end: number;
}

/** The labels file: expected spans per question. */
export const labelsSchema = z.object({
  document_id: z.string().optional(),
  labels: z.record(
    z.string(),
    z.array(z.object({ start: z.number().int(), end: z.number().int() })),
  ),
});

/** Counts for one mode. */
export interface Score {
  /** Matches found. */
  matches: number;
  /** Matches that overlap a label. */
  true_positives: number;
  /** Labels overlapped by a match. */
  labels_found: number;
  /** Labels. */
  labels: number;
  /** true_positives / matches (null without matches). */
  precision: number | null;
  /** labels_found / labels (null without labels). */
  recall: number | null;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;
const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10000) / 10000);

/**
 * Scores one set of matches against labels. Matches are counted once per
 * distinct span (two patterns finding the same text count once).
 *
 * @param matches The spans found.
 * @param labels The spans expected.
 * @returns The counts, precision and recall.
 *
 * @example Two matches, one right; two labels, one found
 * ```ts
 * import { score } from "./scoring.ts";
 * import assert from "node:assert/strict";
 * const s = score([{ start: 0, end: 5 }, { start: 10, end: 12 }], [{ start: 2, end: 4 }, { start: 20, end: 25 }]);
 * assert.deepEqual([s.precision, s.recall], [0.5, 0.5]);
 * ```
 */
export function score(matches: readonly Span[], labels: readonly Span[]): Score {
  const spans = distinct(matches);
  const tp = spans.filter((m) => labels.some((l) => overlaps(m, l))).length;
  const found = labels.filter((l) => spans.some((m) => overlaps(m, l))).length;
  return {
    matches: spans.length,
    true_positives: tp,
    labels_found: found,
    labels: labels.length,
    precision: ratio(tp, spans.length),
    recall: ratio(found, labels.length),
  };
}

/**
 * The distinct spans, sorted.
 *
 * @param spans Spans, maybe repeated.
 * @returns Each span once.
 */
export function distinct(spans: readonly Span[]): Span[] {
  const seen = new Map<string, Span>();
  for (const s of spans) seen.set(`${s.start}:${s.end}`, { start: s.start, end: s.end });
  return [...seen.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Adds scores up (for the overall figures).
 *
 * @param scores Per-question scores.
 * @returns Their sum, with precision and recall over the sums.
 */
export function total(scores: readonly Score[]): Score {
  const sum = (k: "matches" | "true_positives" | "labels_found" | "labels") =>
    scores.reduce((n, s) => n + s[k], 0);
  const [m, tp, f, l] = [sum("matches"), sum("true_positives"), sum("labels_found"), sum("labels")];
  return {
    matches: m,
    true_positives: tp,
    labels_found: f,
    labels: l,
    precision: ratio(tp, m),
    recall: ratio(f, l),
  };
}
