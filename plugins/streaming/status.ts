/**
 * `streaming.status`: per source, the last sync run, page counts by outcome,
 * and the failed pages with their reasons.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { OntologyStore } from "./store.ts";
import { dbNeeds, dbPath } from "./sync.ts";

const input = z.object({
  db: z.string().optional().describe("SQLite database (default <home>/streaming/ontology.db)"),
  limit: z.number().int().min(0).max(10_000).default(50).describe("failures listed per source"),
});

const run = z.object({
  run_id: z.string(),
  status: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
});

const output = z.object({
  db: z.string(),
  sources: z.array(z.object({
    kind: z.string(),
    location: z.string(),
    last_run: run.nullable(),
    pages: z.record(z.string(), z.number()),
    ontologies: z.number(),
    failures: z.array(z.object({
      path: z.string(),
      reason: z.string().nullable(),
      line: z.number().nullable(),
    })),
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
    run(ctx, i) {
      const db = dbPath(i.db, ctx.config.home, options);
      const store = OntologyStore.openExisting(db);
      try {
        const sources = store.db.prepare("SELECT id, kind, location FROM sources ORDER BY id")
          .all().map((s) => {
            const last = store.db.prepare(
              `SELECT run_id, status, started_at, ended_at, counts FROM sync_runs
               WHERE source_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`,
            ).get(s.id);
            const pages = Object.fromEntries(
              store.db.prepare(
                "SELECT outcome, count(*) AS n FROM pages WHERE source_id = ? GROUP BY outcome",
              ).all(s.id).map((r) => [String(r.outcome), Number(r.n)]),
            );
            const ontologies = Number(
              store.db.prepare("SELECT count(*) AS n FROM ontologies WHERE source_id = ?").get(
                s.id,
              )!.n,
            );
            const failures = store.db.prepare(
              `SELECT path, reason, line FROM pages WHERE source_id = ? AND outcome = 'failed'
               ORDER BY path LIMIT ?`,
            ).all(s.id, i.limit).map((f) => ({
              path: String(f.path),
              reason: f.reason === null ? null : String(f.reason),
              line: f.line === null ? null : Number(f.line),
            }));
            return {
              kind: String(s.kind),
              location: String(s.location),
              last_run: last
                ? {
                  run_id: String(last.run_id),
                  status: String(last.status),
                  started_at: String(last.started_at),
                  ended_at: last.ended_at === null ? null : String(last.ended_at),
                  counts: JSON.parse(String(last.counts)),
                }
                : null,
              pages,
              ontologies,
              failures,
            };
          });
        return Promise.resolve({ db, sources });
      } finally {
        store.close();
      }
    },
  });
}
