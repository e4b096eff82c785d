/**
 * The contracts plugin: 300 executor contracts bound to the 60 chunks of a
 * document by policy area and dimension (the JOIN table), every invariant
 * proved before any work, a verification manifest as the audit trail, an
 * execution plan with each question's own patterns, and those patterns
 * matched in budgeted Workers. Without contracts (or with the
 * `--join-table` flag off) it uses the questionnaire's generic patterns.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the contracts plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import { contractsPlugin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = contractsPlugin({ concurrency: 8 });
 * assert.deepEqual(plugin.tasks.map((t) => t.id), [
 *   "contracts.bind", "contracts.plan", "contracts.match", "contracts.compare",
 * ]);
 * ```
 */
export function contractsPlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "contracts",
    version: "0.1.0",
    summary: "Binds executor contracts to document chunks, plans and matches their patterns",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "contracts.bind",
        "Binds every contract to its chunk, proves the invariants, writes the manifest",
        async () => (await import("./bind.ts")).bindTask(opts),
      ),
      lazyTask(
        "contracts.plan",
        "Builds the execution plan: each bound question with its own patterns",
        async () => (await import("./plan.ts")).planTask(opts),
      ),
      lazyTask(
        "contracts.match",
        "Matches each question's patterns on its chunk into SQLite, resumable per question",
        async () => (await import("./match.ts")).matchTask(opts),
      ),
      lazyTask(
        "contracts.compare",
        "Compares contract and generic patterns on one document: matches, overlap, precision, recall",
        async () => (await import("./compare.ts")).compareTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = contractsPlugin();
