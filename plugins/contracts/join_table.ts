/**
 * The JOIN table: every contract bound to the one chunk of its policy area
 * and dimension, with the invariants proved before anything runs. Pure and
 * linear in the number of contracts (one map of chunks by area and
 * dimension), so it is the same code for 300 contracts and for 300,000.
 *
 * @module
 */

/** What binding needs of a contract (or of a questionnaire question). */
export interface QuestionRef {
  /** `Q001` ... */
  question_id: string;
  /** `PA01` ... `PA10`. */
  policy_area_id: string;
  /** `DIM01` ... `DIM06`. */
  dimension_id: string;
}

/** What binding needs of a chunk. */
export interface ChunkRef {
  /** The chunk's id. */
  chunk_id: string;
  /** `PA01` ... `PA10`. */
  policy_area_id: string;
  /** `DIM01` ... `DIM06`. */
  dimension_id: string;
}

/** One row of the JOIN table. */
export interface Binding {
  /** The question. */
  question_id: string;
  /** The chunk it is bound to. */
  chunk_id: string;
  /** Their policy area. */
  policy_area_id: string;
  /** Their dimension. */
  dimension_id: string;
}

/** The invariants the JOIN table proves. */
export interface Invariants {
  /** Every question found exactly one chunk. */
  one_to_one_mapping: boolean;
  /** Every question is bound. */
  all_contracts_bound: boolean;
  /** No (area, dimension) and no chunk id appears twice among the chunks. */
  chunks_unique: boolean;
  /** The counts of questions, chunks and bindings are the expected ones. */
  count_matches: boolean;
}

/** What {@linkcode buildJoinTable} made. */
export interface JoinTable {
  /** The rows, in the questions' order. */
  bindings: Binding[];
  /** Every broken invariant's message, all together. */
  errors: string[];
  /** Which invariants hold. */
  invariants: Invariants;
}

/** The counts a complete input has. */
export interface Expected {
  /** Questions (contracts). @default {300} */
  contracts: number;
  /** Chunks. @default {60} */
  chunks: number;
}

/**
 * Binds every question to the chunk of its area and dimension and checks
 * the invariants, collecting every broken one:
 * `No chunk found for Q042 with PA=PA05, DIM=DIM02`,
 * `Duplicate chunks for Q042: found 2 chunks`,
 * `Duplicate chunk id C07: found 2 chunks`,
 * `Expected 300 contracts, got 299`, `Expected 60 chunks, got 59`,
 * `Expected 300 bindings, got 299`.
 *
 * @param questions The contracts (or questionnaire questions), in order.
 * @param chunks The document's chunks.
 * @param expected The expected counts.
 * @returns The bindings, the errors and the invariants.
 *
 * @example One chunk missing
 * ```ts
 * import { buildJoinTable } from "./join_table.ts";
 * import assert from "node:assert/strict";
 * const q = (id: string, pa: string) => ({ question_id: id, policy_area_id: pa, dimension_id: "DIM01" });
 * const t = buildJoinTable([q("Q001", "PA01"), q("Q002", "PA02")],
 *   [{ chunk_id: "C1", policy_area_id: "PA01", dimension_id: "DIM01" }], { contracts: 2, chunks: 2 });
 * assert.deepEqual(t.errors, [
 *   "No chunk found for Q002 with PA=PA02, DIM=DIM01",
 *   "Expected 2 chunks, got 1",
 *   "Expected 2 bindings, got 1",
 * ]);
 * assert.equal(t.invariants.all_contracts_bound, false);
 * ```
 */
export function buildJoinTable(
  questions: readonly QuestionRef[],
  chunks: readonly ChunkRef[],
  expected: Expected,
): JoinTable {
  const byKey = new Map<string, ChunkRef[]>();
  const ids = new Map<string, number>();
  for (const chunk of chunks) {
    const key = chunk.policy_area_id + "|" + chunk.dimension_id;
    const list = byKey.get(key);
    if (list) list.push(chunk);
    else byKey.set(key, [chunk]);
    ids.set(chunk.chunk_id, (ids.get(chunk.chunk_id) ?? 0) + 1);
  }
  const errors: string[] = [];
  const bindings: Binding[] = [];
  let unmapped = false;
  for (const q of questions) {
    const found = byKey.get(q.policy_area_id + "|" + q.dimension_id);
    if (found === undefined) {
      unmapped = true;
      errors.push(
        `No chunk found for ${q.question_id} with PA=${q.policy_area_id}, DIM=${q.dimension_id}`,
      );
    } else if (found.length > 1) {
      unmapped = true;
      errors.push(`Duplicate chunks for ${q.question_id}: found ${found.length} chunks`);
    } else {
      bindings.push({
        question_id: q.question_id,
        chunk_id: found[0].chunk_id,
        policy_area_id: q.policy_area_id,
        dimension_id: q.dimension_id,
      });
    }
  }
  let chunksUnique = byKey.size === chunks.length;
  for (const [id, n] of ids) {
    if (n > 1) {
      chunksUnique = false;
      errors.push(`Duplicate chunk id ${id}: found ${n} chunks`);
    }
  }
  const counts: [string, number, number][] = [
    ["contracts", expected.contracts, questions.length],
    ["chunks", expected.chunks, chunks.length],
    ["bindings", expected.contracts, bindings.length],
  ];
  for (const [what, want, got] of counts) {
    if (want !== got) errors.push(`Expected ${want} ${what}, got ${got}`);
  }
  return {
    bindings,
    errors,
    invariants: {
      one_to_one_mapping: !unmapped,
      all_contracts_bound: bindings.length === questions.length,
      chunks_unique: chunksUnique,
      count_matches: counts.every(([, want, got]) => want === got),
    },
  };
}
