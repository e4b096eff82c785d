/**
 * The input formats (DESIGN.md section 8) as zod schemas for the fields the
 * plugin uses: executor contracts, the preprocessed document and the
 * questionnaire. Every other section is accepted as it is (loose objects).
 *
 * @module
 */
import { z } from "zod";

/** `PA01` ... `PA10`. */
export const AREA = /^PA(0[1-9]|10)$/;
/** `DIM01` ... `DIM06`. */
export const DIMENSION = /^DIM0[1-6]$/;
/** `Q001` ... `Q999` (more digits are fine). */
export const QUESTION = /^Q\d{3,}$/;

const area = z.string().regex(AREA, { error: "Expected a policy area PA01..PA10" });
const dimension = z.string().regex(DIMENSION, { error: "Expected a dimension DIM01..DIM06" });

/** The match types a pattern may have. */
export const MATCH_TYPES = ["REGEX", "LITERAL"] as const;

/** One search pattern, of a contract or of the questionnaire. */
export const patternSchema = z.looseObject({
  id: z.string().min(1),
  pattern: z.string().min(1),
  match_type: z.string().refine((t) => (MATCH_TYPES as readonly string[]).includes(t), {
    error: (iss) => `Unknown match type "${String(iss.input)}": expected REGEX or LITERAL`,
  }),
  flags: z.string().default(""),
  category: z.string().default("general"),
  confidence_weight: z.number().min(0).max(1).default(0.5),
});

/** The part of an executor contract the plugin reads. */
export const contractSchema = z.looseObject({
  identity: z.looseObject({
    question_id: z.string().regex(QUESTION, { error: "Expected a question id like Q001" }),
    policy_area_id: area,
    dimension_id: dimension,
    contract_version: z.string().optional(),
    base_slot: z.string().optional(),
    question_global: z.number().int().optional(),
  }),
  question_context: z.looseObject({ patterns: z.array(patternSchema) }),
});

/** One chunk of the preprocessed document. */
export const chunkSchema = z.looseObject({
  chunk_id: z.string().min(1),
  policy_area_id: area,
  dimension_id: dimension,
  text: z.string(),
});

/** The preprocessed document. */
export const documentSchema = z.looseObject({
  document_id: z.string().min(1),
  chunks: z.array(chunkSchema),
});

/** The questionnaire: generic patterns per question, the fallback. */
export const questionnaireSchema = z.looseObject({
  blocks: z.looseObject({
    micro_questions: z.array(z.looseObject({
      question_id: z.string().regex(QUESTION, { error: "Expected a question id like Q001" }),
      policy_area_id: area,
      dimension_id: dimension,
      patterns: z.array(patternSchema),
    })),
  }),
});

/** A pattern as validated. */
export type Pattern = z.output<typeof patternSchema>;
/** A chunk as validated. */
export type Chunk = z.output<typeof chunkSchema>;
/** A document as validated. */
export type Document = z.output<typeof documentSchema>;
/** A questionnaire as validated. */
export type Questionnaire = z.output<typeof questionnaireSchema>;

/**
 * Turns a zod issue path into a JSON path: `$.a.b[3].c`.
 *
 * @param path The path's keys and indexes.
 * @returns The JSON path.
 *
 * @example
 * ```ts
 * import { jsonPath } from "./formats.ts";
 * import assert from "node:assert/strict";
 * assert.equal(jsonPath(["question_context", "patterns", 3, "match_type"]),
 *   "$.question_context.patterns[3].match_type");
 * assert.equal(jsonPath([]), "$");
 * ```
 */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "$";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
