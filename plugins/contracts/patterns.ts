/**
 * Patterns as they run: a `LITERAL` pattern's `|`-separated alternatives
 * matched literally, a `REGEX` pattern with its flags; each compiled and
 * checked once per (type, pattern, flags), whoever asks.
 *
 * @module
 */
import { compileChecked } from "../../lib/regex/mod.ts";
import type { Pattern } from "./formats.ts";

/** A pattern ready to run: the source and flags a RegExp takes. */
export interface RunnablePattern {
  /** The regular expression's source (a literal's alternatives escaped). */
  source: string;
  /** Its flags. */
  flags: string;
  /** The compiled expression (for matching in this thread, and the check). */
  regex: RegExp;
}

/**
 * Escapes a string so a RegExp matches it literally.
 *
 * @param text The literal text.
 * @returns The escaped source.
 *
 * @example
 * ```ts
 * import { escapeRegex } from "./patterns.ts";
 * import assert from "node:assert/strict";
 * assert.equal(escapeRegex("a.b (c)"), "a\\.b \\(c\\)");
 * ```
 */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * The source a pattern runs as: a `LITERAL`'s alternatives (split on `|`,
 * empty ones dropped) escaped and joined; a `REGEX` as written.
 *
 * @param pattern The pattern's text.
 * @param matchType `REGEX` or `LITERAL`.
 * @returns The regular expression's source.
 *
 * @example
 * ```ts
 * import { sourceOf } from "./patterns.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sourceOf("meta|línea base", "LITERAL"), "meta|línea base");
 * assert.equal(sourceOf("1.5%|(a)", "LITERAL"), "1\\.5%|\\(a\\)");
 * assert.equal(sourceOf("\\d+%", "REGEX"), "\\d+%");
 * ```
 */
export function sourceOf(pattern: string, matchType: string): string {
  if (matchType !== "LITERAL") return pattern;
  return pattern.split("|").filter((alt) => alt !== "").map(escapeRegex).join("|");
}

/**
 * Compiles each distinct pattern once and remembers it, with the reason
 * when it does not compile.
 *
 * @example
 * ```ts
 * import { PatternCache } from "./patterns.ts";
 * import assert from "node:assert/strict";
 * const cache = new PatternCache();
 * const p = { id: "P1", pattern: "salud|educación", match_type: "LITERAL", flags: "i",
 *   category: "tema", confidence_weight: 0.8 };
 * const one = cache.get(p);
 * assert.ok(!("reason" in one) && one.regex.test("EDUCACIÓN"));
 * assert.equal(cache.get(p), one);
 * const bad = cache.get({ ...p, pattern: "(a", match_type: "REGEX" });
 * assert.ok("reason" in bad && bad.reason.startsWith("its syntax is invalid"));
 * ```
 */
export class PatternCache {
  readonly #compiled = new Map<string, RunnablePattern | { reason: string }>();

  /** How many distinct patterns were compiled. */
  get size(): number {
    return this.#compiled.size;
  }

  /**
   * The pattern ready to run, or why it cannot be.
   *
   * @param p The pattern.
   * @returns The runnable pattern, or `{ reason }` (after "Cannot compile pattern as").
   */
  get(p: Pick<Pattern, "pattern" | "match_type" | "flags">): RunnablePattern | { reason: string } {
    const key = `${p.match_type}\u0000${p.flags}\u0000${p.pattern}`;
    let hit = this.#compiled.get(key);
    if (hit === undefined) {
      const source = sourceOf(p.pattern, p.match_type);
      try {
        hit = { source, flags: p.flags, regex: compileChecked(source, p.flags) };
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        const m = /^Cannot compile pattern as (.*): current value is /s.exec(err.message);
        hit = { reason: m ? m[1] : err.message };
      }
      this.#compiled.set(key, hit);
    }
    return hit;
  }
}
