/**
 * The layers that wrap every task run, onion style: each gets the call and
 * `next`, and does its work before and after. Validation and the permission
 * pre-flight come first, so nothing is read or written for a run that
 * cannot start.
 *
 * @module
 */
import type { SchemaIssue } from "./schema.ts";
import type { ContextParts, TaskContext } from "./context.ts";
import { createTaskContext } from "./context.ts";
import { type InputIssue, TaskInputError } from "./errors.ts";
import type { Logger } from "./report/logger.ts";
import { assertPermissions, mergeNeeds, type PermissionNeeds } from "./permissions.ts";
import type { RunRecords, RunStatus } from "./run_records.ts";
import type { AnyTask } from "./task.ts";
import type { WeirConfig } from "./config.ts";
import type { Terminal } from "./report/terminal.ts";

/** The state of one task run as it passes through the layers. */
export interface TaskCall {
  /** The task. */
  readonly task: AnyTask;
  /** The input as given. */
  readonly raw: unknown;
  /** The run id. */
  readonly runId: string;
  /** The pipeline run this call is a step of. */
  readonly parentId?: string;
  /** The step name. */
  readonly step?: string;
  /** The configuration. */
  readonly config: WeirConfig;
  /** The run's logger. */
  readonly log: Logger;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Where progress goes. */
  readonly terminal: Terminal;
  /** Whether only errors are shown. */
  readonly quiet: boolean;
  /** Opens the kernel's run store (after the pre-flight). */
  readonly records: () => RunRecords;
  /** Runs the task itself (directly or in a sandbox). */
  readonly invoke: (call: TaskCall, ctx: TaskContext) => Promise<unknown>;
  /** The validated input, once validated. */
  input?: unknown;
  /** What the run needs, once computed. */
  needs?: PermissionNeeds;
  /** The context, once created. */
  ctx?: TaskContext;
  /** The validated output, once returned. */
  output?: unknown;
}

/** A layer: work before and after `next`. */
export type Layer = (call: TaskCall, next: () => Promise<void>) => Promise<void>;

/**
 * Composes layers around a final step, outermost first.
 *
 * @param layers The layers.
 * @param last The innermost step.
 * @returns A function running the whole onion.
 *
 * @example
 * ```ts
 * import { compose, type Layer } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const a: Layer = async (_c, next) => { seen.push("a>"); await next(); seen.push("<a"); };
 * await compose([a], () => { seen.push("run"); return Promise.resolve(); })({} as never);
 * assert.deepEqual(seen, ["a>", "run", "<a"]);
 * ```
 */
export function compose(
  layers: readonly Layer[],
  last: (call: TaskCall) => Promise<void>,
): (call: TaskCall) => Promise<void> {
  return (call) => {
    const at = (i: number): Promise<void> =>
      i === layers.length ? last(call) : layers[i](call, () => at(i + 1));
    return at(0);
  };
}

/**
 * Turns schema issues into input issues naming each field.
 *
 * @param error The schema's error.
 * @returns One issue per problem.
 */
export function inputIssues(error: { readonly issues: readonly SchemaIssue[] }): InputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/** Validates the input with the task's schema, collecting every issue. */
export async function validateInput(call: TaskCall, next: () => Promise<void>): Promise<void> {
  const parsed = call.task.input.safeParse(call.raw ?? {});
  if (!parsed.success) throw new TaskInputError(call.task.id, inputIssues(parsed.error));
  call.input = parsed.data;
  await next();
}

/** The kernel's own needs: its home directory, for run records. */
export function kernelNeeds(config: WeirConfig): PermissionNeeds {
  return { read: [config.home], write: [config.home] };
}

/** Checks every declared permission before anything is touched. */
export async function preflight(call: TaskCall, next: () => Promise<void>): Promise<void> {
  call.needs = mergeNeeds(kernelNeeds(call.config), call.task.permissions(call.input, call.config));
  assertPermissions(call.task.id, call.needs);
  call.log.debug("permissions granted", { needs: call.needs });
  await next();
}

/** Creates the context and closes what it opened, whatever happens. */
export async function provideContext(call: TaskCall, next: () => Promise<void>): Promise<void> {
  const parts: ContextParts = {
    runId: call.runId,
    taskId: call.task.id,
    log: call.log,
    signal: call.signal,
    config: call.config,
    terminal: call.terminal,
    quiet: call.quiet,
    runs: call.records(),
  };
  const { ctx, dispose } = createTaskContext(parts);
  call.ctx = ctx;
  try {
    await next();
  } finally {
    await dispose();
  }
}

/**
 * The status a run ended with.
 *
 * @param call The call.
 * @param error What was thrown, if anything.
 * @returns The status.
 */
export function statusOf(call: TaskCall, error: unknown): Exclude<RunStatus, "running"> {
  if (call.signal.aborted) return "interrupted";
  if (error !== undefined) return "failed";
  return (call.ctx?.failures.size ?? 0) > 0 ? "partial" : "succeeded";
}

/** Writes the run record: a row at the start, status and manifest at the end. */
export async function recordRun(call: TaskCall, next: () => Promise<void>): Promise<void> {
  const records = call.records();
  records.start({
    id: call.runId,
    kind: "task",
    name: call.task.id,
    params: call.input,
    parentId: call.parentId,
    step: call.step,
  });
  let error: unknown;
  try {
    await next();
  } catch (err) {
    error = err;
    throw err;
  } finally {
    records.finish(call.runId, {
      status: statusOf(call, error),
      output: call.output,
      counters: call.ctx?.counters.toJSON(),
      failures: call.ctx?.failures.list(),
      error: error === undefined ? undefined : messageOf(error),
    });
  }
}

/** Logs the start and end of a run with its duration and counters. */
export async function logRun(call: TaskCall, next: () => Promise<void>): Promise<void> {
  const started = performance.now();
  call.log.info("started", { input: call.input });
  let error: unknown;
  try {
    await next();
  } catch (err) {
    error = err;
    throw err;
  } finally {
    const fields = {
      status: statusOf(call, error),
      duration_ms: Math.round(performance.now() - started),
      counters: call.ctx?.counters.toJSON(),
    };
    if (error !== undefined && !call.signal.aborted) {
      call.log.error(`failed: ${messageOf(error)}`, fields);
    } else call.log.info("finished", fields);
  }
}

/** The default layer stack, outermost first. */
export const DEFAULT_LAYERS: readonly Layer[] = [
  validateInput,
  preflight,
  recordRun,
  provideContext,
  logRun,
];

/** Runs the task and validates what it returns. */
export async function invokeTask(call: TaskCall): Promise<void> {
  const raw = await call.invoke(call, call.ctx!);
  const parsed = call.task.output.safeParse(raw);
  if (!parsed.success) {
    const issues = inputIssues(parsed.error).map((i) => `"${i.path}": ${i.message}`).join("; ");
    throw new TypeError(
      `Cannot accept the output of "${call.task.id}" as it is invalid: ${issues}`,
    );
  }
  call.output = parsed.data;
}

/**
 * The message of anything thrown.
 *
 * @param err What was thrown.
 * @returns Its message.
 */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
