/**
 * Globs given by people (`--only "pages/**"`): checked with picomatch with
 * strict brackets, so a malformed pattern is an error naming it rather than
 * a pattern that silently matches nothing, then matched by a linear-time
 * automaton (`glob_nfa.ts`): picomatch's regular expressions backtrack, and
 * `*a*a*a*a*a*a*a*a*b` against a long name blocked the event loop (and so
 * SIGTERM) for minutes.
 *
 * @module
 */
import picomatch from "picomatch";
import { compileLinearGlob } from "./glob_nfa.ts";

/** Options picomatch gets for every weir glob. */
const OPTIONS = { strictBrackets: true } as const;

/**
 * Compiles a glob into a matcher.
 *
 * @param pattern The glob.
 * @returns A function telling whether a path matches.
 * @throws {SyntaxError} When the glob is malformed (an unclosed `[`, `{`
 * or `(`, an unopened `]`, a `!(...)` inside another), naming it.
 *
 * @example
 * ```ts
 * import { compileGlob } from "./glob.ts";
 * import assert from "node:assert/strict";
 * const matches = compileGlob("pages/*.md");
 * assert.equal(matches("pages/a.md"), true);
 * assert.equal(matches("other/a.md"), false);
 * assert.throws(() => compileGlob("pages/[a"), SyntaxError);
 * ```
 */
export function compileGlob(pattern: string): (path: string) => boolean {
  try {
    picomatch.parse(pattern, OPTIONS);
    return compileLinearGlob(pattern);
  } catch (err) {
    throw new SyntaxError(
      `Cannot use glob as it is malformed (${
        (err as Error).message
      }): current value is "${pattern}"`,
      { cause: err },
    );
  }
}

/**
 * Says what is wrong with a glob, for a schema refinement.
 *
 * @param pattern The glob.
 * @returns The problem, or `undefined` for a well-formed glob.
 *
 * @example Check a glob parameter in a zod schema
 * ```ts
 * import { z } from "zod";
 * import { globProblem } from "./glob.ts";
 * import assert from "node:assert/strict";
 * const only = z.string().superRefine((glob, ctx) => {
 *   const problem = globProblem(glob);
 *   if (problem) ctx.addIssue({ code: "custom", message: problem });
 * });
 * assert.equal(only.safeParse("a/**").success, true);
 * const bad = only.safeParse("a/{b,c");
 * assert.equal(bad.success, false);
 * assert.match(bad.error!.issues[0].message, /^Invalid glob "a\/\{b,c": Missing closing/);
 * ```
 */
export function globProblem(pattern: string): string | undefined {
  try {
    picomatch.parse(pattern, OPTIONS);
    compileLinearGlob(pattern);
    return undefined;
  } catch (err) {
    return `Invalid glob "${pattern}": ${(err as Error).message}`;
  }
}

/** The part of zod's refinement context {@linkcode refineGlob} uses. */
export interface RefinementContext {
  /** Reports a problem with the value. */
  addIssue(issue: { code: "custom"; message: string }): void;
}

/**
 * A zod `superRefine` check for glob parameters: a malformed glob is an
 * input error, found before any work.
 *
 * @param glob The value.
 * @param ctx zod's refinement context.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { refineGlob } from "./glob.ts";
 * import assert from "node:assert/strict";
 * const input = z.object({ only: z.string().superRefine(refineGlob).optional() });
 * assert.equal(input.safeParse({ only: "**\/*.owl" }).success, true);
 * assert.equal(input.safeParse({ only: "[" }).success, false);
 * ```
 */
export function refineGlob(glob: string, ctx: RefinementContext): void {
  const problem = globProblem(glob);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
}
