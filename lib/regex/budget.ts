/**
 * Untrusted regular expressions run with a time budget: a pattern written by
 * a person (a contract's `REGEX` rule, say) is evaluated in a Worker that has
 * no permissions, and a match that runs past its budget is stopped there.
 *
 * How a match is stopped: V8 checks for interrupts while a regular
 * expression backtracks, so `node:vm`'s `timeout` (a watchdog thread that
 * calls V8's TerminateExecution) stops it, and the Worker lives on to take
 * the next call. `Worker.terminate()` alone does not stop it: in Deno 2.9 it
 * asks the Worker's event loop to stop, which a running match never returns
 * to, so the thread keeps a core busy and the process alive
 * (denoland/deno#35657). It is still used to cancel a running call and as a
 * backstop when a Worker does not answer within the budget plus a second; a
 * thread so ended stops when its own timeout fires, at most a budget later,
 * while a fresh Worker takes the next call. V8's linear-time engine
 * (`--enable-experimental-regexp-engine`) was no alternative: a
 * process-wide experimental flag, without backreferences or lookbehind.
 *
 * Why a Worker at all: the caller's event loop keeps running (signals,
 * progress) while a match runs, and the match runs without any of the
 * caller's permissions. One Worker serves every call of a runner, one call
 * at a time, so the cost of starting it is paid once; compiled patterns are
 * cached in it. Patterns are checked in the caller's thread first, so a
 * syntax error is reported at once and spends no budget.
 *
 * @module
 */

import { RegexDispatcher } from "./_dispatcher.ts";
import type { Request } from "./_worker.ts";

export { BudgetExceededError } from "./_dispatcher.ts";
export { compileChecked } from "./compile.ts";
import { compileChecked } from "./compile.ts";
import { checkLimit, checkOption, checkText, expand, groupsRequest } from "./_checks.ts";
export { regexWorkerOptions } from "./_worker.ts";
export type * from "./types.ts";
import type {
  BatchOutcome,
  BatchPattern,
  MatchOptions,
  PackedOutcomes,
  RegexCallOptions,
  RegexMatch,
  RegexRunnerOptions,
  RegexRunnerStats,
  WireOutcome,
} from "./types.ts";

/**
 * Evaluates untrusted regular expressions in a Worker without permissions,
 * each call within a time budget. Calls are queued and answered one at a
 * time, in order, by one long-lived Worker. A match past its budget is
 * stopped and the call rejects with a {@linkcode BudgetExceededError}; the
 * Worker takes the next call. Close the runner when done (or declare it with
 * `await using`).
 *
 * @example Match with a budget
 * ```ts
 * import { RegexRunner } from "./budget.ts";
 * import assert from "node:assert/strict";
 * await using runner = new RegexRunner({ budgetMs: 200 });
 * assert.equal(await runner.test("colou?r", "i", "Red COLOR"), true);
 * const found = await runner.matches("(?<year>\\d{4})-(\\d{2})", "", "2024-01 and 2025-02");
 * assert.deepEqual(found.map((m) => [m.index, m.groups?.year, m.captures[1]]), [
 *   [0, "2024", "01"],
 *   [12, "2025", "02"],
 * ]);
 * ```
 *
 * @example Stop a catastrophic pattern
 * ```ts
 * import { BudgetExceededError, RegexRunner } from "./budget.ts";
 * import assert from "node:assert/strict";
 * const runner = new RegexRunner({ budgetMs: 50 });
 * try {
 *   await assert.rejects(runner.test("^(a+)+$", "", "a".repeat(40) + "b"), BudgetExceededError);
 *   assert.equal(await runner.test("^a+$", "", "aaa"), true);
 * } finally {
 *   await runner.close();
 * }
 * ```
 */
export class RegexRunner {
  /** How long one call's match may run, in milliseconds. */
  readonly budgetMs: number;
  /** Queues the calls for the Worker and settles them. */
  readonly #dispatcher: RegexDispatcher;

