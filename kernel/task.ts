/**
 * The unit of work: a typed task with an input and output schema, declared
 * permissions and a `run` function.
 *
 * @module
 */
import type { Schema, SchemaInput, SchemaOutput } from "../lib/schema.ts";
import type { TaskContext } from "./context.ts";
import type { WeirConfig } from "./config.ts";
import type { PermissionNeeds } from "../lib/permissions.ts";

/** The shape of a task id: `plugin.verb`, lower case, `_` or `-` allowed. */
export const TASK_ID = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/;

/**
 * A task: the unit of work plugins provide.
 *
 * @typeParam I The (zod) schema of the input.
 * @typeParam O The (zod) schema of the output.
 */
export interface Task<I extends Schema = Schema, O extends Schema = Schema> {
  /** `plugin.verb`, e.g. `streaming.sync`. */
  readonly id: string;
  /** One line saying what the task does. */
  readonly summary: string;
  /** Validates and defaults the input; CLI flags and `describe` derive from it. */
  readonly input: I;
  /** Validates what `run` returns. */
  readonly output: O;
  /**
   * What the task will touch for this input: paths read and written, hosts
   * reached, env vars read. Checked before `run` is called.
   */
  permissions(
    input: SchemaOutput<I>,
    config: WeirConfig,
  ): PermissionNeeds | Promise<PermissionNeeds>;
  /** Does the work. Must stop soon after `ctx.signal` aborts. */
  run(ctx: TaskContext, input: SchemaOutput<I>): Promise<SchemaInput<O>>;
}

/** Any task, whatever its schemas. */
// deno-lint-ignore no-explicit-any
export type AnyTask = Task<any, any>;

/** The input a task accepts before defaults are applied. */
export type TaskInput<T extends AnyTask> = SchemaInput<T["input"]>;

/** What a task's output looks like after validation. */
export type TaskOutput<T extends AnyTask> = SchemaOutput<T["output"]>;

/**
 * Task ids mapped to their task types. Plugins extend it by declaration
 * merging so pipelines get typed inputs and outputs from a task id alone:
 *
 * ```ts ignore
 * declare module "../../kernel/task.ts" {
 *   interface TaskMap { "example.snapshot": typeof snapshotTask }
 * }
 * ```
 */
// deno-lint-ignore no-empty-interface
export interface TaskMap {}

/**
 * Defines a task, checking its id and naming its `run` function after it so
 * stack traces and logs say which task ran.
 *
 * @param task The task's parts.
 * @returns The same task, frozen.
 * @throws {TypeError} When the id is not `plugin.verb`.
 *
 * @example Define a task with typed input
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./task.ts";
 * import assert from "node:assert/strict";
 *
 * const greet = defineTask({
 *   id: "hello.greet",
 *   summary: "Greets someone",
 *   input: z.object({ name: z.string().default("world") }),
 *   output: z.object({ text: z.string() }),
 *   permissions: () => ({}),
 *   run: (_ctx, input) => Promise.resolve({ text: `hello ${input.name}` }),
 * });
 * assert.equal(greet.run.name, "hello.greet");
 * ```
 */
export function defineTask<I extends Schema, O extends Schema>(
  task: Task<I, O>,
): Task<I, O> {
  if (!TASK_ID.test(task.id)) {
    throw new TypeError(
      `Cannot define task as its id must look like "plugin.verb": current value is "${task.id}"`,
    );
  }
  const run = task.run.bind(task);
  Object.defineProperty(run, "name", { value: task.id });
  return Object.freeze({ ...task, run });
}
