/**
 * The page engine of `streaming.sync`: pages are read, hashed and parsed,
 * and written, as each one finishes, through a {@linkcode GroupCommit}: up
 * to 32 pages or 50 ms per transaction, a savepoint per page. Writing is
 * synchronous and happens on one thread, between reads, so the group never
 * sees two writers.
 *
 * Pages the source can read at once (`readNow`: small local files) are
 * read, parsed and written in one plain loop; the others (remote pages,
 * large files, any page whose quick read fails) go to a bounded worker pool
 * whose reads overlap, each retried and under a deadline.
 *
 * Per page, nothing but the work: no promise for a local page, no timer
 * per read (one watcher for all, {@linkcode ReadDeadlines}), no memory
 * sampling (the peak comes from the operating system at the end), progress
 * gauges every 64 pages.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { sha256Hex } from "../../lib/hash.ts";
import { pool } from "../../lib/async/pool.ts";
import { PermanentError, retry, RetryError } from "../../lib/async/retry.ts";
import type { TaskContext } from "../../kernel/context.ts";
import type { PageRef, PageSource, ParseResult } from "./model.ts";
import { PageParseError, parsePage } from "./parser.ts";
import type { OntologyStore, PageState } from "./store.ts";
import { GroupCommit } from "./group_commit.ts";
import { ReadDeadlines } from "./read_deadline.ts";
import { checkPageText } from "./page_bytes.ts";

/** Counts of one sync, as its output and run record give them. */
export interface SyncCounts {
  listed: number;
  read: number;
  saved: number;
  unchanged: number;
  skipped: number;
  warned: number;
  failed: number;
  deleted: number;
}

/** A page that looked like ontology but yielded none. */
export interface PageWarning {
  /** The page. */
  path: string;
  /** The line that looked like ontology. */
  line: number;
  /** Why it is suspicious. */
  reason: string;
}

/** What {@linkcode syncPages} needs. */
export interface PageJob {
  store: OntologyStore;
  source: PageSource;
  sourceId: number;
  states: ReadonlyMap<string, PageState>;
  todo: readonly PageRef[];
  full: boolean;
  workers: number;
  timeoutMs: number;
  attempts: number;
  /** Pages larger than this many bytes fail. */
  maxPageBytes: number;
  /** The most warnings listed in the output (all are counted and stored). */
  maxWarnings: number;
}

/** What {@linkcode syncPages} measured. */
export interface PageRun {
  warnings: PageWarning[];
  commitMs: number[];
  checkpointMs: number[];
  commits: number;
  firstCommitMs: number | null;
}

type Done =
  | { kind: "unchanged" }
  | { kind: "parsed"; sha: string; result: ParseResult }
  | { kind: "malformed"; sha: string; error: PageParseError };

/** Errors whose page line is known (parse errors, NUL bytes). */
function lineOf(err: unknown): number | null {
  const line = (err as { line?: unknown })?.line;
  return typeof line === "number" ? line : null;
}

/**
 * Reads, parses and saves the pages of `job.todo`, updating `counts`.
 *
 * @param ctx The task's context (signal, log, failures, progress, counters).
 * @param job The pages and settings.
 * @param counts Updated as pages finish (so an interrupted run still reports).
 * @returns Warnings and measures.
 */
