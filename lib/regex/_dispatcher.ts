/**
 * The caller's side of the regex Worker (private to kernel/): the queue of
 * calls, the Worker that answers them one at a time, the backstop that ends
 * a Worker silent past a call's budget, the idle timer that ends an unused
 * one, and the error a call past its budget rejects with.
 *
 * @module
 */
import { ExitCode, WeirError } from "../errors.ts";
import type { PackedOutcomes, RegexMatch, RegexRunnerStats, WireOutcome } from "./types.ts";
import { entryUrl, regexWorkerOptions, type Reply, type Request } from "./_worker.ts";

/**
 * A match ran past its time budget and was stopped. The runner stays usable:
 * the next call is answered as usual.
 *
 * @example Read what ran too long
 * ```ts
 * import { BudgetExceededError } from "./budget.ts";
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

/** What the Worker answers a call with. */
type Value = boolean | RegexMatch[] | WireOutcome[] | PackedOutcomes;

/**
 * How long the Worker may take on a call: its budget, or for a batch each
 * pattern's budget and a half (a slice's timeout, then the pattern alone).
 */
function allowanceMs(request: Request): number {
  const patterns = request.op === "batch" ? request.patterns?.length ?? 0 : 0;
  return request.budgetMs * (patterns > 0 ? patterns * 1.5 + 1 : 1);
}

/** A call waiting for, or being answered by, the Worker. */
interface Job {
  request: Request;
  resolve: (value: Value) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** How long past its budget a call waits for a Worker that does not answer. */
const GRACE_MS = 1000;

/** How many calls are handed to the Worker ahead of their answers. */
const PIPELINE = 32;

/** Options of {@linkcode RegexDispatcher}, already checked by the runner. */
export interface RegexDispatcherOptions {
  /** How long one call's match may run, in milliseconds. */
  budgetMs: number;
  /** How many compiled patterns the Worker keeps. */
  cacheSize: number;
  /** How long an idle Worker is kept, in milliseconds (`Infinity`: until closed). */
  idleMs: number;
}

/**
 * Hands calls to one long-lived Worker and settles each with its answer,
 * in order. Checks nothing about a call: the runner does that first.
 */
export class RegexDispatcher {
  readonly #budgetMs: number;
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
   * Creates a dispatcher. No Worker starts until the first call.
   *
   * @param options The budget, the cache size and the idle time.
   */
  constructor(options: RegexDispatcherOptions) {
    this.#budgetMs = options.budgetMs;
    this.#cacheSize = options.cacheSize;
    this.#idleMs = options.idleMs;
  }

  /**
   * Whether {@linkcode RegexDispatcher.close} was called.
   *
   * @returns True once closed.
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A snapshot of the live counters.
   *
   * @returns The counters, with the calls waiting now.
   */
  get stats(): RegexRunnerStats {
    return { ...this.#stats, queued: this.#queue.length + this.#sent.length };
  }

  /**
   * Queues a call for the Worker, under the dispatcher's budget.
   *
   * @param call What to run: the operation, the pattern, its text and limit.
   * @param signal Cancels the call: a queued call is dropped, a running one
   * ends its Worker.
   * @returns The Worker's answer.
   * @throws {BudgetExceededError} When the match runs past the budget.
   * @throws {unknown} The pattern's own error, a failed Worker's error, an
   * `AbortError` when the dispatcher is closed, or the signal's reason.
   */
  submit(
    call: Omit<Request, "id" | "budgetMs">,
    signal: AbortSignal | undefined,
  ): Promise<Value> {
    const { promise, resolve, reject } = Promise.withResolvers<Value>();
    const request: Request = { id: this.#nextId++, ...call, budgetMs: this.#budgetMs };
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
   * Ends the Worker and rejects the calls still queued or running with an
   * `AbortError`. Closing twice is fine.
   */
  close(): void {
    if (this.#closed) return;
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
      if (reply.type === "result" && job.request.op === "batch") {
        if (job.request.pack) {
          for (const n of (reply.value as PackedOutcomes).counts) {
            if (n === -1) this.#stats.exceeded++;
          }
        } else {
          for (const o of reply.value as WireOutcome[]) if ("exceeded" in o) this.#stats.exceeded++;
        }
      }
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
        const left = this.#lastProgress + allowanceMs(job.request) + GRACE_MS - performance.now();
        if (left > 0) return wait(left);
        this.#stats.exceeded++;
        this.#restart(job);
        const err = new BudgetExceededError(job.request.source, job.request.budgetMs);
        this.#settle(job, () => job.reject(err));
        this.#pump();
      }, ms);
    };
    wait(allowanceMs(this.#sent[0].request) + GRACE_MS);
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
   * doc of regex_budget.ts); its answer is ignored.
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
