/**
 * An abortable wait.
 *
 * @module
 */

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts.
 *
 * @param ms How long to wait.
 * @param signal Stops the wait.
 * @returns When the time has passed.
 * @throws The signal's reason, when it aborts.
 *
 * @example An aborted wait rejects at once
 * ```ts
 * import assert from "node:assert/strict";
 * import { delay } from "./delay.ts";
 * const controller = new AbortController();
 * const wait = delay(60_000, controller.signal);
 * controller.abort(new Error("stop"));
 * await assert.rejects(wait, { message: "stop" });
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
