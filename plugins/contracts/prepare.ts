/**
 * Everything before the work: read and validate the inputs, decide the
 * pattern mode (JOIN-table flag, fallback), build the JOIN table and prove
 * its invariants. Every task of the plugin starts here, so none runs on
 * inputs that do not hold.
 *
 * @module
 */
import { UsageError, type WeirError } from "../../lib/errors.ts";
import { merkleRoot } from "../../lib/hash.ts";
import type { Pattern } from "./formats.ts";
import { decideJoinTable, type JoinTableDecision } from "./flag.ts";
import {
  type LoadedDocument,
  type LoadedQuestionnaire,
  readDocument,
  readQuestionnaire,
} from "./inputs.ts";
import {
  ContractValidationError,
  formatIssue,
  type Issue,
  JoinInvariantError,
  sortIssues,
} from "./issues.ts";
import { buildJoinTable, type JoinTable } from "./join_table.ts";
import { loadContracts, type LoadResult } from "./load.ts";
import type { SourceParams } from "./params.ts";
import { PatternCache } from "./patterns.ts";

/** Where a question's patterns come from. */
export type PatternMode = "contract" | "generic";

/** A bound question with its patterns. */
export interface BoundQuestion {
  /** The question. */
  question_id: string;
  /** Its chunk. */
  chunk_id: string;
  /** Their area. */
  policy_area_id: string;
  /** Their dimension. */
  dimension_id: string;
  /** Its patterns. */
  patterns: Pattern[];
}

/** What {@linkcode prepare} found and decided. */
export interface Prepared {
  /** The document, when it validated. */
  document?: LoadedDocument;
  /** The questionnaire, when given and valid. */
  questionnaire?: LoadedQuestionnaire;
  /** The contracts as loaded, when read. */
  load?: LoadResult;
  /** How the flag was decided. */
  decision: JoinTableDecision;
  /** The mode the plan uses. */
  mode: PatternMode;
  /** Whether a failed JOIN-table build fell back to generic patterns, and why. */
  fallback: { used: boolean; reasons: string[] };
  /** The JOIN table of the mode used (or attempted). */
  table?: JoinTable;
  /** The invariants of the contract JOIN table, when one was attempted. */
  contractTable?: JoinTable;
  /** The bound questions, in order. */
  questions: BoundQuestion[];
  /** Every error (validation problems and broken invariants), one line each. */
  errors: string[];
  /** Every warning. */
  warnings: Issue[];
  /** The Merkle root over every input's hash. */
  merkleRoot: string;
  /** The pattern cache (each pattern compiled once). */
  patterns: PatternCache;
  /** How long each phase took, in milliseconds. */
  timings: Record<string, number>;
  /** Why the run cannot go on, when it cannot. */
  failure?: WeirError;
}

/** Options of {@linkcode prepare}. */
export interface PrepareOptions {
  /** `WEIR_JOIN_TABLE`'s value. */
  env?: string;
  /** Force a mode (compare runs both). */
  mode?: PatternMode;
  /** Files read at once. */
  concurrency?: number;
}

/**
 * The Merkle root over every input: contract files (by name), chunks (by
 * id), then the questionnaire.
 *
 * @param contracts Contract hashes by file name.
 * @param chunks Chunk hashes by chunk id.
 * @param questionnaire The questionnaire's hash, when one is read.
 * @returns The root.
 *
 * @example
 * ```ts
 * import { inputsRoot } from "./prepare.ts";
 * import assert from "node:assert/strict";
 * const h = "a".repeat(64);
 * assert.equal(inputsRoot({ "Q1.v3.json": h }, {}, undefined), h);
 * ```
 */
export function inputsRoot(
  contracts: Record<string, string>,
  chunks: Record<string, string>,
  questionnaire: string | undefined,
): string {
  const sorted = (r: Record<string, string>) => Object.keys(r).sort().map((k) => r[k]);
  const leaves = [...sorted(contracts), ...sorted(chunks)];
  if (questionnaire) leaves.push(questionnaire);
  return merkleRoot(leaves);
}

/**
 * Reads the inputs, decides the mode and binds. Never throws for a bad
 * input: the problem is in `failure` (and `errors`), so the bind task can
 * still write its manifest.
 *
 * @param p The shared params.
 * @param options The flag's environment value, a forced mode, the batch size.
 * @returns What was found and decided.
 */
