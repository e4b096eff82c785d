/**
 * Runs plan entries' patterns over their chunks' texts with the budgeted
 * regex runner: many entries' patterns in one Worker call (so a message
 * round trip is paid per group, not per pattern), several Workers at once
 * (the fewest queued calls takes the next group). A Worker answers with
 * offsets only, packed in two typed arrays; the matched text is sliced
 * here. A pattern past its budget is stopped and reported; the rest goes
 * on.
 *
 * @module
 */
import { pool } from "../../lib/async/pool.ts";
import { RegexRunner } from "../../lib/regex/mod.ts";
import type { PlanEntry } from "./plan_build.ts";

/** One match found. */
export interface FoundMatch {
  /** The question. */
  question_id: string;
  /** The pattern. */
  pattern_id: string;
  /** The pattern's category. */
  category: string;
  /** Where the match starts in the chunk's text (UTF-16 code units). */
  start: number;
  /** Where it ends (exclusive). */
  end: number;
  /** The matched text. */
  text: string;
  /** The pattern's confidence weight. */
  confidence_weight: number;
}

/** What one entry's patterns found. */
export interface EntryResult {
  /** The entry. */
  entry: PlanEntry;
  /** Its matches, by pattern then position. */
  matches: FoundMatch[];
  /** Patterns stopped at the budget, with why. */
  skipped: { pattern_id: string; reason: string }[];
}

/** Options of {@linkcode PlanMatcher}. */
export interface MatcherOptions {
  /** Workers run at once. @default {navigator.hardwareConcurrency} */
  workers?: number;
  /** Each pattern's budget on one chunk, in milliseconds. @default {50} */
  budgetMs?: number;
  /** The most matches kept per pattern and chunk. @default {100} */
  limit?: number;
}

/**
 * Matches plan entries in several Workers; close it when done.
 *
 * @example
 * ```ts
 * import { PlanMatcher } from "./matcher.ts";
 * import assert from "node:assert/strict";
 * await using m = new PlanMatcher({ workers: 1 });
 * const entry = { question_id: "Q001", chunk_id: "C1", policy_area_id: "PA01",
 *   dimension_id: "DIM01", source: "contract" as const, patterns: [
 *     { id: "P1", category: "meta", confidence_weight: 0.9, match_type: "REGEX",
 *       source: "\\d+%", flags: "" }] };
 * const r = await m.match(entry, "cobertura del 45% en 2024");
 * assert.deepEqual(r.matches.map((x) => [x.start, x.end, x.text]), [[14, 17, "45%"]]);
 * ```
 */
export class PlanMatcher {
  readonly #runners: RegexRunner[];
  readonly #limit: number;
  readonly #budgetMs: number;

  /**
   * Creates the matcher; Workers start on first use.
   *
   * @param options Workers, budget, limit.
   */
  constructor(options: MatcherOptions = {}) {
    const { workers = navigator.hardwareConcurrency || 1, budgetMs = 50, limit = 100 } = options;
    this.#budgetMs = budgetMs;
    this.#limit = limit;
    this.#runners = Array.from(
      { length: workers },
      () => new RegexRunner({ budgetMs, idleMs: Infinity }),
    );
  }

  /** How many Workers. */
  get workers(): number {
    return this.#runners.length;
  }

  /**
   * Runs one entry's patterns over a text, in one Worker call.
   *
   * @param entry The plan entry.
   * @param text Its chunk's text.
   * @param signal Cancels the call.
   * @returns The matches and the patterns stopped.
   */
  async match(entry: PlanEntry, text: string, signal?: AbortSignal): Promise<EntryResult> {
    return (await this.matchMany([entry], () => text, signal))[0];
  }

  /**
   * Runs several entries' patterns, each over its chunk's text, in one
   * Worker call (the Worker with the fewest calls queued).
   *
   * @param entries The plan entries.
   * @param textOf An entry's chunk text.
   * @param signal Cancels the call.
   * @returns Each entry's matches and patterns stopped, in order.
   */
  async matchMany(
    entries: readonly PlanEntry[],
    textOf: (entry: PlanEntry) => string,
    signal?: AbortSignal,
  ): Promise<EntryResult[]> {
    const runner = this.#runners.reduce((a, b) => (b.stats.queued < a.stats.queued ? b : a));
    const groups = entries.map((e) => ({ text: textOf(e), patterns: e.patterns }));
    // Offsets only cross back (packed); each match's text is sliced here.
    const out = await runner.matchGroupSpans(groups, { limit: this.#limit, signal });
    let p = 0;
    let at = 0;
    return entries.map((entry, k) => {
      const text = groups[k].text;
      const matches: FoundMatch[] = [];
      const skipped: EntryResult["skipped"] = [];
      for (const pattern of entry.patterns) {
        const n = out.counts[p];
        if (n < 0) {
          const reason = this.#reason(entry, pattern.id, n, out.errors[p]);
          skipped.push({ pattern_id: pattern.id, reason });
        }
        for (let j = 0; j < n; j++, at += 2) {
          const start = out.spans[at];
          const end = out.spans[at + 1];
          matches.push({
            question_id: entry.question_id,
            pattern_id: pattern.id,
            category: pattern.category,
            start,
            end,
            text: text.slice(start, end),
            confidence_weight: pattern.confidence_weight,
          });
        }
        p++;
      }
      return { entry, matches, skipped };
    });
  }

  #reason(entry: PlanEntry, patternId: string, count: number, error?: string): string {
    return count === -1
      ? `Pattern ${patternId} of ${entry.question_id} ran past its budget of ${this.#budgetMs} ms on chunk ${entry.chunk_id} and was skipped`
      : `Pattern ${patternId} of ${entry.question_id} failed: ${error}`;
  }

  /**
   * Matches many entries: the entries are split evenly over the Workers,
   * in groups of at most `perCall` entries, one Worker call per group (two
   * calls per Worker in flight); each entry's result is yielded when its
   * group ends.
   *
   * @param entries The entries.
   * @param textOf An entry's chunk text.
   * @param signal Stops taking groups.
   * @param perCall The most entries per Worker call. @default {256}
   * @returns Each entry's result (an entry of a failed call carries the reason).
   */
  run(
    entries: readonly PlanEntry[],
    textOf: (entry: PlanEntry) => string,
    signal?: AbortSignal,
    perCall = 256,
  ): AsyncIterable<{ entry: PlanEntry; result?: EntryResult; error?: unknown }> {
    // One call per Worker when that is at most perCall entries: every message
    // round trip costs more than a small chunk's matching (see the bench).
    const size = Math.max(1, Math.min(perCall, Math.ceil(entries.length / this.#runners.length)));
    const groups: PlanEntry[][] = [];
    for (let at = 0; at < entries.length; at += size) groups.push(entries.slice(at, at + size));
    const work = pool(groups, (group, _i, s) => this.matchMany(group, textOf, s), {
      concurrency: this.#runners.length * 2,
      signal,
    });
    return (async function* () {
      for await (const r of work) {
        if (r.status === "fulfilled") {
          for (const result of r.value) yield { entry: result.entry, result };
        } else if (r.status === "rejected") {
          for (const entry of r.item) yield { entry, error: r.reason };
        }
      }
    })();
  }

  /** Ends every Worker. */
  async close(): Promise<void> {
    await Promise.all(this.#runners.map((r) => r.close()));
  }

  /** Closes, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
