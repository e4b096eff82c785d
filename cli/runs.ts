/**
 * `weir runs` and `weir runs show <id>`: the run records.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { flagPairs } from "./argv.ts";

/**
 * Lists recent runs or shows one with its steps.
 *
 * @param kernel The kernel.
 * @param words The words after `runs`.
 * @param flags `--limit N`.
 * @returns What to print.
 * @throws {UsageError} For an unknown run id or sub-command.
 */
export function runsCommand(kernel: Kernel, words: string[], flags: readonly string[]): unknown {
  const records = kernel.records();
  if (words[0] === "show") {
    const id = words[1];
    if (!id) throw new UsageError("Cannot show a run as no run id was given: weir runs show <id>");
    const run = records.get(id);
    if (!run) throw new UsageError(`Cannot show run "${id}" as no run has that id`);
    return { ...run, steps: run.kind === "pipeline" ? records.steps(id) : undefined };
  }
  if (words.length) {
    throw new UsageError(`Cannot use "runs ${words[0]}": use "weir runs" or "weir runs show <id>"`);
  }
  let limit = 20;
  for (const [flag, value] of flagPairs(flags)) {
    if (flag !== "--limit") {
      throw new UsageError(`Cannot use unknown flag ${flag}: known flags are --limit`);
    }
    limit = Number(value);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new UsageError(
        `Cannot use --limit as it expects a positive integer: current value is "${value}"`,
      );
    }
  }
  return records.list(limit).map(({ params: _p, output: _o, ...rest }) => rest);
}