  /**
   * Creates a runner. No Worker starts until the first call.
   *
   * @param options The budget, the cache size and the idle time.
   * @throws {RangeError} When an option is out of range.
   * @throws {TypeError} When an option is not a number.
   */
  constructor(options: RegexRunnerOptions = {}) {
    const { budgetMs = 100, cacheSize = 1000, idleMs = 1000 } = options;
    checkOption(
      "budgetMs",
      budgetMs,
      Number.isInteger(budgetMs) && budgetMs >= 1 && budgetMs <= 600_000,
      "an integer from 1 to 600000",
    );
    checkOption(
      "cacheSize",
      cacheSize,
      Number.isInteger(cacheSize) && cacheSize >= 0,
      "an integer from 0",
    );
    checkOption("idleMs", idleMs, idleMs >= 0, "from 0");
    this.budgetMs = budgetMs;
    this.#dispatcher = new RegexDispatcher({ budgetMs, cacheSize, idleMs });
  }

  /** A snapshot of the live counters. */
  get stats(): RegexRunnerStats {
    return this.#dispatcher.stats;
  }

  /**
   * Whether `pattern` matches anywhere in `text`, as a fresh
   * `new RegExp(pattern, flags).test(text)` would say (with `y`, only at 0).
   *
   * @param pattern The pattern's source.
   * @param flags The pattern's flags, as {@linkcode compileChecked} accepts them.
   * @param text The text to search.
   * @param options A signal to cancel the call.
   * @returns True when the pattern matches.
   * @throws {SyntaxError} When the pattern or its flags are invalid (before anything runs).
   * @throws {BudgetExceededError} When the match runs past the budget.
   * @throws {TypeError} When an argument is not a string, or the runner is closed.
   * @throws {unknown} The signal's reason when it aborts.
   *
   * @example Test a text
   * ```ts
   * import { RegexRunner } from "./budget.ts";
   * import assert from "node:assert/strict";
   * await using runner = new RegexRunner();
   * assert.equal(await runner.test("^\\d+$", "", "12345"), true);
   * assert.equal(await runner.test("^\\d+$", "", "12a45"), false);
   * ```
   */
  async test(
    pattern: string,
    flags: string,
    text: string,
    options: RegexCallOptions = {},
  ): Promise<boolean> {
    return await this.#call("test", pattern, flags, text, 1, options.signal) as boolean;
  }

  /**
   * The matches of `pattern` in `text`, as `text.matchAll()` finds them with
   * the `g` flag added: left to right, not overlapping, an empty match
   * stepped over; at most `limit` of them.
   *
   * @param pattern The pattern's source.
   * @param flags The pattern's flags, as {@linkcode compileChecked} accepts them.
   * @param text The text to search.
   * @param options The most matches to return and a signal to cancel the call.
   * @returns Each match with its index, its captures and its named groups.
   * @throws {SyntaxError} When the pattern or its flags are invalid (before anything runs).
   * @throws {BudgetExceededError} When the match runs past the budget.
   * @throws {RangeError} When `limit` is not an integer from 1.
   * @throws {TypeError} When an argument is not a string, or the runner is closed.
   * @throws {unknown} The signal's reason when it aborts.
   *
   * @example Find at most two matches
   * ```ts
   * import { RegexRunner } from "./budget.ts";
   * import assert from "node:assert/strict";
   * await using runner = new RegexRunner();
   * const found = await runner.matches("b+", "", "ab abb abbb", { limit: 2 });
   * assert.deepEqual(found, [
   *   { index: 1, match: "b", captures: [] },
   *   { index: 4, match: "bb", captures: [] },
   * ]);
   * ```
   */
  async matches(
    pattern: string,
    flags: string,
    text: string,
    options: MatchOptions = {},
  ): Promise<RegexMatch[]> {
    const { limit = 100, signal } = options;
    checkLimit(limit);
    return await this.#call("matches", pattern, flags, text, limit, signal) as RegexMatch[];
  }

