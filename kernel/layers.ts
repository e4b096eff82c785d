/**
 * The layers that wrap every run, task or pipeline, onion style: the run
 * record, the log lines, and the sandbox. They come after validation and
 * the pre-flight (`phases.ts`): a run that cannot start touches nothing.
 *
 * @module
 */
import { messageOf } from "../lib/errors.ts";
import type { Layer, Outcome, Run } from "./phases.ts";
import type { RunRecords } from "./run_records.ts";

/**
 * Writes the run record: a row (and a held lock) at the start; status,
 * output, counters, failures and the manifest at the end. When the end
 * cannot be written (a full disk, a failed write) the run is failed with an
 * error naming the file, so the caller still gets an outcome to report.
 *
 * @param records Opens the run store (after the pre-flight granted the home).
 * @returns The layer.
 *
 * @example
 * ```ts ignore
 * const layers = [recordLayer(() => kernel.records()), logLayer];
 * ```
 */
export function recordLayer(records: () => RunRecords): Layer {
  return async function recordRun(run: Run, next: () => Promise<Outcome>): Promise<Outcome> {
    const store = records();
    store.start({
      id: run.request.runId,
      kind: run.unit.kind,
      name: run.unit.name,
      params: run.input,
      parentId: run.request.parentId,
      step: run.request.step,
    });
    let outcome: Outcome;
    try {
      outcome = await next();
    } catch (error) {
      // Layers return errors as outcomes; this is a bug in one, recorded all the same.
      outcome = { status: "failed", error };
    }
    try {
      store.finish(run.request.runId, {
        status: outcome.status,
        output: outcome.output,
        counters: run.ctx.counters.toJSON(),
        failures: run.ctx.failures.list(),
        error: outcome.error === undefined ? undefined : messageOf(outcome.error),
      });
    } catch (error) {
      run.log.error(messageOf(error));
      return { status: "failed", output: outcome.output, error };
    }
    return outcome;
  };
}

/**
 * Logs the start and end of a run with its duration and counters.
 *
 * @param run The run.
 * @param next The rest of the run.
 * @returns The outcome, unchanged.
 *
 * @example
 * ```ts ignore
 * const outcome = await logLayer(run, () => work(run));
 * ```
 */
export async function logLayer(run: Run, next: () => Promise<Outcome>): Promise<Outcome> {
  const started = performance.now();
  run.log.info("started", { input: run.input });
  const outcome = await next();
  const fields = {
    status: outcome.status,
    duration_ms: Math.round(performance.now() - started),
    counters: run.ctx.counters.toJSON(),
  };
  if (outcome.status === "failed") {
    run.log.error(`failed: ${messageOf(outcome.error)}`, fields);
  } else run.log.info("finished", fields);
  return outcome;
}
