/**
 * `streaming.sync`: lists the pages of a source, and for each changed page
 * reads, parses and saves it in its own transaction together with its
 * checkpoint row, on a bounded worker pool. A failure loses nothing; a
 * restart (after SIGINT, SIGTERM or kill -9) skips what was committed. Its
 * counts go to the run record (`ctx.counters`); the source's checkpoint
 * names its last run.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { compileGlob, refineGlob } from "../../lib/glob.ts";
import { sha256Hex } from "../../lib/hash.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { pool } from "../../lib/async/pool.ts";
import { retry, RetryableError, RetryError } from "../../lib/async/retry.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { PageRef } from "./model.ts";
import type { Options } from "./options.ts";
import { PageParseError, parsePage } from "./parser.ts";
import { openSource, sourceNeeds, type SourceSpec, sourceSpec } from "./sources/mod.ts";
import { dbNeeds, dbPath, lastSync, markSync, openOntologyDatabase } from "./database.ts";
import { LatencyHistogram } from "./latency.ts";

const input = z.object({
  source: sourceSpec,
  db: z.string().optional().describe("SQLite database (default <home>/streaming/ontology.db)"),
  workers: z.number().int().min(1).max(32).default(4).describe("pages processed at once"),
  // Checked with the input, before any work: a malformed glob would match nothing.
  only: z.string().superRefine(refineGlob).optional().describe(
    "resync only the pages whose path matches this glob",
  ),
  full: z.boolean().default(false).describe("process every page, even unchanged ones"),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000).describe(
    "per-page time limit",
  ),
  attempts: z.number().int().min(1).max(10).default(3).describe(
    "tries per page for retryable errors",
  ),
});

const output = z.object({
  source: z.string(),
  db: z.string(),
  listed: z.number().int(),
  saved: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  deleted: z.number().int(),
  resumed: z.boolean(),
  duration_ms: z.number(),
  pages_per_s: z.number(),
  peak_rss_mb: z.number(),
  first_commit_ms: z.number().nullable(),
  commit_ms: z.object({ p50: z.number().nullable(), p99: z.number().nullable() }),
});

/**
 * Fills in where a source keeps its caches: under the home directory, so a
 * run's permissions stay within it.
 *
 * @param spec The source as given.
 * @param home The kernel's home.
 * @returns The source with its cache directory set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCaches } from "./sync.ts";
 * const spec = withCaches({ kind: "git", repo: "https://example.com/g.git" }, "/h");
 * assert.deepEqual(spec, { kind: "git", repo: "https://example.com/g.git", cacheDir: "/h/cache/git" });
 * ```
 */
export function withCaches(spec: SourceSpec, home: string): SourceSpec {
  if (spec.kind === "dir" || spec.cacheDir) return spec;
  return { ...spec, cacheDir: join(home, "cache", spec.kind) };
}

