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

import { ExitCode, WeirError } from "./errors.ts";

/** Whether this runtime knows the `v` (unicode sets) flag. */
const HAS_V_FLAG = (() => {
  try {
    new RegExp("", "v");
    return true;
  } catch {
    return false;
  }
})();

/** The flags {@linkcode compileChecked} accepts, in the order V8 prints them. */
const FLAGS = HAS_V_FLAG ? "dgimsuvy" : "dgimsuy";

/**
 * A match ran past its time budget and was stopped. The runner stays usable:
 * the next call is answered as usual.
 *
 * @example Read what ran too long
 * ```ts
 * import { BudgetExceededError } from "./regex_budget.ts";
 * import assert from "node:assert/strict";
 * const err = new BudgetExceededError("^(a+)+$", 100);
 * assert.equal(err.code, "budget_exceeded");
 * assert.equal(err.budgetMs, 100);
 * assert.equal(err.pattern, "^(a+)+$");
 * assert.equal(
 *   err.message,
 *   'Cannot match pattern as it ran past its budget of 100 ms: current value is "^(a+)+$"',
 * );
 * ```
 */
export class BudgetExceededError extends WeirError {
  /** The budget the call ran past, in milliseconds. */
  readonly budgetMs: number;
  /** The pattern's source. */
  readonly pattern: string;

  /**
   * Creates the error.
   *
   * @param pattern The pattern's source.
   * @param budgetMs The budget it ran past, in milliseconds.
   * @param options The standard error options (`cause`).
   */
  constructor(pattern: string, budgetMs: number, options?: ErrorOptions) {
    super(
      `Cannot match pattern as it ran past its budget of ${budgetMs} ms: current value is "${pattern}"`,
      "budget_exceeded",
      ExitCode.failed,
      options,
    );
    this.name = "BudgetExceededError";
    this.budgetMs = budgetMs;
    this.pattern = pattern;
  }
}

/**
 * Compiles a pattern, or explains in the project's error voice why it cannot
 * be. Never runs it. Use it to validate every pattern up front and list all
 * the bad ones, not only the first.
 *
 * @param pattern The pattern's source, as `new RegExp()` takes it.
 * @param flags Any of `d g i m s u y` (and `v` where the runtime has it), each
 * once; none when left out.
 * @returns The compiled regular expression.
 * @throws {SyntaxError} When a flag is unknown or repeated, `u` and `v` are
 * combined, or the pattern's syntax is invalid; the message names the pattern
 * and the runtime's error is the `cause`.
 * @throws {TypeError} When `pattern` or `flags` is not a string.
 *
 * @example Collect every bad pattern
 * ```ts
 * import { compileChecked } from "./regex_budget.ts";
 * import assert from "node:assert/strict";
 * const problems: string[] = [];
 * for (const [pattern, flags] of [["a+b", "i"], ["(a", ""], ["c", "x"]]) {
 *   try {
 *     compileChecked(pattern, flags);
 *   } catch (err) {
 *     if (!(err instanceof SyntaxError)) throw err;
 *     problems.push(err.message);
 *   }
 * }
 * assert.deepEqual(problems, [
 *   'Cannot compile pattern as its syntax is invalid (unterminated group): current value is "(a"',
 *   'Cannot compile pattern as flag "x" is not one of "dgimsuvy": current value is "c"',
 * ]);
 * ```
 */
export function compileChecked(pattern: string, flags = ""): RegExp {
  if (typeof pattern !== "string") {
    throw new TypeError(
      `Cannot compile pattern as it must be a string: current value is "${String(pattern)}"`,
    );
  }
  if (typeof flags !== "string") {
    throw new TypeError(
      `Cannot compile pattern as its flags must be a string: current value is "${pattern}"`,
    );
  }
  const fail = (reason: string, cause?: unknown) =>
    new SyntaxError(`Cannot compile pattern as ${reason}: current value is "${pattern}"`, {
      cause,
    });
  for (const [i, flag] of [...flags].entries()) {
    if (!FLAGS.includes(flag)) throw fail(`flag "${flag}" is not one of "${FLAGS}"`);
    if (flags.indexOf(flag) !== i) throw fail(`flag "${flag}" is repeated`);
  }
  if (flags.includes("u") && flags.includes("v")) {
    throw fail('flags "u" and "v" exclude each other');
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // V8: "Invalid regular expression: /(a/: Unterminated group"; keep the last part.
    const at = err.message.lastIndexOf(": ");
    const detail = (at === -1 ? err.message : err.message.slice(at + 2)) || err.message;
    throw fail(`its syntax is invalid (${detail[0].toLowerCase()}${detail.slice(1)})`, err);
  }
}

