/**
 * `streaming.sync`: lists the pages of a source, and for each changed page
 * reads, parses and saves it together with its checkpoint row, on a
 * bounded worker pool, with group commit (`sync_pages.ts`). A failure loses
 * nothing; a restart (after SIGINT, SIGTERM or kill -9) skips what was
 * committed. Its counts go to the run record (`ctx.counters`), its
 * warnings to its output (kept in the run record); the source's
 * checkpoint names its last run.
 *
 * Guards, before any page is written: one writer per database
 * (`writer_lock.ts`, `--wait`), and no mass deletion (`--max-delete`,
 * `--allow-mass-delete`): an unmounted or emptied source must not wipe the
 * database.
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { z } from "zod";
import { refineGlob } from "../../lib/glob.ts";
import type { CheckpointStore } from "../../lib/sqlite/checkpoints.ts";
import type { TaskContext } from "../../kernel/context.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { PageSource } from "./model.ts";
import type { Options } from "./options.ts";
import { openSource, sourceNeeds, type SourceSpec, sourceSpec } from "./sources/mod.ts";
import { dbNeeds, dbPath, lastSync, markSync, openOntologyDatabase } from "./database.ts";
import { output, summarize } from "./sync_output.ts";
import { guardDeletes, plan } from "./sync_plan.ts";
import { DEFAULT_MAX_PAGE_BYTES } from "./page_bytes.ts";
import { type SyncCounts, syncPages } from "./sync_pages.ts";
import { takeWriterLock } from "./writer_lock.ts";

const input = z.object({
  source: sourceSpec,
  db: z.string().optional().describe("SQLite database (default <home>/streaming/ontology.db)"),
  workers: z.number().int().min(1).max(32).default(4).describe("pages processed at once"),
  // Checked with the input, before any work: a malformed glob would match nothing.
  only: z.string().superRefine(refineGlob).optional().describe(
    "resync only the pages whose path matches this glob",
  ),
  full: z.boolean().default(false).describe("process every page, even unchanged ones"),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000).describe(
    "per-page read time limit",
  ),
  attempts: z.number().int().min(1).max(10).default(3).describe(
    "tries per page for retryable errors",
  ),
  maxPageBytes: z.number().int().min(1).default(DEFAULT_MAX_PAGE_BYTES).describe(
    "pages larger than this many bytes fail (default 16 MiB)",
  ),
  maxDelete: z.number().min(0).max(100).default(50).describe(
    "stop (exit 2) before deleting more than this percentage of a source's pages",
  ),
  allowMassDelete: z.boolean().default(false).describe(
    "delete however many pages left the source",
  ),
  wait: z.boolean().default(false).describe(
    "wait for another sync of the same database to end, instead of exit 2",
  ),
  waitTimeoutMs: z.number().int().min(0).default(600_000).describe(
    "how long --wait waits",
  ),
});

/** Warnings listed in the output; all are counted (`warned`) and kept in the database. */
const MAX_WARNINGS = 100;
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
      const started = performance.now(), cpu = process.cpuUsage();
      const db = dbPath(i.db, ctx.config.home, options);
      // Before anything is read: a second writer neither redoes the work nor resumes it.
      const lock = await takeWriterLock(db, ctx.runId, {
        waitMs: i.wait ? i.waitTimeoutMs : 0,
        signal: ctx.signal,
      });
      const counts: SyncCounts = {
        listed: 0,
        read: 0,
        saved: 0,
        unchanged: 0,
        skipped: 0,
        warned: 0,
        failed: 0,
        deleted: 0,
      };
      let source: PageSource | undefined;
      let finish: (() => void) | undefined; // marks the source's sync done
      try {
        const { store, checkpoints } = await openOntologyDatabase(ctx, db);
        source = await openSource(withCaches(i.source, ctx.config.home), {
          signal: ctx.signal,
          maxPageBytes: i.maxPageBytes,
        });
        const sourceId = store.source(source.kind, source.location);
        const states = store.pageStates(sourceId);
        // A first sync or --full reads every page: one archive where the source has one.
        if (states.size === 0 || i.full) source.preferArchive?.();
        const work = await plan(source, states, i, ctx.signal);
        guardDeletes(work.gone.length, work.stored, i, source.location);
        const begun = beginSync(ctx, checkpoints, sourceId);
        finish = begun.finish;
        counts.listed = work.listed.size;
        counts.unchanged = work.unchanged;
        const pages = await syncPages(ctx, {
          ...i,
          store,
          source,
          sourceId,
          states,
          todo: work.todo,
          maxWarnings: MAX_WARNINGS,
        }, counts);
        // Deletions need the whole listing; an interrupted run leaves them to the next.
        if (!ctx.signal.aborted) counts.deleted = store.deletePages(sourceId, work.gone);
        const run = { source: source.location, db, resumed: begun.resumed, started, cpu };
        return summarize(run, counts, pages);
      } finally {
        // The run record carries the counts, whatever the outcome.
        for (const [k, v] of Object.entries(counts)) ctx.counters.set(k, v);
        if (finish && !ctx.signal.aborted) finish();
        await source?.close();
        lock.release();
      }
    },
  });
}

/**
 * Marks the source's sync as started; says whether it resumes one that did
 * not finish (interrupted or killed), and gives the function that marks it
 * done.
 */
function beginSync(
  ctx: TaskContext,
  checkpoints: CheckpointStore,
  sourceId: number,
): { resumed: boolean; finish: () => void } {
  const previous = lastSync(checkpoints, sourceId);
  const resumed = previous !== undefined && !previous.done;
  if (resumed) {
    ctx.log.info("resuming an interrupted sync: committed pages are kept", {
      previous_run: previous.run_id,
    });
  }
  markSync(checkpoints, sourceId, { run_id: ctx.runId, done: false });
  return {
    resumed,
    finish: () => markSync(checkpoints, sourceId, { run_id: ctx.runId, done: true }),
  };
}
