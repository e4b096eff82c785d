/**
 * Runs plan entries' patterns over their chunks' texts with the budgeted
 * regex runner: all of an entry's patterns in one Worker call, several
 * Workers at once (the fewest queued calls takes the next entry). A
 * pattern past its budget is stopped and reported; the rest goes on.
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
    const runner = this.#runners.reduce((a, b) => (b.stats.queued < a.stats.queued ? b : a));
    const outcomes = await runner.matchBatch(text, entry.patterns, {
      limit: this.#limit,
      signal,
    });
    const matches: FoundMatch[] = [];
    const skipped: EntryResult["skipped"] = [];
    outcomes.forEach((o, i) => {
      const p = entry.patterns[i];
      if ("matches" in o) {
        for (const m of o.matches) {
          matches.push({
            question_id: entry.question_id,
            pattern_id: p.id,
            category: p.category,
            start: m.index,
            end: m.index + m.match.length,
            text: m.match,
            confidence_weight: p.confidence_weight,
          });
        }
      } else {
        const reason = "exceeded" in o
          ? `Pattern ${p.id} of ${entry.question_id} ran past its budget of ${this.#budgetMs} ms on chunk ${entry.chunk_id} and was skipped`
          : `Pattern ${p.id} of ${entry.question_id} failed: ${o.error}`;
        skipped.push({ pattern_id: p.id, reason });
      }
    });
    return { entry, matches, skipped };
  }

  /**
   * Matches many entries, `workers x 2` in flight, yielding each as it ends.
   *
   * @param entries The entries.
   * @param textOf An entry's chunk text.
   * @param signal Stops taking entries.
   * @returns Each entry's result (a rejected entry carries its reason).
   */
  run(
    entries: Iterable<PlanEntry>,
    textOf: (entry: PlanEntry) => string,
    signal?: AbortSignal,
  ): AsyncIterable<{ entry: PlanEntry; result?: EntryResult; error?: unknown }> {
    const work = pool(entries, (entry, _i, s) => this.match(entry, textOf(entry), s), {
      concurrency: this.#runners.length * 2,
      signal,
    });
    return (async function* () {
      for await (const r of work) {
        if (r.status === "fulfilled") yield { entry: r.item, result: r.value };
        else if (r.status === "rejected") yield { entry: r.item, error: r.reason };
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
