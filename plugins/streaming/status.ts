/**
 * `streaming.status`: per source, the last sync run (from the kernel's run
 * records, found through the source's checkpoint), page counts by outcome,
 * the failed pages with their reasons, and the warned pages (skipped pages
 * that looked like ontology) with theirs. `--pages skipped|failed|warned`
 * lists one kind of page with its reason, a page at a time (`--offset`,
 * `--limit`).
 *
 * @module
 */
import { z } from "zod";
import type { RunReader } from "../../kernel/context.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Logger } from "../../kernel/report/logger.ts";
import type { Options } from "./options.ts";
import { dbNeeds, dbPath, lastSync, openOntologyDatabase, type SourceSync } from "./database.ts";

const input = z.object({
  db: z.string().optional().describe("SQLite database (default <home>/streaming/ontology.db)"),
  limit: z.number().int().min(0).max(10_000).default(50).describe(
    "failures, warnings and --pages entries listed per source",
  ),
  pages: z.enum(["skipped", "failed", "warned"]).optional().describe(
    "list the pages of this kind with their reasons",
  ),
  offset: z.number().int().min(0).default(0).describe("entries of --pages to pass over"),
});

const entry = z.object({
  path: z.string(),
  reason: z.string().nullable(),
  line: z.number().nullable(),
});

/** The query of each `--pages` kind, in path order (served by the indexes in `schema.ts`). */
const LISTS = {
  failed: `SELECT path, reason, line FROM pages WHERE source_id = ? AND outcome = 'failed'`,
  skipped: `SELECT path, reason, line FROM pages WHERE source_id = ? AND outcome = 'skipped'`,
  warned: `SELECT path, warning AS reason, warning_line AS line FROM pages
    WHERE source_id = ? AND warning IS NOT NULL`,
};
const COUNTS = {
  failed: `SELECT count(*) AS n FROM pages WHERE source_id = ? AND outcome = 'failed'`,
  skipped: `SELECT count(*) AS n FROM pages WHERE source_id = ? AND outcome = 'skipped'`,
  warned: `SELECT count(*) AS n FROM pages WHERE source_id = ? AND warning IS NOT NULL`,
};

const run = z.object({
  run_id: z.string(),
  status: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
});

/**
 * The run a source's checkpoint names, as the run records tell it; `null`
 * before the first sync, or when the run is not in this home's records.
 */
function lastRun(
  runs: RunReader,
  sync: SourceSync | undefined,
  log: Logger,
): z.output<typeof run> | null {
  if (sync === undefined) return null;
  const record = runs.get(sync.run_id);
  if (record === undefined) {
    log.warn("the last sync is not in this home's run records", { run_id: sync.run_id });
    return null;
  }
  return {
    run_id: record.id,
    status: record.status,
    started_at: record.startedAt,
    ended_at: record.endedAt,
    counts: record.counters,
  };
}

const output = z.object({
  db: z.string(),
  sources: z.array(z.object({
    kind: z.string(),
    location: z.string(),
    last_run: run.nullable(),
    pages: z.record(z.string(), z.number()),
    ontologies: z.number(),
    failures: z.array(entry),
    warned: z.number(),
    warnings: z.array(entry),
    listing: z.object({
      kind: z.string(),
      total: z.number(),
      offset: z.number(),
      pages: z.array(entry),
    }).optional(),
  })),
});

/**
 * Creates the status task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusTask } from "./status.ts";
 * assert.equal(statusTask({ database: "s.db" }).id, "streaming.status");
 * ```
 */
export function statusTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "streaming.status",
    summary: "Shows the last sync of each source, page counts and failures with reasons",
    input,
    output,
    permissions: (i, config) => dbNeeds(dbPath(i.db, config.home, options)),
    async run(ctx, i) {
      const db = dbPath(i.db, ctx.config.home, options);
      const { store, checkpoints } = await openOntologyDatabase(ctx, db, { existing: true });
      const q = (sql: string) => store.db.prepare(sql);
      const sources = q("SELECT id, kind, location FROM sources ORDER BY id").all().map((s) => {
        const id = Number(s.id);
        const pages = Object.fromEntries(
          q("SELECT outcome, count(*) AS n FROM pages WHERE source_id = ? GROUP BY outcome")
            .all(id).map((r) => [String(r.outcome), Number(r.n)]),
        );
        const ontologies = q("SELECT count(*) AS n FROM ontologies WHERE source_id = ?").get(id);
        const list = (kind: keyof typeof LISTS, limit: number, offset: number) =>
          q(`${LISTS[kind]} ORDER BY path LIMIT ? OFFSET ?`).all(id, limit, offset).map((f) => ({
            path: String(f.path),
            reason: f.reason === null ? null : String(f.reason),
            line: f.line === null ? null : Number(f.line),
          }));
        const count = (kind: keyof typeof COUNTS) => Number(q(COUNTS[kind]).get(id)!.n);
        const listing = i.pages === undefined ? {} : {
          listing: {
            kind: i.pages,
            total: count(i.pages),
            offset: i.offset,
            pages: list(i.pages, i.limit, i.offset),
          },
        };
        return {
          kind: String(s.kind),
          location: String(s.location),
          last_run: lastRun(ctx.runs, lastSync(checkpoints, id), ctx.log),
          pages,
          ontologies: Number(ontologies!.n),
          failures: list("failed", i.limit, 0),
          warned: count("warned"),
          warnings: list("warned", i.limit, 0),
          ...listing,
        };
      });
      return { db, sources };
    },
  });
}