export async function prepare(p: SourceParams, options: PrepareOptions = {}): Promise<Prepared> {
  const t0 = performance.now();
  const patterns = new PatternCache();
  const issues: Issue[] = [];
  const document = await readDocument(p.document, issues);
  const questionnaire = p.questionnaire
    ? await readQuestionnaire(p.questionnaire, patterns, issues)
    : undefined;
  const out: Prepared = {
    document,
    questionnaire,
    decision: { enabled: false, source: "no-contracts", value: "false" },
    mode: "generic",
    fallback: { used: false, reasons: [] },
    questions: [],
    errors: [],
    warnings: [],
    merkleRoot: "",
    patterns,
    timings: {},
  };
  const expected = { contracts: p.expectedContracts, chunks: p.expectedChunks };
  const fail = (failure: WeirError, lines: string[]) => {
    out.failure = failure;
    out.errors.push(...lines);
  };
  if (!document) {
    fail(new ContractValidationError(issues), sortIssues(issues).map(formatIssue));
    return finish(out, t0);
  }
  out.decision = decideJoinTable({
    flag: p.joinTable,
    env: options.env,
    documentId: document.document_id,
    hasContracts: p.contracts !== undefined,
  });
  const useContracts = options.mode ? options.mode === "contract" : out.decision.enabled;
  if (useContracts && p.contracts) {
    const t1 = performance.now();
    const load = out.load = await loadContracts(p.contracts, {
      patterns,
      concurrency: options.concurrency,
    });
    out.timings.load_ms = performance.now() - t1;
    out.warnings = sortIssues(load.warnings);
    const problems = sortIssues([...load.errors, ...(p.strict ? load.warnings : [])]);
    const t2 = performance.now();
    const table = out.contractTable = out.table = buildJoinTable(
      load.contracts,
      document.chunks,
      expected,
    );
    out.timings.bind_ms = performance.now() - t2;
    const reasons = problems.length > 0 ? problems.map(formatIssue) : table.errors;
    if (reasons.length === 0) {
      out.mode = "contract";
      const byId = new Map(load.contracts.map((c) => [c.question_id, c]));
      out.questions = table.bindings.map((b) => ({
        ...b,
        patterns: byId.get(b.question_id)!.patterns,
      }));
      return finish(out, t0);
    }
    const failure = problems.length > 0
      ? new ContractValidationError(problems)
      : new JoinInvariantError(table.errors);
    if (!p.fallbackGeneric || options.mode === "contract") {
      fail(failure, reasons);
      return finish(out, t0);
    }
    out.fallback = { used: true, reasons };
  }
  bindGeneric(out, expected, issues);
  return finish(out, t0);
}

/** Binds the questionnaire's questions (generic mode). */
function bindGeneric(
  out: Prepared,
  expected: { contracts: number; chunks: number },
  issues: Issue[],
) {
  out.mode = "generic";
  if (issues.length > 0) {
    out.failure = new ContractValidationError(sortIssues(issues));
    out.errors.push(...sortIssues(issues).map(formatIssue));
    return;
  }
  if (!out.questionnaire) {
    const why = out.fallback.used ? "to fall back on" : "for generic patterns";
    out.failure = new UsageError(
      `Cannot plan without a questionnaire ${why}: give --questionnaire`,
    );
    out.errors.push(out.failure.message);
    return;
  }
  const table = out.table = buildJoinTable(
    out.questionnaire.questions,
    out.document!.chunks,
    expected,
  );
  if (table.errors.length > 0) {
    out.failure = new JoinInvariantError(table.errors);
    out.errors.push(...table.errors);
    return;
  }
  const byId = new Map(out.questionnaire.questions.map((q) => [q.question_id, q]));
  out.questions = table.bindings.map((b) => ({
    ...b,
    patterns: byId.get(b.question_id)!.patterns,
  }));
}

function finish(out: Prepared, t0: number): Prepared {
  out.merkleRoot = inputsRoot(
    out.load?.hashes ?? {},
    out.document?.chunkHashes ?? {},
    out.questionnaire?.sha256,
  );
  out.timings.total_ms = performance.now() - t0;
  return out;
}