  /**
   * The matches of many patterns in one text, in one Worker call: each
   * pattern as {@linkcode RegexRunner.matches} would find them, under its
   * own budget. The patterns run in slices of about half the budget; a
   * pattern a slice's timeout catches runs again alone with the whole
   * budget, and only one that runs past it alone is stopped
   * (`{ exceeded: true }`) while the rest of the batch goes on. A pattern
   * that does not compile answers `{ error }` instead of failing the call,
   * so check patterns with {@linkcode compileChecked} first to report them.
   *
   * @param text The text to search.
   * @param patterns The patterns and their flags.
   * @param options The most matches per pattern and a signal to cancel the call.
   * @returns One outcome per pattern, in order.
   * @throws {BudgetExceededError} When the Worker stops answering for the
   * batch's whole allowance (each pattern's budget and a half) plus a second.
   * @throws {RangeError} When `limit` is not an integer from 1.
   * @throws {TypeError} When the text is not a string, a pattern is not
   * `{ source, flags }` strings, or the runner is closed.
   * @throws {unknown} The signal's reason when it aborts.
   *
   * @example Many patterns, one call; a catastrophic one is stopped alone
   * ```ts
   * import { RegexRunner } from "./budget.ts";
   * import assert from "node:assert/strict";
   * await using runner = new RegexRunner({ budgetMs: 50 });
   * const text = "a".repeat(30) + "b, la salud y la educación";
   * const out = await runner.matchBatch(text, [
   *   { source: "salud", flags: "" },
   *   { source: "^(a+)+$", flags: "" },
   *   { source: "EDUCACIÓN", flags: "i" },
   * ]);
   * assert.deepEqual(out[0], { matches: [{ index: 36, match: "salud", captures: [] }] });
   * assert.deepEqual(out[1], { exceeded: true });
   * assert.equal("matches" in out[2] && out[2].matches[0].match, "educación");
   * ```
   */
  async matchBatch(
    text: string,
    patterns: readonly BatchPattern[],
    options: MatchOptions = {},
  ): Promise<BatchOutcome[]> {
    checkText(text);
    return (await this.matchGroups([{ text, patterns }], options))[0];
  }

  /**
   * {@linkcode RegexRunner.matchBatch} for many texts in one Worker call:
   * each group's patterns over the group's text, every pattern under its
   * own budget. One call for many small groups costs one message round
   * trip instead of one per group.
   *
   * @param groups The texts, each with its patterns.
   * @param options The most matches per pattern and a signal to cancel the call.
   * @returns One list of outcomes per group, in order.
   * @throws {BudgetExceededError} When the Worker stops answering for the
   * call's whole allowance (each pattern's budget and a half) plus a second.
   * @throws {RangeError} When `limit` is not an integer from 1.
   * @throws {TypeError} When a text is not a string, a pattern is not
   * `{ source, flags }` strings, or the runner is closed.
   * @throws {unknown} The signal's reason when it aborts.
   *
   * @example Two texts, one call
   * ```ts
   * import { RegexRunner } from "./budget.ts";
   * import assert from "node:assert/strict";
   * await using runner = new RegexRunner();
   * const [a, b] = await runner.matchGroups([
   *   { text: "meta: 40%", patterns: [{ source: "\\d+%", flags: "" }] },
   *   { text: "sin cifras", patterns: [{ source: "\\d+%", flags: "" }, { source: "cifra", flags: "" }] },
   * ]);
   * assert.deepEqual(a, [{ matches: [{ index: 6, match: "40%", captures: [] }] }]);
   * assert.deepEqual(b.map((o) => "matches" in o && o.matches.length), [0, 1]);
   * ```
   */
  async matchGroups(
    groups: readonly { text: string; patterns: readonly BatchPattern[] }[],
    options: MatchOptions = {},
  ): Promise<BatchOutcome[][]> {
    const { limit = 100, signal } = options;
    checkLimit(limit);
    const call = this.#groupsCall(groups, limit, false);
    if (call === undefined) return groups.map(() => []);
    signal?.throwIfAborted();
    const flat = await this.#dispatcher.submit(call, signal) as WireOutcome[];
    let at = 0;
    return groups.map(({ patterns, text }) =>
      flat.slice(at, at += patterns.length).map((o) => expand(o, text))
    );
  }