/**
 * The options the runner's Worker is created with: a module worker whose
 * permissions are all `false`, so code run there can read, write, reach or
 * run nothing. A pattern cannot call an API anyway; this is defence in depth
 * against an escape from the regular expression engine. Exported so tests
 * can check exactly what the Worker gets (and that such a Worker is denied).
 *
 * @returns Fresh Worker options (needs `--unstable-worker-options`).
 *
 * @example Every permission is off
 * ```ts
 * import { regexWorkerOptions } from "./regex_budget.ts";
 * import assert from "node:assert/strict";
 * const options = regexWorkerOptions();
 * assert.equal(options.type, "module");
 * assert.ok(Object.values(options.deno?.permissions ?? {}).every((p) => p === false));
 * ```
 */
export function regexWorkerOptions(): WorkerOptions {
  return {
    type: "module",
    name: "regex-budget",
    deno: {
      permissions: {
        read: false,
        write: false,
        net: false,
        env: false,
        run: false,
        sys: false,
        ffi: false,
        import: false,
      },
    },
  };
}

/** Options of {@linkcode RegexRunner}. */
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
   * (from 0, or `Infinity` to keep it until {@linkcode RegexRunner.close}).
   * A live Worker keeps the process running, so this bounds the cost of a
   * runner nobody closed.
   * @default {1000}
   */
  idleMs?: number;
}

/** Options of one {@linkcode RegexRunner} call. */
export interface RegexCallOptions {
  /**
   * Cancels the call: a queued call is dropped, a running one ends its
   * Worker (the next call starts another). The call rejects at once with the
   * signal's reason.
   */
  signal?: AbortSignal;
}

/** Options of {@linkcode RegexRunner.matches}. */
export interface MatchOptions extends RegexCallOptions {
  /**
   * The most matches to return (an integer from 1); the search stops there.
   * @default {100}
   */
  limit?: number;
}

/** One match found by {@linkcode RegexRunner.matches}. */
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

/** Live counters of a {@linkcode RegexRunner}. */
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

/** A call to the Worker. */
interface Request {
  id: number;
  op: "test" | "matches";
  source: string;
  flags: string;
  text: string;
  limit: number;
  budgetMs: number;
}

/** What the Worker answers. */
type Reply =
  | { type: "ready" }
  | { type: "result"; id: number; value: boolean | RegexMatch[]; compiled: boolean }
  | { type: "error"; id: number; error: unknown; compiled: boolean }
  | { type: "timeout"; id: number };

