/**
 * `contracts.compare`: runs both modes (contract and generic patterns)
 * over the same document and reports per question and overall the matches
 * of each, their overlap, and with a labels file the precision and recall
 * of each mode: how a user checks the precision claim on their documents.
 *
 * @module
 */
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { PlanMatcher } from "./matcher.ts";
import type { Options } from "./options.ts";
import { sourceFields, sourceNeeds } from "./params.ts";
import { filterFields } from "./plan.ts";
import { matcherFields } from "./match.ts";
import { buildPlan } from "./plan_build.ts";
import { prepare } from "./prepare.ts";
import { distinct, labelsSchema, score, type Span, total } from "./scoring.ts";

const scoreSchema = z.object({
  matches: z.number().int(),
  true_positives: z.number().int(),
  labels_found: z.number().int(),
  labels: z.number().int(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
});

const input = z.object({
  ...sourceFields,
  ...filterFields,
  ...matcherFields,
  labels: z.string().min(1).optional().describe("expected spans per question (JSON)"),
});

const row = z.object({
  question_id: z.string(),
  contract: scoreSchema,
  generic: scoreSchema,
  overlap: z.number().int(),
});

const output = z.object({
  document_id: z.string(),
  labelled: z.boolean(),
  overall: row.omit({ question_id: true }),
  questions: z.array(row),
});

/**
 * Creates the `contracts.compare` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { compareTask } from "./compare.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(compareTask(defaults).id, "contracts.compare");
 * ```
 */
export function compareTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "contracts.compare",
    summary:
      "Compares contract and generic patterns on one document: matches, overlap, precision, recall",
    input,
    output,
    permissions: (i) => mergeNeeds(sourceNeeds(i), { read: i.labels ? [i.labels] : [] }),
    async run(ctx, i) {
      const labels = i.labels ? await readLabels(i.labels) : undefined;
      const spans = new Map<string, Record<"contract" | "generic", Span[]>>();
      let documentId = "";
      await using matcher = new PlanMatcher(i);
      for (const mode of ["contract", "generic"] as const) {
        const prepared = await prepare({ ...i, joinTable: "true" }, {
          mode,
          concurrency: options.concurrency,
        });
        if (prepared.failure) throw prepared.failure;
        documentId = prepared.document!.document_id;
        const texts = new Map(prepared.document!.chunks.map((c) => [c.chunk_id, c.text]));
        const plan = buildPlan(prepared, {
          categories: i.category,
          minConfidence: i.minConfidence,
        });
        for await (
          const r of matcher.run(plan.entries, (e) => texts.get(e.chunk_id)!, ctx.signal)
        ) {
          if (!r.result) throw r.error;
          const slot = spans.get(r.entry.question_id) ?? { contract: [], generic: [] };
          slot[mode].push(...r.result.matches);
          spans.set(r.entry.question_id, slot);
        }
      }
      const questions = [...spans.keys()].sort().map((q) => {
        const s = spans.get(q)!;
        const expected = labels?.labels[q] ?? [];
        const contract = distinct(s.contract);
        return {
          question_id: q,
          contract: score(s.contract, expected),
          generic: score(s.generic, expected),
          overlap: distinct(s.generic).filter((g) =>
            contract.some((c) =>
              c.start < g.end && g.start < c.end
            )
          ).length,
        };
      });
      return {
        document_id: documentId,
        labelled: labels !== undefined,
        overall: {
          contract: total(questions.map((q) => q.contract)),
          generic: total(questions.map((q) => q.generic)),
          overlap: questions.reduce((n, q) => n + q.overlap, 0),
        },
        questions,
      };
    },
  });
}

async function readLabels(path: string): Promise<z.output<typeof labelsSchema>> {
  const parsed = labelsSchema.safeParse(JSON.parse(await Deno.readTextFile(path)));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new TypeError(
      `Cannot read labels "${path}" as ${
        first.path.join(".") || "the file"
      } is invalid: ${first.message}`,
    );
  }
  return parsed.data;
}
