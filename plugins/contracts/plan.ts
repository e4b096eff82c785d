/**
 * `contracts.plan`: the execution plan, one entry per binding with the
 * question, chunk, area, dimension and the patterns it will use and their
 * source (contract or generic), filtered by category and minimum
 * confidence weight; written under the home. Fails, like bind, before
 * anything when the inputs or the JOIN table do not hold.
 *
 * @module
 */
import { z } from "zod";
import { writeJsonFile } from "../../lib/json_file.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { dirname, resolve } from "../../lib/path.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { joinTableEnv, sourceFields, sourceNeeds } from "./params.ts";
import { buildPlan } from "./plan_build.ts";
import { prepare } from "./prepare.ts";
import { reportPrepared } from "./report.ts";

/** The plan's filters, shared with `contracts.match`. */
export const filterFields = {
  category: z.array(z.string().min(1)).default([]).describe(
    "keep only patterns of these categories (repeat the flag)",
  ),
  minConfidence: z.number().min(0).max(1).default(0).describe(
    "keep only patterns with at least this confidence weight",
  ),
};

const input = z.object({
  ...sourceFields,
  ...filterFields,
  out: z.string().min(1).optional().describe(
    "where the plan is written (default <home>/artifacts/plans/<document_id>.plan.json)",
  ),
});

const output = z.object({
  document_id: z.string(),
  pattern_mode: z.enum(["contract", "generic"]),
  fallback: z.boolean(),
  entries: z.number().int(),
  patterns: z.number().int(),
  compiled: z.number().int(),
  plan: z.string(),
});

/**
 * Creates the `contracts.plan` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { planTask } from "./plan.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(planTask(defaults).id, "contracts.plan");
 * ```
 */
export function planTask(options: Options): Task<typeof input, typeof output> {
  const planDir = (home: string, out?: string) =>
    out ? dirname(resolve(out)) : resolve(home, options.plans);
  return defineTask({
    id: "contracts.plan",
    summary: "Builds the execution plan: each bound question with its own patterns",
    input,
    output,
    permissions: (i, config) => {
      const dir = planDir(config.home, i.out);
      return mergeNeeds(sourceNeeds(i), { read: [dir], write: [dir] });
    },
    async run(ctx, i) {
      const prepared = await prepare(i, { env: joinTableEnv(), concurrency: options.concurrency });
      reportPrepared(ctx, prepared);
      if (prepared.failure) throw prepared.failure;
      const plan = buildPlan(prepared, { categories: i.category, minConfidence: i.minConfidence });
      const documentId = prepared.document!.document_id;
      const path = i.out
        ? resolve(i.out)
        : resolve(planDir(ctx.config.home), `${safeName(documentId)}.plan.json`);
      const patterns = plan.entries.reduce((n, e) => n + e.patterns.length, 0);
      writeJsonFile(path, {
        document_id: documentId,
        pattern_mode: plan.mode,
        fallback: prepared.fallback,
        merkle_root: prepared.merkleRoot,
        filters: { category: i.category, min_confidence: i.minConfidence },
        entries: plan.entries,
      });
      ctx.counters.set("plan_entries", plan.entries.length);
      ctx.counters.set("patterns", patterns);
      return {
        document_id: documentId,
        pattern_mode: plan.mode,
        fallback: prepared.fallback.used,
        entries: plan.entries.length,
        patterns,
        compiled: prepared.patterns.size,
        plan: path,
      };
    },
  });
}

/**
 * A document id as a file name: anything but letters, digits, `.`, `_`
 * and `-` becomes `_`.
 *
 * @param id The document id.
 * @returns The file name part.
 *
 * @example
 * ```ts
 * import { safeName } from "./plan.ts";
 * import assert from "node:assert/strict";
 * assert.equal(safeName("plan/2024 v1"), "plan_2024_v1");
 * ```
 */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_");
}