  /**
   * {@linkcode RegexRunner.matchGroups} answered compactly, for callers that
   * need only where each match is: no match text, no captures, and the
   * answer moves from the Worker as two typed arrays instead of an object
   * per pattern and match. Budgets, slices and stops are the same.
   *
   * @param groups The texts, each with its patterns.
   * @param options The most matches per pattern and a signal to cancel the call.
   * @returns Every pattern's outcome, group after group, packed.
   * @throws {BudgetExceededError} As {@linkcode RegexRunner.matchGroups}.
   * @throws {RangeError} When `limit` is not an integer from 1.
   * @throws {TypeError} As {@linkcode RegexRunner.matchGroups}.
   * @throws {unknown} The signal's reason when it aborts.
   *
   * @example Where each pattern matched
   * ```ts
   * import { RegexRunner } from "./budget.ts";
   * import assert from "node:assert/strict";
   * await using runner = new RegexRunner();
   * const out = await runner.matchGroupSpans([
   *   { text: "meta: 40% y 55%", patterns: [{ source: "\\d+%", flags: "" }, { source: "x", flags: "" }] },
   * ]);
   * assert.deepEqual([...out.counts], [2, 0]);
   * assert.deepEqual([...out.spans], [6, 9, 12, 15]);
   * ```
   */
  async matchGroupSpans(
    groups: readonly { text: string; patterns: readonly BatchPattern[] }[],
    options: MatchOptions = {},
  ): Promise<PackedOutcomes> {
    const { limit = 100, signal } = options;
    checkLimit(limit);
    const call = this.#groupsCall(groups, limit, true);
    if (call === undefined) {
      return { counts: new Int32Array(0), spans: new Int32Array(0), errors: {} };
    }
    signal?.throwIfAborted();
    return await this.#dispatcher.submit(call, signal) as PackedOutcomes;
  }

  /**
   * Ends the Worker. Calls still queued or running reject with an
   * `AbortError`; later calls reject with a TypeError. Closing twice is fine.
   * A match the Worker is running stops at its budget at the latest.
   *
   * @returns When the runner is closed.
   *
   * @example Close a runner
   * ```ts
   * import { RegexRunner } from "./budget.ts";
   * import assert from "node:assert/strict";
   * const runner = new RegexRunner();
   * assert.equal(await runner.test("a", "", "cat"), true);
   * await runner.close();
   * await assert.rejects(runner.test("a", "", "cat"), TypeError);
   * ```
   */
  close(): Promise<void> {
    this.#dispatcher.close();
    return Promise.resolve();
  }

  /**
   * Closes the runner, for `await using`.
   *
   * @returns When the runner is closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #groupsCall(
    groups: readonly { text: string; patterns: readonly BatchPattern[] }[],
    limit: number,
    pack: boolean,
  ): Omit<Request, "id" | "budgetMs"> | undefined {
    if (this.#dispatcher.closed) {
      throw new TypeError("Cannot match pattern as the runner is closed");
    }
    const { texts, list } = groupsRequest(groups);
    if (list.length === 0) return undefined;
    return { op: "batch", source: "", flags: "", text: "", limit, patterns: list, texts, pack };
  }

  #call(
    op: Request["op"],
    pattern: string,
    flags: string,
    text: string,
    limit: number,
    signal: AbortSignal | undefined,
  ): Promise<boolean | RegexMatch[]> {
    if (this.#dispatcher.closed) {
      throw new TypeError("Cannot match pattern as the runner is closed");
    }
    compileChecked(pattern, flags);
    checkText(text);
    signal?.throwIfAborted();
    const call = { op, source: pattern, flags, text, limit };
    return this.#dispatcher.submit(call, signal) as Promise<boolean | RegexMatch[]>;
  }
}
