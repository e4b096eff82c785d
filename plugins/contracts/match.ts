/**
 * `contracts.match`: runs each plan entry's patterns over its chunk's text
 * in budgeted Workers and stores the matches in SQLite per document,
 * resumable per question (a question's matches and its done row commit
 * together). A pattern past its budget is stopped, listed as a failed item
 * (exit 3) and skipped; it cannot hang the run.
 *
 * @module
 */
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { dirname, resolve } from "../../lib/path.ts";
import { messageOf } from "../../lib/errors.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { PlanMatcher } from "./matcher.ts";
import { doneQuestions, resetIfChanged, saveQuestion } from "./match_store.ts";
import type { Options } from "./options.ts";
import { joinTableEnv, sourceFields, sourceNeeds } from "./params.ts";
import { filterFields } from "./plan.ts";
import { buildPlan } from "./plan_build.ts";
import { prepare } from "./prepare.ts";
import { reportPrepared } from "./report.ts";
import { MIGRATIONS } from "./schema.ts";

/** The matcher's settings, shared with `contracts.compare`. */
export const matcherFields = {
  workers: z.number().int().min(1).max(64).optional().describe(
    "regex Workers run at once (default: the core count)",
  ),
  budgetMs: z.number().int().min(1).max(60_000).default(50).describe(
    "each pattern's time budget on one chunk, in milliseconds",
  ),
  limit: z.number().int().min(1).max(10_000).default(100).describe(
    "the most matches kept per pattern and chunk",
  ),
};

const input = z.object({
  ...sourceFields,
  ...filterFields,
  ...matcherFields,
  db: z.string().min(1).optional().describe(
    "SQLite database (default <home>/contracts/matches.db)",
  ),
  full: z.boolean().default(false).describe("match every question again, even those done"),
});

const output = z.object({
  document_id: z.string(),
  pattern_mode: z.enum(["contract", "generic"]),
  db: z.string(),
  questions: z.number().int(),
  matched: z.number().int(),
  resumed: z.number().int(),
  matches: z.number().int(),
  skipped_patterns: z.number().int(),
  workers: z.number().int(),
});

/**
 * Creates the `contracts.match` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { matchTask } from "./match.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(matchTask(defaults).id, "contracts.match");
 * ```
 */
export function matchTask(options: Options): Task<typeof input, typeof output> {
  const dbPath = (home: string, db?: string) => resolve(home, db ?? options.database);
  return defineTask({
    id: "contracts.match",
    summary: "Matches each question's patterns on its chunk into SQLite, resumable per question",
    input,
    output,
    permissions: (i, config) => {
      const dir = dirname(dbPath(config.home, i.db));
      return mergeNeeds(sourceNeeds(i), { read: [dir], write: [dir] });
    },
    async run(ctx, i) {
      const prepared = await prepare(i, { env: joinTableEnv(), concurrency: options.concurrency });
      reportPrepared(ctx, prepared);
      if (prepared.failure) throw prepared.failure;
      const plan = buildPlan(prepared, { categories: i.category, minConfidence: i.minConfidence });
      const doc = prepared.document!;
      const path = dbPath(ctx.config.home, i.db);
      const { db } = await ctx.database({ path, migrations: MIGRATIONS });
      const root = `${prepared.merkleRoot}:${
        JSON.stringify([i.category, i.minConfidence, i.limit])
      }`;
      if (i.full) resetIfChanged(db, doc.document_id, "");
      resetIfChanged(db, doc.document_id, root);
      const done = doneQuestions(db, doc.document_id, plan.mode);
      const todo = plan.entries.filter((e) => !done.has(e.question_id));
      const texts = new Map(doc.chunks.map((c) => [c.chunk_id, c.text]));
      const progress = ctx.progress(`match ${doc.document_id}`, todo.length);
      await using matcher = new PlanMatcher(i);
      for await (const r of matcher.run(todo, (e) => texts.get(e.chunk_id)!, ctx.signal)) {
        if (r.result) {
          saveQuestion(db, doc.document_id, plan.mode, r.result, ctx.runId);
          ctx.counters.add("questions_matched");
          ctx.counters.add("matches", r.result.matches.length);
          for (const s of r.result.skipped) {
            ctx.counters.add("skipped_patterns");
            ctx.failures.add(`${r.entry.question_id}/${s.pattern_id}`, s.reason);
          }
        } else ctx.failures.add(r.entry.question_id, messageOf(r.error));
        progress.tick();
      }
      progress.done();
      return {
        document_id: doc.document_id,
        pattern_mode: plan.mode,
        db: path,
        questions: plan.entries.length,
        matched: ctx.counters.get("questions_matched"),
        resumed: done.size,
        matches: ctx.counters.get("matches"),
        skipped_patterns: ctx.counters.get("skipped_patterns"),
        workers: matcher.workers,
      };
    },
  });
}
