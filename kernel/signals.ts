/**
 * SIGINT and SIGTERM become an AbortSignal: the running task finishes its
 * current unit of work, commits, and returns; the CLI exits 130. A second
 * signal exits at once (state is still consistent: every unit commits
 * atomically).
 *
 * @module
 */
import { ExitCode, InterruptedError } from "../lib/errors.ts";

/**
 * Listens for SIGINT/SIGTERM while `fn` runs.
 *
 * @param fn The work, given the signal.
 * @returns What `fn` returns.
 *
 * @example
 * ```ts
 * import { withSignals } from "./signals.ts";
 * import assert from "node:assert/strict";
 * const aborted = await withSignals((signal) => Promise.resolve(signal.aborted));
 * assert.equal(aborted, false);
 * ```
 */
export async function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    if (controller.signal.aborted) Deno.exit(ExitCode.interrupted);
    controller.abort(new InterruptedError());
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}
