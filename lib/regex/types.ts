/**
 * What the regex runner answers and counts, shared by the runner, its
 * dispatcher and its Worker.
 *
 * @module
 */

/** One match found by `RegexRunner.matches`. */
export interface RegexMatch {
  /** Where the match starts in the text, in UTF-16 code units. */
  index: number;
  /** The matched text. */
  match: string;
  /** The numbered capture groups, `undefined` for a group that did not take part. */
  captures: (string | undefined)[];
  /** The named capture groups, when the pattern has any. */
  groups?: Record<string, string | undefined>;
}

/** Live counters of a `RegexRunner`. */
export interface RegexRunnerStats {
  /** Workers started so far. */
  workers: number;
  /** Calls the Worker answered: with a result, an error or a stop at the budget. */
  completed: number;
  /** Patterns the Worker compiled (cache misses). */
  compiled: number;
  /** Calls that ran past their budget (stopped in the Worker, or the Worker ended). */
  exceeded: number;
  /** Calls cancelled by their signal. */
  aborted: number;
  /** Calls waiting for their answer now, queued or handed to the Worker. */
  queued: number;
}

/** One pattern of a `RegexRunner.matchBatch` call. */
export interface BatchPattern {
  /** The pattern's source. */
  source: string;
  /** The pattern's flags (`g` is added). */
  flags: string;
}

/**
 * How one pattern of a `RegexRunner.matchBatch` call ended: its matches,
 * the error it threw (a syntax error, say), or a stop at the budget.
 */
export type BatchOutcome =
  | { matches: RegexMatch[] }
  | { error: string }
  | { exceeded: true };

/**
 * How one pattern of a batch crosses back from the Worker: each match as
 * its start and length (`spans`), the captures only for a pattern that has
 * groups, so the answer clones fast. The runner turns it into a
 * {@linkcode BatchOutcome}.
 */
export type WireOutcome =
  | {
    spans: number[];
    extra?: [(string | undefined)[], Record<string, string | undefined>?][];
  }
  | { error: string }
  | { exceeded: true };

/**
 * Every outcome of a `RegexRunner.matchGroupSpans` call, packed: per
 * pattern (group after group) its number of matches, or `-1` when it was
 * stopped at its budget, `-2` when it failed (its message in `errors`);
 * and the matches' `[start, end)` offsets (UTF-16 code units), pattern after
 * pattern, two numbers per match.
 */
export interface PackedOutcomes {
  /** Per pattern: how many matches, `-1` stopped at the budget, `-2` failed. */
  counts: Int32Array;
  /** Each match's start and end, in pattern order. */
  spans: Int32Array;
  /** A failed pattern's message, by its index in `counts`. */
  errors: Record<number, string>;
}

/** Options of `RegexRunner`. */
export interface RegexRunnerOptions {
  /**
   * How long one call's match may run, in milliseconds (an integer from 1
   * to 600000). It is timed in the Worker, so time spent queued, starting
   * the Worker or passing messages does not count.
   * @default {100}
   */
  budgetMs?: number;
  /**
   * How many compiled patterns the Worker keeps, least recently used dropped
   * first (an integer from 0).
   * @default {1000}
   */
  cacheSize?: number;
  /**
   * How long an idle Worker is kept before it is ended, in milliseconds
   * (from 0, or `Infinity` to keep it until `RegexRunner.close`).
   * A live Worker keeps the process running, so this bounds the cost of a
   * runner nobody closed.
   * @default {1000}
   */
  idleMs?: number;
}

/** Options of one `RegexRunner` call. */
export interface RegexCallOptions {
  /**
   * Cancels the call: a queued call is dropped, a running one ends its
   * Worker (the next call starts another). The call rejects at once with the
   * signal's reason.
   */
  signal?: AbortSignal;
}

/** Options of `RegexRunner.matches`. */
export interface MatchOptions extends RegexCallOptions {
  /**
   * The most matches to return (an integer from 1); the search stops there.
   * @default {100}
   */
  limit?: number;
}