/** A call waiting for, or being answered by, the Worker. */
interface Job {
  request: Request;
  resolve: (value: boolean | RegexMatch[]) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** How long past its budget a call waits for a Worker that does not answer. */
const GRACE_MS = 1000;

/** How many calls are handed to the Worker ahead of their answers. */
const PIPELINE = 32;

/**
 * Answers one call, in the Worker (it is sent there as source text, so it
 * must use nothing from outside its own body). Compiled patterns, always
 * with `g` so that one object serves both operations, are kept in a
 * least-recently-used cache of `cacheSize` entries.
 */
function regexHandler(cacheSize: number): (request: Request) => Reply {
  const cache = new Map<string, RegExp>();
  const compile = (source: string, flags: string): [RegExp, boolean] => {
    const global = flags.includes("g") ? flags : flags + "g";
    const key = `${global}/${source}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return [hit, false];
    }
    const regex = new RegExp(source, global);
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, regex);
    }
    return [regex, true];
  };
  return ({ id, op, source, flags, text, limit }) => {
    let compiled = false;
    try {
      const [regex, fresh] = compile(source, flags);
      compiled = fresh;
      regex.lastIndex = 0;
      if (op === "test") return { type: "result", id, value: regex.test(text), compiled };
      const unicode = flags.includes("u") || flags.includes("v");
      const found: RegexMatch[] = [];
      while (found.length < limit) {
        const m = regex.exec(text);
        if (m === null) break;
        const match: RegexMatch = { index: m.index, match: m[0], captures: m.slice(1) };
        if (m.groups) match.groups = { ...m.groups };
        found.push(match);
        if (m[0] === "") {
          // Step over an empty match, by a whole code point in unicode mode.
          const at = regex.lastIndex;
          const pair = unicode && at + 1 < text.length &&
            text.charCodeAt(at) >= 0xd800 && text.charCodeAt(at) <= 0xdbff &&
            text.charCodeAt(at + 1) >= 0xdc00 && text.charCodeAt(at + 1) <= 0xdfff;
          regex.lastIndex = at + (pair ? 2 : 1);
        }
      }
      return { type: "result", id, value: found, compiled };
    } catch (error) {
      return { type: "error", id, error, compiled };
    }
  };
}

/** The part of `node:vm` the Worker uses. */
interface Vm {
  Script: new (code: string) => { runInThisContext(options: { timeout: number }): unknown };
}

/** The part of the Worker's global scope it uses. */
interface Scope {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: Reply): void;
}

/**
 * The Worker's message loop (sent as source text, like
 * {@linkcode regexHandler}): each call runs under `node:vm`'s timeout, which
 * stops a match that runs past the call's budget.
 */
function serveRegex(vm: Vm, scope: Scope, handle: (request: Request) => Reply): void {
  let request: Request;
  const run = globalThis as unknown as { __weirRegexCall: () => Reply };
  run.__weirRegexCall = () => handle(request);
  const script = new vm.Script("__weirRegexCall()");
  scope.onmessage = ({ data }) => {
    request = data;
    let reply: Reply;
    try {
      reply = script.runInThisContext({ timeout: data.budgetMs }) as Reply;
    } catch (err) {
      if ((err as { code?: unknown })?.code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw err;
      reply = { type: "timeout", id: data.id };
    }
    scope.postMessage(reply);
  };
  scope.postMessage({ type: "ready" });
}

/**
 * The Worker's entry: a data: module that imports only `node:vm`, so it
 * needs no permission to load; it says when it is ready to take calls.
 */
function entryUrl(cacheSize: number): string {
  const code = 'import vm from "node:vm";\n' +
    `(${serveRegex.toString()})(vm, self, (${regexHandler.toString()})(${cacheSize}));\n`;
  return `data:application/javascript;base64,${btoa(code)}`;
}

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
 * import { RegexRunner } from "./regex_budget.ts";
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
 * import { BudgetExceededError, RegexRunner } from "./regex_budget.ts";
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
  readonly #cacheSize: number;
  readonly #idleMs: number;
  #worker: Worker | undefined;
  #ready = false;
  /** Calls not yet handed to the Worker. */
  #queue: Job[] = [];
  /** Calls handed to the Worker and not yet answered, in order: the first is running. */
  #sent: Job[] = [];
  /** When the Worker was last handed a call while idle, or last answered one. */
  #lastProgress = 0;
  #backstop: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  #closed = false;
  #stats = { workers: 0, completed: 0, compiled: 0, exceeded: 0, aborted: 0 };

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
    this.#cacheSize = cacheSize;
    this.#idleMs = idleMs;
  }

  /** A snapshot of the live counters. */
  get stats(): RegexRunnerStats {
    return { ...this.#stats, queued: this.#queue.length + this.#sent.length };
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
   * import { RegexRunner } from "./regex_budget.ts";
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
   * import { RegexRunner } from "./regex_budget.ts";
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
    return await this.#call("matches", pattern, flags, text, limit, signal) as RegexMatch[];
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
   * import { RegexRunner } from "./regex_budget.ts";
   * import assert from "node:assert/strict";
   * const runner = new RegexRunner();
   * assert.equal(await runner.test("a", "", "cat"), true);
   * await runner.close();
   * await assert.rejects(runner.test("a", "", "cat"), TypeError);
   * ```
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const jobs = [...this.#sent.splice(0), ...this.#queue.splice(0)];
    this.#kill();
    const reason = new DOMException(
      "Cannot finish the call as the runner was closed",
      "AbortError",
    );
    for (const job of jobs) this.#settle(job, () => job.reject(reason));
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

  #call(
    op: Request["op"],
    pattern: string,
    flags: string,
    text: string,
    limit: number,
    signal: AbortSignal | undefined,
  ): Promise<boolean | RegexMatch[]> {
    if (this.#closed) throw new TypeError("Cannot match pattern as the runner is closed");
    compileChecked(pattern, flags);
    if (typeof text !== "string") {
      throw new TypeError(
        `Cannot match pattern as the text must be a string: current value is "${String(text)}"`,
      );
    }
    signal?.throwIfAborted();
    const { promise, resolve, reject } = Promise.withResolvers<boolean | RegexMatch[]>();
    const { budgetMs } = this;
    const request = { id: this.#nextId++, op, source: pattern, flags, text, limit, budgetMs };
    const job: Job = { request, resolve, reject, signal };
    if (signal) {
      job.onAbort = () => this.#abort(job);
      signal.addEventListener("abort", job.onAbort, { once: true });
    }
    this.#queue.push(job);
    this.#pump();
    return promise;
  }

  /**
   * Hands queued calls to the Worker, starting one if needed. Up to
   * `PIPELINE` calls are handed over ahead of their answers, so the
   * Worker goes from one to the next without waiting for a message round
   * trip; it still runs them one at a time, each under its own timeout.
   */
  #pump(): void {
    if (this.#closed) return;
    if (this.#queue.length === 0) {
      if (this.#sent.length === 0) this.#armIdle();
      return;
    }
    if (!this.#worker) return this.#spawn();
    if (!this.#ready) return;
    if (this.#sent.length === 0) this.#lastProgress = performance.now();
    while (this.#queue.length > 0 && this.#sent.length < PIPELINE) {
      const job = this.#queue.shift()!;
      this.#sent.push(job);
      this.#worker.postMessage(job.request);
    }
    this.#armBackstop();
  }

  #spawn(): void {
    const worker = new Worker(entryUrl(this.#cacheSize), regexWorkerOptions());
    this.#worker = worker;
    this.#ready = false;
    this.#stats.workers++;
    worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      if (worker === this.#worker) this.#reply(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (worker === this.#worker) this.#crashed(event.message);
    };
  }

  #reply(reply: Reply): void {
    if (reply.type === "ready") {
      this.#ready = true;
      return this.#pump();
    }
    const job = this.#sent[0];
    if (!job || job.request.id !== reply.id) return;
    this.#sent.shift();
    this.#lastProgress = performance.now();
    this.#stats.completed++;
    if (reply.type === "timeout") {
      this.#stats.exceeded++;
      const err = new BudgetExceededError(job.request.source, job.request.budgetMs);
      this.#settle(job, () => job.reject(err));
    } else {
      if (reply.compiled) this.#stats.compiled++;
      if (reply.type === "result") this.#settle(job, () => job.resolve(reply.value));
      else this.#settle(job, () => job.reject(reply.error));
    }
    this.#pump();
  }

  /**
   * Watches that the Worker keeps answering: one timer, re-armed for the
   * time left when answers came meanwhile (so not one timer per call). When
   * the Worker has been silent for the budget plus `GRACE_MS`,
   * the call it runs fails with a {@linkcode BudgetExceededError} and the
   * Worker is ended; the calls handed to it after that one are queued again.
   */
  #armBackstop(): void {
    if (this.#backstop !== undefined || this.#sent.length === 0) return;
    const wait = (ms: number) => {
      this.#backstop = setTimeout(() => {
        this.#backstop = undefined;
        const job = this.#sent[0];
        if (!job) return;
        const left = this.#lastProgress + job.request.budgetMs + GRACE_MS - performance.now();
        if (left > 0) return wait(left);
        this.#stats.exceeded++;
        this.#restart(job);
        const err = new BudgetExceededError(job.request.source, job.request.budgetMs);
        this.#settle(job, () => job.reject(err));
        this.#pump();
      }, ms);
    };
    wait(this.budgetMs + GRACE_MS);
  }

  #abort(job: Job): void {
    this.#stats.aborted++;
    if (this.#sent.includes(job)) this.#restart(job);
    else this.#queue.splice(this.#queue.indexOf(job), 1);
    this.#settle(job, () => job.reject(job.signal!.reason));
    this.#pump();
  }

  /**
   * The Worker failed outside a call's own error handling: the call it ran
   * fails. Before it was ready, every call fails, so a Worker that cannot
   * start is not started again and again.
   */
  #crashed(message: string): void {
    const err = new Error(`Cannot match pattern as its worker failed: ${message}`);
    const jobs = this.#ready ? this.#sent.slice(0, 1) : [...this.#sent, ...this.#queue.splice(0)];
    if (this.#ready && jobs.length > 0) this.#restart(jobs[0]);
    else {
      this.#sent = [];
      this.#kill();
    }
    for (const job of jobs) this.#settle(job, () => job.reject(err));
    this.#pump();
  }

  /**
   * Ends the Worker because of `job`, one of the calls handed to it; the
   * others go back to the front of the queue, in order, for the next Worker.
   */
  #restart(job: Job): void {
    const others = this.#sent.filter((j) => j !== job);
    this.#sent = [];
    this.#queue.unshift(...others);
    this.#kill();
  }

  /** Removes the call's abort listener, then settles it. */
  #settle(job: Job, settle: () => void): void {
    if (job.onAbort) job.signal!.removeEventListener("abort", job.onAbort);
    settle();
  }

  /**
   * Ends the Worker and the backstop that watches it. A match it is running
   * goes on until its own timeout, at most a budget later (see the module
   * doc); its answer is ignored.
   */
  #kill(): void {
    clearTimeout(this.#backstop);
    this.#backstop = undefined;
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#ready = false;
  }

  /**
   * Ends the Worker once it has been idle for `idleMs`, re-armed like the
   * backstop so that a busy runner does not set a timer per call.
   */
  #armIdle(): void {
    if (!this.#worker || this.#idleTimer !== undefined || this.#idleMs === Infinity) return;
    const wait = (ms: number) => {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = undefined;
        if (this.#sent.length > 0 || this.#queue.length > 0 || !this.#worker) return;
        const left = this.#lastProgress + this.#idleMs - performance.now();
        if (left > 0) wait(left);
        else this.#kill();
      }, ms);
    };
    wait(this.#idleMs);
  }
}

function checkOption(name: string, value: unknown, ok: boolean, what: string): void {
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
