/**
 * A pipeline as the kernel runs it: a {@linkcode Runnable} whose work is its
 * steps, each a task run of its own (with its own validation, pre-flight,
 * record and layers). Steps completed by the run being resumed are not run
 * again; their outputs are reused.
 *
 * @module
 */
import { exitCodeOf, messageOf, WeirError } from "../lib/errors.ts";
import type { TaskContext } from "./context.ts";
import type { Pipeline } from "./pipeline.ts";
import type { Runnable } from "./phases.ts";
import type { FinalStatus } from "./run_records.ts";
import type { ItemFailure } from "../lib/counters.ts";

/** How one step's task run ended, as the pipeline needs it. */
export interface StepResult {
  /** How it ended. */
  status: FinalStatus;
  /** Its output. */
  output?: unknown;
  /** Its counters. */
  counters: Record<string, number>;
  /** Its failed items. */
  failures: ItemFailure[];
  /** Why it failed. */
  error?: string;
  /** Its exit code. */
  exitCode: number;
}

/** Runs one step's task as a child of the pipeline's run. */
export type StepRunner = (
  step: { name: string; task: string; sandbox: boolean },
  input: unknown,
  ctx: TaskContext,
) => Promise<StepResult>;

/**
 * A step of the pipeline failed or could not start. Its exit code is the
 * step's (2 for a step whose input or permissions were refused).
 *
 * @example
 * ```ts
 * import { StepFailedError } from "./pipeline_run.ts";
 * import assert from "node:assert/strict";
 * const err = new StepFailedError('Step "copy" failed: disk full', 1);
 * assert.equal(err.exitCode, 1);
 * ```
 */
export class StepFailedError extends WeirError {
  /**
   * Creates the error.
   *
   * @param message Which step and why.
   * @param exitCode The step's exit code.
   * @param options The cause.
   */
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, "step_failed", exitCode as WeirError["exitCode"], options);
    this.name = "StepFailedError";
  }
}

/**
 * Makes a pipeline runnable by the kernel.
 *
 * @param pipeline The pipeline.
 * @param done Outputs of the steps the resumed run completed, by step name.
 * @param runStep Runs one step's task.
 * @returns The runnable; its output is the outputs by step name.
 *
 * @example
 * ```ts ignore
 * const unit = pipelineRunnable(pipeline, new Map(), (step, input, ctx) => kernel.runTask(...));
 * ```
 */
export function pipelineRunnable(
  pipeline: Pipeline,
  done: ReadonlyMap<string, unknown>,
  runStep: StepRunner,
): Runnable {
  return {
    kind: "pipeline",
    name: pipeline.name,
    input: pipeline.params,
    // Each step checks its own permissions when it starts; the pipeline needs only the home.
    needs: () => ({}),
    async run(ctx, params) {
      const outputs: Record<string, unknown> = {};
      for (const step of pipeline.steps) {
        if (done.has(step.name)) {
          outputs[step.name] = done.get(step.name);
          ctx.log.info(`step "${step.name}" already done in this run; skipped`, {
            step: step.name,
          });
          continue;
        }
        if (ctx.signal.aborted) break;
        let input: unknown;
        try {
          input = await (step.input as (p: unknown, o: unknown) => unknown)(params, outputs);
        } catch (err) {
          throw new StepFailedError(
            `Cannot build the input of step "${step.name}": ${messageOf(err)}`,
            1,
            { cause: err },
          );
        }
        let result: StepResult;
        try {
          result = await runStep(step, input, ctx);
        } catch (err) {
          throw new StepFailedError(
            `Step "${step.name}" could not start: ${messageOf(err)}`,
            exitCodeOf(err),
            { cause: err },
          );
        }
        for (const [k, v] of Object.entries(result.counters)) {
          ctx.counters.add(`${step.name}.${k}`, v);
        }
        for (const f of result.failures) {
          ctx.failures.add(`${step.name}: ${f.item}`, f.reason, f.retryable);
        }
        if (result.status === "interrupted") break;
        if (result.status === "failed") {
          throw new StepFailedError(`Step "${step.name}" failed: ${result.error}`, result.exitCode);
        }
        outputs[step.name] = result.output;
      }
      return outputs;
    },
  };
}