export async function syncPages(
  ctx: TaskContext,
  job: PageJob,
  counts: SyncCounts,
): Promise<PageRun> {
  const started = performance.now();
  const { store, source, sourceId, states, runId } = { ...job, runId: ctx.runId };
  const group = new GroupCommit(store.db);
  const deadlines = new ReadDeadlines(job.timeoutMs, ctx.signal);
  const out: PageRun = {
    warnings: [],
    commitMs: [],
    checkpointMs: [],
    commits: 0,
    firstCommitMs: null,
  };
  const progress = ctx.progress(`sync ${source.location}`, counts.listed);
  progress.set(counts.unchanged);

  // Hash and parse a page's text; a parse error is the page's, final.
  const digest = (ref: PageRef, text: string): Done => {
    counts.read++;
    checkPageText(text, job.maxPageBytes);
    const sha = sha256Hex(text);
    const state = states.get(ref.path);
    if (!job.full && state && state.contentSha === sha && state.outcome !== "failed") {
      return { kind: "unchanged" };
    }
    try {
      return { kind: "parsed", sha, result: parsePage(text) };
    } catch (err) {
      if (err instanceof PageParseError) return { kind: "malformed", sha, error: err };
      throw err;
    }
  };

  // Read on the pool: retried as a read (network, timeout), with a deadline.
  const work = async (ref: PageRef, _index: number, signal: AbortSignal): Promise<Done> => {
    if (ref.problem !== undefined) throw new PermanentError(ref.problem);
    const text = await retry(() => deadlines.read(ref.path, (s) => source.read(ref, s)), {
      maxAttempts: job.attempts,
      signal,
      onRetry: ({ attempt, delayMs, error }) => {
        ctx.counters.add("retries");
        ctx.log.warn(`retrying "${ref.path}"`, {
          attempt,
          delay_ms: Math.round(delayMs),
          error: (error as Error).message,
        });
      },
    });
    return digest(ref, text);
  };

  const fail = (ref: PageRef, sha: string | null, err: Error) => {
    const reason = err instanceof RetryError ? (err.cause as Error).message : err.message;
    group.page(() => store.markFailed(sourceId, ref, sha, reason, lineOf(err), runId));
    counts.failed++;
    ctx.failures.add(ref.path, reason, err instanceof RetryError);
  };

  // A page with no row has no earlier ontology to delete (the lookup is saved).
  const fresh = (ref: PageRef) => !states.has(ref.path);
  const write = (ref: PageRef, done: Done) => {
    if (done.kind === "unchanged") {
      group.page(() => store.markUnchanged(sourceId, ref, runId));
      counts.unchanged++;
    } else if (done.kind === "malformed") fail(ref, done.sha, done.error);
    else if (done.result.kind === "ontology") {
      const page = done.result.page;
      group.page(() => store.savePage(sourceId, ref, done.sha, page, runId, fresh(ref)));
      counts.saved++;
    } else {
      const { reason, warning } = done.result;
      group.page(() =>
        store.markSkipped(sourceId, ref, done.sha, reason, runId, warning, fresh(ref))
      );
      counts.skipped++;
      if (warning) {
        counts.warned++;
        if (out.warnings.length < job.maxWarnings) {
          out.warnings.push({ path: ref.path, ...warning });
        }
      }
    }
  };

  // Writes a page's outcome; says when it is time to let the event loop in.
  let n = 0;
  const settle = (ref: PageRef, outcome: () => Done): boolean => {
    try {
      write(ref, outcome());
    } catch (err) {
      fail(ref, null, err as Error); // Its savepoint, if it had one, was rolled back.
    }
    out.firstCommitMs ??= group.stats.commits > 0 ? performance.now() - started : null;
    progress.tick();
    return ++n % 64 === 0;
  };
  // Local reads complete at once, so the loop could run without ever
  // waiting. Every 64 pages it lets timers in (setImmediate) and updates the
  // gauges; every 100 ms it gives the event loop a full turn, in which
  // signals (SIGINT) are delivered, by a timer: setImmediate alone does not
  // reach them, and a timer idles a millisecond or more (1-3% of a sync).
  let results: ReturnType<typeof pool<PageRef, Done>> | undefined;
  let turned = performance.now();
  const breathe = async () => {
    if (performance.now() - turned < 100) await new Promise((r) => setImmediate(r));
    else {
      await new Promise((r) => setTimeout(r, 0));
      turned = performance.now();
    }
    const busy = results?.stats.busy ?? 1;
    progress.gauge("busy", busy);
    progress.gauge("queued", job.todo.length - n - busy);
    progress.gauge("failed", counts.failed);
  };

  // Pages a source reads at once (small local files) go first, in order, on
  // this thread: the pool's promises, retries and deadlines would cost more
  // than the read. Any other page, or one that cannot be read so, goes to
  // the pool, which reads it with retries and a deadline, and reports why
  // it fails, if it does.
  const later: PageRef[] = [];
  try {
    for (const ref of job.todo) {
      if (ctx.signal.aborted) break;
      const text = ref.problem === undefined ? source.readNow?.(ref) : undefined;
      if (text === undefined) later.push(ref);
      else if (settle(ref, () => digest(ref, text))) await breathe();
    }
    results = pool(later, work, { concurrency: job.workers, signal: ctx.signal });
    for await (const r of results) {
      // An abort is not the page's failure: the next run takes it up.
      if (r.status === "skipped" || (r.status === "rejected" && ctx.signal.aborted)) continue;
      const outcome = r.status === "fulfilled" ? () => r.value : () => {
        throw r.reason;
      };
      if (settle(r.item, outcome)) await breathe();
    }
  } finally {
    deadlines.close();
    group.close();
    progress.done();
  }
  out.firstCommitMs ??= group.stats.commits > 0 ? performance.now() - started : null;
  out.commitMs = group.stats.commitMs;
  out.checkpointMs = group.stats.checkpointMs;
  out.commits = group.stats.commits;
  return out;
}
