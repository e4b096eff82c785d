/**
 * Plugins: a named, versioned set of tasks for one subsystem. Tasks are
 * listed eagerly (id and summary) and loaded lazily, so `weir list` never
 * pays for a task's dependencies.
 *
 * @module
 */
import type { AnyTask } from "./task.ts";
import { TASK_ID } from "./task.ts";

/** A task as a plugin lists it: known by id and summary, loaded on demand. */
export interface TaskEntry {
  /** `plugin.verb`. */
  readonly id: string;
  /** One line saying what the task does. */
  readonly summary: string;
  /** Imports the task's module and returns the task. */
  load(): Promise<AnyTask>;
}

/** A plugin: one subsystem's tasks. */
export interface Plugin {
  /** Lower-case name, the prefix of every task id. */
  readonly name: string;
  /** The plugin's version (semver). */
  readonly version: string;
  /** One line saying what the subsystem does. */
  readonly summary: string;
  /** The tasks, in the order `weir list` shows them. */
  readonly tasks: readonly TaskEntry[];
  /**
   * The URL of the module that exports this plugin (as `plugin` or default).
   * Needed to run one of its tasks in a sandboxed Worker.
   */
  readonly url?: string;
  /** Its tasks run only in the sandbox (a plugin loaded from outside, known by its manifest). */
  readonly sandbox?: boolean;
}

/**
 * Lists a task whose module is imported only when the task is run or
 * described. Write `load` with a literal `import("./x.ts")` so
 * `deno compile` bundles the module.
 *
 * @param id The task id, `plugin.verb`.
 * @param summary One line saying what it does.
 * @param load Imports the module and returns the task.
 * @returns The entry.
 *
 * @example
 * ```ts ignore
 * import { lazyTask } from "./plugin.ts";
 * const entry = lazyTask("example.snapshot", "Copies files", async () =>
 *   (await import("../plugins/example/snapshot.ts")).snapshotTask());
 * ```
 */
export function lazyTask(id: string, summary: string, load: () => Promise<AnyTask>): TaskEntry {
  return { id, summary, load };
}

/**
 * Defines a plugin, checking that every task id starts with its name.
 *
 * @param plugin The plugin's parts.
 * @returns The same plugin, frozen.
 * @throws {TypeError} When the name or a task id is malformed or repeated.
 *
 * @example A plugin with one lazily loaded task
 * ```ts
 * import { definePlugin, lazyTask } from "./plugin.ts";
 * import assert from "node:assert/strict";
 * const plugin = definePlugin({
 *   name: "hello",
 *   version: "1.0.0",
 *   summary: "Says hello",
 *   tasks: [lazyTask("hello.greet", "Greets someone", () => Promise.reject(new Error("unused")))],
 * });
 * assert.equal(plugin.tasks[0].id, "hello.greet");
 * ```
 */
export function definePlugin(plugin: Plugin): Plugin {
  if (!/^[a-z][a-z0-9_-]*$/.test(plugin.name)) {
    throw new TypeError(
      `Cannot define plugin as its name must be lower-case letters, digits, "_" or "-": current value is "${plugin.name}"`,
    );
  }
  const seen = new Set<string>();
  for (const task of plugin.tasks) {
    if (!TASK_ID.test(task.id) || !task.id.startsWith(`${plugin.name}.`)) {
      throw new TypeError(
        `Cannot define plugin "${plugin.name}" as a task id must look like "${plugin.name}.verb": current value is "${task.id}"`,
      );
    }
    if (seen.has(task.id)) {
      throw new TypeError(
        `Cannot define plugin "${plugin.name}" as task "${task.id}" is listed twice`,
      );
    }
    seen.add(task.id);
  }
  return Object.freeze({ ...plugin, tasks: Object.freeze([...plugin.tasks]) });
}
