/**
 * The phases every run moves through, task or pipeline alike: a request is
 * validated, then its permissions are checked, then it runs through the
 * layers, and an outcome comes back out. Each phase produces a new,
 * immutable value; nothing is filled in later.
 *
 * @module
 */
import type { WeirConfig } from "./config.ts";
import type { TaskContext } from "./context.ts";
import { type InputIssue, TaskInputError } from "./errors.ts";
import { mergeNeeds, type PermissionNeeds } from "../lib/permissions.ts";
import { assertPermissions } from "./permissions.ts";
import type { Logger } from "./report/logger.ts";
import type { FinalStatus } from "./run_records.ts";
import type { Schema, SchemaIssue } from "../lib/schema.ts";
import { weirSourceNeeds } from "./source.ts";
import { withRealPaths } from "../lib/real_path.ts";
import { WeirError } from "../lib/errors.ts";

/** Something the kernel runs: a task, or a pipeline of tasks. */
export interface Runnable {
  /** A task run or a pipeline run. */
  readonly kind: "task" | "pipeline";
  /** The task id or pipeline name. */
  readonly name: string;
  /** Validates and defaults the input (a pipeline's params). */
  readonly input: Schema;
  /** Validates what `run` returns; absent: any output is accepted. */
  readonly output?: Schema;
  /** What a run with this input will touch, beyond the kernel's own home. */
  needs(input: unknown, config: WeirConfig): PermissionNeeds | Promise<PermissionNeeds>;
  /** Does the work. */
  run(ctx: TaskContext, input: unknown): Promise<unknown>;
  /** The module exporting the task's plugin, for running it in a sandboxed Worker. */
  readonly module?: string;
  /** Runs only in the sandbox, whatever the request says. */
  readonly sandbox?: boolean;
}

/** What was asked for. */
export interface RunRequest {
  /** The run id. */
  readonly runId: string;
  /** The input as given. */
  readonly raw: unknown;
  /** The pipeline run this run is a step of. */
  readonly parentId?: string;
  /** The step's name in that pipeline. */
  readonly step?: string;
  /** Run in a Worker granted only the declared permissions. */
  readonly sandbox: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** A run that passed validation and the permission pre-flight: what every layer sees. */
export interface Run {
  /** What runs. */
  readonly unit: Runnable;
  /** What was asked. */
  readonly request: RunRequest;
  /** The validated input. */
  readonly input: unknown;
  /** Everything it may touch, the kernel's home included. */
  readonly needs: PermissionNeeds;
  /** The run's logger, carrying its id. */
  readonly log: Logger;
  /** The context the work gets. */
  readonly ctx: TaskContext;
}

/** How a run ended, as it travels back out through the layers. */
export interface Outcome {
  /** How it ended. */
  readonly status: FinalStatus;
  /** The validated output, when it returned one (or its error carried one). */
  readonly output?: unknown;
  /** What was thrown, when it failed. */
  readonly error?: unknown;
}

/** A layer: work before and after the rest of the run, which `next` performs. */
export type Layer = (run: Run, next: () => Promise<Outcome>) => Promise<Outcome>;

/**
 * Composes layers around the innermost step, outermost first.
 *
 * @param layers The layers.
 * @param last The innermost step.
 * @returns A function running the whole onion.
 *
 * @example
 * ```ts
 * import { compose, type Layer, type Run } from "./phases.ts";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const a: Layer = (_run, next) => (seen.push("a"), next());
 * const run = compose([a], () => (seen.push("run"), Promise.resolve({ status: "succeeded" })));
 * assert.equal((await run({} as Run)).status, "succeeded");
 * assert.deepEqual(seen, ["a", "run"]);
 * ```
 */
export function compose(
  layers: readonly Layer[],
  last: (run: Run) => Promise<Outcome>,
): (run: Run) => Promise<Outcome> {
  return (run) => {
    const at = (i: number): Promise<Outcome> =>
      i === layers.length ? last(run) : layers[i](run, () => at(i + 1));
    return at(0);
  };
}

/** Schema issues as input issues, each naming its field. */
function inputIssues(error: { readonly issues: readonly SchemaIssue[] }): InputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/**
 * The first phase: validates the input, collecting every issue.
 *
 * @param unit What runs.
 * @param raw The input as given.
 * @returns The validated input, defaults applied.
 * @throws {TaskInputError} Naming every invalid field, or every key the schema does not know.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { validate, type Runnable } from "./phases.ts";
 * import assert from "node:assert/strict";
 * const unit = { kind: "task", name: "a.b", input: z.object({ n: z.number().default(1) }) };
 * assert.deepEqual(validate(unit as unknown as Runnable, undefined), { n: 1 });
 * ```
 */
export function validate(unit: Runnable, raw: unknown): unknown {
  const parsed = unit.input.safeParse(raw ?? {});
  if (!parsed.success) throw new TaskInputError(unit.name, inputIssues(parsed.error));
  const unknown = unknownKeys(raw, parsed.data);
  if (unknown.length) {
    // A zod object lists every key it knows, optional ones included, in its shape.
    const shape = (unit.input as { shape?: Record<string, unknown> }).shape;
    const known = Object.keys(shape ?? (parsed.data as object)).join(", ") || "none";
    throw new TaskInputError(
      unit.name,
      unknown.map((key) => ({ path: key, message: `Unknown key: known keys are ${known}` })),
    );
  }
  return parsed.data;
}

/**
 * Keys of an object input that its schema dropped: a zod object strips the
 * keys it does not know, so a misspelt option would otherwise pass unseen.
 * Schemas that keep extra keys (loose or catch-all objects) keep them in
 * the output and are not flagged.
 */
function unknownKeys(raw: unknown, data: unknown): string[] {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isRecord(raw) || !isRecord(data)) return [];
  return Object.keys(raw).filter((key) => !(key in data));
}

