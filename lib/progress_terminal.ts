/**
 * A run's progress on a {@linkcode Terminal}: a bar, JSON lines, or nothing
 * when quiet (the meter: `progress.ts`).
 *
 * @module
 */
import { createProgress, type ProgressReporter } from "./progress.ts";
import type { Terminal } from "./terminal.ts";

/**
 * Starts a progress reporter for a run.
 *
 * @param terminal Where it goes (the status line is shared with log lines).
 * @param quiet `--quiet`: report nothing.
 * @param label What is counted.
 * @param total How many there are, when known.
 * @returns The reporter.
 *
 * @example
 * ```ts
 * import { runProgress } from "./progress_terminal.ts";
 * import { Terminal } from "./terminal.ts";
 * import assert from "node:assert/strict";
 * let out = "";
 * const sink = { writeSync: (b: Uint8Array) => (out += new TextDecoder().decode(b), b.length) };
 * runProgress(new Terminal(sink, false), false, "pages", 2).done();
 * assert.match(out, /"type":"progress","label":"pages"/);
 * ```
 */
export function runProgress(
  terminal: Terminal,
  quiet: boolean,
  label: string,
  total?: number,
): ProgressReporter {
  return createProgress({
    label,
    total,
    mode: quiet ? "silent" : terminal.isTTY ? "tty" : "json",
    write: (text) => terminal.line(text.replace(/\n$/, "")),
    status: (text) => terminal.status(text),
    columns: terminal.columns,
  });
}
