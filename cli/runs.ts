/**
 * `weir runs` and `weir runs show <id>`: the run records.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { flagPairs } from "./argv.ts";

/** The most runs `weir runs --limit` lists at once. */
export const MAX_RUNS_LIMIT = 10_000;

/**
 * A run record with the run envelope's snake_case keys: `id` becomes
 * `run_id`, `startedAt` becomes `started_at`, and so on.
 *
 * @param record A run record (or any flat object with camelCase keys).
 * @returns The same values under snake_case keys.
 *
 * @example
 * ```ts
 * import { snakeRecord } from "./runs.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(snakeRecord({ id: "r1", parentId: null, durationMs: 5 }), {
 *   run_id: "r1",
 *   parent_id: null,
 *   duration_ms: 5,
 * });
 * ```
 */
export function snakeRecord(record: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map((
      [key, value],
    ) => [key === "id" ? "run_id" : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]),
  );
}

/**
 * Lists recent runs or shows one with its steps.
 *
 * @param kernel The kernel.
 * @param words The words after `runs`.
 * @param flags `--limit N`.
 * @returns What to print: records with the run envelope's snake_case keys.
 * @throws {UsageError} For an unknown run id or sub-command, or a `--limit`
 * that is not an integer from 1 to {@linkcode MAX_RUNS_LIMIT}.
 */
export function runsCommand(kernel: Kernel, words: string[], flags: readonly string[]): unknown {
  if (words[0] === "show") {
    const id = words[1];
    if (!id) throw new UsageError("Cannot show a run as no run id was given: weir runs show <id>");
    if (words.length > 2 || flags.length) {
      throw new UsageError(
        `Cannot use "${[...words.slice(2), ...flags][0]}" with runs show: weir runs show <id>`,
      );
    }
    const records = kernel.records();
    const run = records.get(id);
    if (!run) throw new UsageError(`Cannot show run "${id}" as no run has that id`);
    return {
      ...snakeRecord(run),
      steps: run.kind === "pipeline" ? records.steps(id).map(snakeRecord) : undefined,
    };
  }
  if (words.length) {
    throw new UsageError(`Cannot use "runs ${words[0]}": use "weir runs" or "weir runs show <id>"`);
  }
  const limit = parseLimit(flags);
  return kernel.records().list(limit).map(({ params: _p, output: _o, ...rest }) =>
    snakeRecord(rest)
  );
}

/**
 * Reads `--limit N` (the only flag of `weir runs`).
 *
 * @param flags The flags after `runs`.
 * @returns The limit. @default {20}
 * @throws {UsageError} For another flag, or a value that is not an integer
 * from 1 to {@linkcode MAX_RUNS_LIMIT}.
 *
 * @example
 * ```ts
 * import { parseLimit } from "./runs.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseLimit(["--limit", "5"]), 5);
 * assert.throws(() => parseLimit(["--limit", "1e308"]), /an integer from 1 to 10000/);
 * ```
 */
export function parseLimit(flags: readonly string[]): number {
  let limit = 20;
  for (const [flag, value] of flagPairs(flags)) {
    if (flag !== "--limit") {
      throw new UsageError(`Cannot use unknown flag ${flag}: known flags are --limit`);
    }
    limit = Number(value);
    if (!/^\d+$/.test(value ?? "") || limit < 1 || limit > MAX_RUNS_LIMIT) {
      throw new UsageError(
        `Cannot use --limit as it expects an integer from 1 to ${MAX_RUNS_LIMIT}: current value is "${
          value ?? ""
        }"`,
      );
    }
  }
  return limit;
}
