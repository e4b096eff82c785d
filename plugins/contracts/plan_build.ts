/**
 * The execution plan: one entry per binding with the patterns it will use
 * (compiled once, through the pattern cache), filtered by category and by
 * minimum confidence weight, and a lookup by question.
 *
 * @module
 */
import type { PatternMode, Prepared } from "./prepare.ts";

/** A pattern as the plan runs it. */
export interface PlannedPattern {
  /** The pattern's id. */
  id: string;
  /** Its category. */
  category: string;
  /** Its confidence weight, 0 to 1. */
  confidence_weight: number;
  /** `REGEX` or `LITERAL`. */
  match_type: string;
  /** The regular expression's source it runs as. */
  source: string;
  /** Its flags. */
  flags: string;
}

/** One entry of the plan. */
export interface PlanEntry {
  /** The question. */
  question_id: string;
  /** Its chunk. */
  chunk_id: string;
  /** Their area. */
  policy_area_id: string;
  /** Their dimension. */
  dimension_id: string;
  /** Where the patterns come from. */
  source: PatternMode;
  /** The patterns. */
  patterns: PlannedPattern[];
}

/** Filters of {@linkcode buildPlan}. */
export interface PlanFilters {
  /** Keep only patterns of these categories (all when empty). */
  categories?: readonly string[];
  /** Keep only patterns with at least this confidence weight. */
  minConfidence?: number;
}

/** The plan, with its lookup. */
export interface Plan {
  /** The mode. */
  mode: PatternMode;
  /** The entries, in the bindings' order. */
  entries: PlanEntry[];
  /** The entry of one question. */
  lookup(questionId: string): PlanEntry | undefined;
}

/**
 * Builds the plan from what prepare bound.
 *
 * @param prepared A prepare result without failure.
 * @param filters Category and confidence filters.
 * @returns The plan.
 */
export function buildPlan(prepared: Prepared, filters: PlanFilters = {}): Plan {
  const categories = filters.categories?.length ? new Set(filters.categories) : undefined;
  const min = filters.minConfidence ?? 0;
  const entries = prepared.questions.map((q): PlanEntry => {
    const patterns: PlannedPattern[] = [];
    for (const p of q.patterns) {
      if (categories && !categories.has(p.category)) continue;
      if (p.confidence_weight < min) continue;
      const compiled = prepared.patterns.get(p);
      if ("reason" in compiled) continue; // reported by prepare: never reached with a valid input
      patterns.push({
        id: p.id,
        category: p.category,
        confidence_weight: p.confidence_weight,
        match_type: p.match_type,
        source: compiled.source,
        flags: compiled.flags,
      });
    }
    return {
      question_id: q.question_id,
      chunk_id: q.chunk_id,
      policy_area_id: q.policy_area_id,
      dimension_id: q.dimension_id,
      source: prepared.mode,
      patterns,
    };
  });
  const index = new Map(entries.map((e) => [e.question_id, e]));
  return { mode: prepared.mode, entries, lookup: (id) => index.get(id) };
}
