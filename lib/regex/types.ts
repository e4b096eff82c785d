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