async function readWithTimeout(
  read: (ref: PageRef, signal: AbortSignal) => Promise<string>,
  ref: PageRef,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  try {
    return await read(ref, both);
  } catch (err) {
    if (timeout.aborted && !signal.aborted) {
      throw new RetryableError(
        `Cannot read page "${ref.path}" as it took longer than ${timeoutMs} ms`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Creates the sync task.
 *
 * @param _options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { syncTask } from "./sync.ts";
 * assert.equal(syncTask({ database: "streaming/ontology.db" }).id, "streaming.sync");
 * ```
 */
export function syncTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "streaming.sync",
    summary: "Syncs ontology pages from a source into SQLite, page by page, resumable",
    input,
    output,
    permissions: (i, config) => {
      const db = dbPath(i.db, config.home, options);
      return mergeNeeds(dbNeeds(db), sourceNeeds(withCaches(i.source, config.home)));
    },
    async run(ctx, i) {
      const started = performance.now();
      const db = dbPath(i.db, ctx.config.home, options);
      const { store, checkpoints } = await openOntologyDatabase(ctx, db);
      const source = await openSource(withCaches(i.source, ctx.config.home), {
        signal: ctx.signal,
      });
      const matches = i.only ? compileGlob(i.only) : () => true;
      const latency = new LatencyHistogram();
      let firstCommit: number | null = null;
      let peakRss = Deno.memoryUsage().rss;
      const counts = { listed: 0, saved: 0, unchanged: 0, skipped: 0, failed: 0, deleted: 0 };
      let marked: number | undefined; // the source whose sync mark says "not done"
      try {
        const sourceId = store.source(source.kind, source.location);
        // The source's last sync did not finish (interrupted or killed): this run resumes it.
        const previous = lastSync(checkpoints, sourceId);
        const resumed = previous !== undefined && !previous.done;
        if (resumed) {
          ctx.log.info("resuming an interrupted sync: committed pages are kept", {
            previous_run: previous.run_id,
          });
        }
        markSync(checkpoints, sourceId, { run_id: ctx.runId, done: false });
        marked = sourceId;
        const states = store.pageStates(sourceId);

        const listed = new Set<string>();
        const todo: PageRef[] = [];
        for await (const ref of source.list(ctx.signal)) {
          if (!matches(ref.path)) continue;
          listed.add(ref.path);
          const state = states.get(ref.path);
          if (!i.full && state && state.version === ref.version && state.outcome !== "failed") {
            counts.unchanged++;
          } else todo.push(ref);
        }
        counts.listed = listed.size;
        const progress = ctx.progress(`sync ${source.location}`, listed.size);
        progress.set(counts.unchanged);

        // One page, start to commit. Retried as a whole: a network error or a
        // timeout while reading and a busy database while saving are transient;
        // a parse error is permanent and is recorded at once.
        const syncPage = async (ref: PageRef, signal: AbortSignal) => {
          const text = await readWithTimeout(
            (r, s) => source.read(r, s),
            ref,
            i.timeoutMs,
            signal,
          );
          const sha = sha256Hex(text);
          const state = states.get(ref.path);
          if (!i.full && state && state.contentSha === sha && state.outcome !== "failed") {
            store.markUnchanged(sourceId, ref, ctx.runId);
            return "unchanged" as const;
          }
          let parsed;
          try {
            parsed = parsePage(text);
          } catch (err) {
            if (err instanceof PageParseError) {
              store.markFailed(sourceId, ref, sha, err.reason, err.line, ctx.runId);
            }
            throw err;
          }
          if (parsed.kind === "ontology") {
            store.savePage(sourceId, ref, sha, parsed.page, ctx.runId);
            return "saved" as const;
          }
          store.markSkipped(sourceId, ref, sha, parsed.reason, ctx.runId);
          return "skipped" as const;
        };

        const work = pool(todo, async (ref, _index, signal) => {
          const begun = performance.now();
          const outcome = await retry(() => syncPage(ref, signal), {
            maxAttempts: i.attempts,
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
          const now = performance.now();
          latency.add(now - begun);
          firstCommit ??= now - started;
          return outcome;
        }, { concurrency: i.workers, signal: ctx.signal });

        for await (const result of work) {
          if (result.status === "fulfilled") counts[result.value]++;
          else if (result.status === "rejected") {
            const err = result.reason as Error;
            const reason = err instanceof RetryError ? (err.cause as Error).message : err.message;
            // An abort is not the page's failure: the next run takes it up.
            if (ctx.signal.aborted && !(err instanceof PageParseError)) continue;
            counts.failed++;
            if (!(err instanceof PageParseError)) {
              store.markFailed(sourceId, result.item, null, reason, null, ctx.runId);
            }
            ctx.failures.add(result.item.path, reason, err instanceof RetryError);
          }
          progress.tick();
          const processed = counts.saved + counts.skipped + counts.failed;
          progress.gauge("busy", work.stats.busy);
          progress.gauge("queued", todo.length - work.stats.started - work.stats.skipped);
          progress.gauge(
            "error_rate",
            `${(100 * counts.failed / Math.max(1, processed)).toFixed(1)}%`,
          );
          peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
        }
        progress.done();

        // Deletions need the whole listing; an interrupted run leaves them to the next.
        if (!ctx.signal.aborted) {
          const gone = [...states.keys()].filter((p) => !listed.has(p) && matches(p));
          counts.deleted = store.deletePages(sourceId, gone);
        }
        const duration = performance.now() - started;
        const processed = counts.saved + counts.skipped + counts.failed;
        return {
          source: source.location,
          db,
          ...counts,
          resumed,
          duration_ms: Math.round(duration),
          pages_per_s: Math.round((processed / (duration / 1000)) * 10) / 10,
          peak_rss_mb: Math.round(peakRss / 1e5) / 10,
          first_commit_ms: firstCommit === null ? null : Math.round(firstCommit),
          commit_ms: { p50: latency.quantile(0.5), p99: latency.quantile(0.99) },
        };
      } finally {
        // The run record carries the counts, whatever the outcome.
        for (const [k, v] of Object.entries(counts)) ctx.counters.set(k, v);
        if (marked !== undefined && !ctx.signal.aborted) {
          markSync(checkpoints, marked, { run_id: ctx.runId, done: true });
        }
        await source.close();
      }
    },
  });
}
