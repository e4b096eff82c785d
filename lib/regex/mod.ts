/**
 * Untrusted regular expressions under a time budget: patterns are checked
 * (every problem collected), then evaluated in a Worker without permissions,
 * each call stopped when it runs past its budget.
 *
 * @example Match with a budget
 * ```ts
 * import { RegexRunner } from "./mod.ts";
 * import assert from "node:assert/strict";
 * await using runner = new RegexRunner({ budgetMs: 200 });
 * assert.equal(await runner.test("colou?r", "i", "Red COLOR"), true);
 * ```
 *
 * @module
 */
export * from "./budget.ts";
