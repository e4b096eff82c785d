/**
 * The kernel's terminal: the one writer of stderr for a whole process, so
 * every run's log lines and progress bar share one status line.
 *
 * @module
 */
import { Terminal } from "../../lib/terminal.ts";

let stderrTerminal: Terminal | undefined;

/**
 * The process-wide terminal on `Deno.stderr`.
 *
 * @returns The shared terminal.
 *
 * @example
 * ```ts
 * import { stderr } from "./terminal.ts";
 * import assert from "node:assert/strict";
 * assert.equal(stderr(), stderr());
 * ```
 */
export function stderr(): Terminal {
  return stderrTerminal ??= new Terminal(Deno.stderr, Deno.stderr.isTerminal());
}
