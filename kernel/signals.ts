/**
 * SIGINT and SIGTERM become an AbortSignal: the running task finishes its
 * current unit of work, commits, and returns; the CLI exits 130. A signal
 * after the grace period (`lib/async/signals.ts`) forces the stop, once
 * `onForce` has left the run record resumable.
 *
 * @module
 */
import { signalHandler, type SignalOptions } from "../lib/async/signals.ts";

export type { SignalOptions } from "../lib/async/signals.ts";

/**
 * Listens for SIGINT/SIGTERM while `fn` runs.
 *
 * @param fn The work, given the signal.
 * @param options Grace period and what to do when a stop is forced.
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
export async function withSignals<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: SignalOptions = {},
): Promise<T> {
  const controller = new AbortController();
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const onSignal = signalHandler(controller, options);
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}