/**
 * The kernel's own needs: its home directory, for run records, and its
 * source folders, whose modules load on demand.
 *
 * @param config The configuration.
 * @returns Read and write access to the home.
 *
 * @example
 * ```ts
 * import { kernelNeeds } from "./phases.ts";
 * import assert from "node:assert/strict";
 * const needs = kernelNeeds({ home: "/tmp/w" } as never);
 * assert.equal(needs.read?.[0], "/tmp/w");
 * assert.deepEqual(needs.write, ["/tmp/w"]);
 * ```
 */
export function kernelNeeds(config: WeirConfig): PermissionNeeds {
  return mergeNeeds({ read: [config.home], write: [config.home] }, weirSourceNeeds());
}

/**
 * The second phase: checks every permission the run needs before anything
 * is touched.
 *
 * @param unit What runs.
 * @param input Its validated input.
 * @param config The configuration.
 * @returns The needs, the kernel's home included.
 * @throws {PermissionMissingError} Naming the exact flags missing.
 *
 * @example
 * ```ts
 * import { preflight, type Runnable } from "./phases.ts";
 * import assert from "node:assert/strict";
 * const unit = { name: "a.b", needs: () => ({}) } as unknown as Runnable;
 * assert.deepEqual((await preflight(unit, {}, { home: "/tmp" } as never)).write, ["/tmp"]);
 * ```
 */
export async function preflight(
  unit: Runnable,
  input: unknown,
  config: WeirConfig,
): Promise<PermissionNeeds> {
  const needs = withRealPaths(mergeNeeds(kernelNeeds(config), await unit.needs(input, config)));
  assertPermissions(unit.name, needs);
  return needs;
}

/**
 * Runs the work and settles how it ended: the output validated, the status
 * from the signal, the error and the failures recorded.
 *
 * @param run The run.
 * @param work Does the work (in this process, or in a sandbox).
 * @returns The outcome; errors are part of it, never thrown.
 *
 * @example A run with failed items is partial
 * ```ts
 * import { settle, type Run } from "./phases.ts";
 * import { Failures } from "../lib/counters.ts";
 * import assert from "node:assert/strict";
 * const failures = new Failures();
 * failures.add("a.md", "bad");
 * const signal = new AbortController().signal;
 * const run = { unit: {}, request: { signal }, ctx: { failures } } as unknown as Run;
 * assert.equal((await settle(run, () => Promise.resolve(1))).status, "partial");
 * ```
 */
export async function settle(run: Run, work: () => Promise<unknown>): Promise<Outcome> {
  const aborted = () => run.request.signal.aborted;
  try {
    const raw = await work();
    const output = checkOutput(run.unit, raw);
    if (aborted()) return { status: "interrupted", output };
    return { status: run.ctx.failures.size > 0 ? "partial" : "succeeded", output };
  } catch (error) {
    // A failure may carry what the task found (a check's findings) as the run's output.
    const output = error instanceof WeirError ? error.output : undefined;
    return { status: aborted() ? "interrupted" : "failed", output, error };
  }
}

function checkOutput(unit: Runnable, raw: unknown): unknown {
  if (!unit.output) return raw;
  const parsed = unit.output.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = inputIssues(parsed.error).map((i) => `"${i.path}": ${i.message}`).join("; ");
  throw new TypeError(`Cannot accept the output of "${unit.name}" as it is invalid: ${issues}`);
}
