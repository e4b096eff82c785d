/**
 * Signals as one request to stop: the first aborts, those within a grace
 * period of it are the same request (one Ctrl-C under `deno task` arrives
 * twice at once: the terminal signals the process group and `deno task`
 * forwards it), and only a signal after the grace period forces the stop.
 *
 * @module
 */
import { InterruptedError } from "../errors.ts";

/** Options of {@linkcode signalHandler} (and the kernel's `withSignals`). */
export interface SignalOptions {
  /**
   * How long after the first signal further signals count as the same
   * request, in milliseconds.
   *
   * @default {2000}
   */
  graceMs?: number;
  /**
   * Called on a signal after the grace period, before the process exits 130:
   * mark what runs as interrupted, print what can be printed. It must be
   * synchronous and must not throw.
   */
  onForce?: () => void;
  /** Ends the process when a stop is forced. @default {Deno.exit} */
  exit?: (code: number) => void;
  /** The clock. @default {performance.now} */
  now?: () => number;
  /** The signals listened for. @default {["SIGINT", "SIGTERM"]} */
  signals?: readonly Deno.Signal[];
}

/**
 * Reacts to signals: the first aborts, those within the grace period are
 * ignored, the next one forces the stop. Pure logic, so it can be driven
 * without sending real signals.
 *
 * @param controller The controller to abort on the first signal.
 * @param options Grace period, force hook, exit, clock.
 * @returns The handler to register for each signal.
 *
 * @example Two signals at once are one stop; a third, later, forces it
 * ```ts
 * import { signalHandler } from "./signals.ts";
 * import assert from "node:assert/strict";
 * let t = 0;
 * const exits: number[] = [];
 * const controller = new AbortController();
 * const onSignal = signalHandler(controller, { now: () => t, exit: (c) => exits.push(c) });
 * onSignal();
 * t = 5;
 * onSignal();
 * assert.equal(controller.signal.aborted, true);
 * assert.deepEqual(exits, []);
 * t = 2500;
 * onSignal();
 * assert.deepEqual(exits, [130]);
 * ```
 */
export function signalHandler(
  controller: AbortController,
  options: SignalOptions = {},
): () => void {
  const { graceMs = 2000, onForce, exit = Deno.exit, now = () => performance.now() } = options;
  let first: number | undefined;
  return () => {
    if (first === undefined) {
      first = now();
      controller.abort(new InterruptedError());
      return;
    }
    if (now() - first < graceMs) return;
    onForce?.();
    exit(new InterruptedError().exitCode);
  };
}

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
