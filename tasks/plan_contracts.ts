/**
 * `deno task plan:contracts`: bind the contracts to the document's chunks
 * (every invariant proved, the verification manifest written), build the
 * execution plan, then match each question's patterns into SQLite. Its
 * permission set reads the inputs and weir's source and writes the home
 * only. The defaults run the committed sample (8 contracts, 4 chunks).
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import "../plugins/contracts/types.ts";

const SAMPLE = "fixtures/contracts/sample";

/** The inputs every step shares. */
function sources<P extends { expectedChunks: number }>(p: P & Record<string, unknown>) {
  const keys = [
    "contracts",
    "document",
    "questionnaire",
    "joinTable",
    "fallbackGeneric",
    "strict",
    "expectedContracts",
    "expectedChunks",
  ] as const;
  return Object.fromEntries(keys.map((k) => [k, p[k]])) as Pick<P, (typeof keys)[number] & keyof P>;
}

/** The plan:contracts pipeline. */
export const planContracts = definePipeline(
  "plan:contracts",
  "Binds contracts to document chunks, plans each question's patterns, matches them",
  z.object({
    contracts: z.string().optional().default(`${SAMPLE}/contracts`).describe(
      "directory of executor contracts",
    ),
    document: z.string().default(`${SAMPLE}/document.json`).describe("preprocessed document"),
    questionnaire: z.string().default(`${SAMPLE}/questionnaire.json`).describe(
      "questionnaire with the generic patterns",
    ),
    joinTable: z.string().optional().describe("true, false or canary:<percent>"),
    fallbackGeneric: z.boolean().default(false).describe("fall back to generic patterns"),
    strict: z.boolean().default(false).describe("consistency warnings are errors"),
    expectedContracts: z.number().int().min(1).default(8).describe(
      "contracts a complete set has (300 for a real one)",
    ),
    expectedChunks: z.number().int().min(1).default(4).describe(
      "chunks a complete document has (60 for a real one)",
    ),
    skipUnchanged: z.boolean().default(false).describe("skip the bind on unchanged inputs"),
    workers: z.number().int().min(1).max(64).optional().describe("regex Workers"),
  }),
)
  .step("bind", "contracts.bind", (p) => ({ ...sources(p), skipUnchanged: p.skipUnchanged }))
  .step("plan", "contracts.plan", (p) => sources(p))
  .step("match", "contracts.match", (p) => ({ ...sources(p), workers: p.workers }))
  .build((out) => [
    "",
    `contracts.bind   ${out.bind.bindings} bindings of ${out.bind.contracts} contracts to ${out.bind.chunks} chunks (${out.bind.pattern_mode} patterns${
      out.bind.fallback ? ", fallback" : ""
    }${
      out.bind.skipped ? ", unchanged: skipped" : ""
    }), ${out.bind.warnings.length} warnings -> ${out.bind.manifest}`,
    `contracts.plan   ${out.plan.entries} entries, ${out.plan.patterns} patterns -> ${out.plan.plan}`,
    `contracts.match  ${out.match.matched} questions matched (${out.match.resumed} resumed), ${out.match.matches} matches, ${out.match.skipped_patterns} patterns skipped -> ${out.match.db}`,
  ]);
