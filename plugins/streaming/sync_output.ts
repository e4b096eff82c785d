/**
 * The output of `streaming.sync`: its counts, warnings and measures, and
 * how a finished run's figures become it.
 *
 * @module
 */
import process from "node:process";
import { z } from "zod";
import { LatencyHistogram } from "./latency.ts";
import type { PageRun, SyncCounts } from "./sync_pages.ts";

const warning = z.object({ path: z.string(), line: z.number().int(), reason: z.string() });

/** The output schema. */
export const output = z.object({
  source: z.string(),
  db: z.string(),
  listed: z.number().int(),
  read: z.number().int(),
  saved: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
  warned: z.number().int(),
  failed: z.number().int(),
  deleted: z.number().int(),
  resumed: z.boolean(),
  warnings: z.array(warning),
  duration_ms: z.number(),
  cpu_ms: z.number(),
  pages_per_s: z.number(),
  peak_rss_mb: z.number(),
  first_commit_ms: z.number().nullable(),
  commits: z.number().int(),
  commit_ms: z.object({
    p50: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
  }),
  checkpoint_ms: z.object({ count: z.number().int(), max: z.number().nullable() }),
});

/**
 * The output of a run from its counts and measures.
 *
 * @param run Where the pages came from and went, whether it resumed, when it started.
 * @param counts The counts.
 * @param pages What the page engine measured.
 * @returns The output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { summarize } from "./sync_output.ts";
 * const counts = { listed: 1, read: 1, saved: 1, unchanged: 0, skipped: 0, warned: 0, failed: 0, deleted: 0 };
 * const out = summarize(
 *   { source: "dir:/p", db: "/h/o.db", resumed: false, started: performance.now(), cpu: process.cpuUsage() },
 *   counts,
 *   { warnings: [], commitMs: [1.5], checkpointMs: [], commits: 1, firstCommitMs: 3 },
 * );
 * assert.deepEqual(out.commit_ms, { p50: 1.5, p99: 1.5, max: 1.5 });
 * ```
 */
export function summarize(
  run: {
    source: string;
    db: string;
    resumed: boolean;
    started: number;
    cpu: ReturnType<typeof process.cpuUsage>;
  },
  counts: SyncCounts,
  pages: PageRun,
): z.output<typeof output> {
  const duration = performance.now() - run.started;
  const processed = counts.saved + counts.skipped + counts.failed;
  const commits = new LatencyHistogram(pages.commitMs);
  const used = process.cpuUsage(run.cpu);
  return {
    source: run.source,
    db: run.db,
    ...counts,
    resumed: run.resumed,
    warnings: pages.warnings,
    duration_ms: Math.round(duration),
    cpu_ms: Math.round((used.user + used.system) / 1000),
    pages_per_s: Math.round((processed / (duration / 1000)) * 10) / 10,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    first_commit_ms: pages.firstCommitMs === null ? null : Math.round(pages.firstCommitMs),
    commits: pages.commits,
    commit_ms: {
      p50: commits.quantile(0.5),
      p99: commits.quantile(0.99),
      max: commits.quantile(1),
    },
    checkpoint_ms: {
      count: pages.checkpointMs.length,
      max: new LatencyHistogram(pages.checkpointMs).quantile(1),
    },
  };
}
