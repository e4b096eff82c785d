/**
 * The names a scaffolded plugin is known by: its folder, factory, task id,
 * `deno task` entry and permission set, all derived from the plugin's name
 * and its first task's verb, and validated once here.
 *
 * @module
 */

/** A snake_case word: lower-case letters and digits, words joined by one `_`. */
const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The longest plugin name; keeps generated lines within the formatter's width. */
export const MAX_NAME = 24;

/** The longest verb; keeps generated lines within the formatter's width. */
export const MAX_VERB = 16;

/** Verbs a task may not take: `run` reads as the CLI's `weir run`. */
const RESERVED_VERBS = new Set(["run"]);

/** Every name a scaffolded plugin and its first task are known by. */
export interface PluginNames {
  /** The plugin's name and folder, e.g. `tally`. */
  name: string;
  /** The first task's verb and file name, e.g. `count`. */
  verb: string;
  /** The plugin factory exported by `mod.ts`, e.g. `tallyPlugin`. */
  factory: string;
  /** The task factory exported by the task file, e.g. `countTask`. */
  taskFactory: string;
  /** The task id, e.g. `tally.count`. */
  taskId: string;
  /** The `deno task` entry that runs the task, e.g. `tally:count`. */
  denoTask: string;
  /** The permission set of that entry in deno.json, e.g. `tally-count`. */
  permissionSet: string;
}

/** A name the scaffolder refuses; the CLI exits 2 with its message. */
export class ScaffoldInputError extends Error {
  /** Always `"ScaffoldInputError"`. */
  override name = "ScaffoldInputError";
  /** Always `"invalid_input"`. */
  readonly code = "invalid_input";
}

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function check(what: string, value: string, max: number, example: string): void {
  if (!SNAKE.test(value)) {
    throw new ScaffoldInputError(
      `Cannot scaffold a plugin as its ${what} must be lower-case snake_case such as "${example}": current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  if (value.length > max) {
    throw new ScaffoldInputError(
      `Cannot scaffold a plugin as its ${what} must be at most ${max} characters: current value is ${
        JSON.stringify(value)
      } (${value.length})`,
    );
  }
}

/**
 * Validates a plugin name and a verb, and derives every name from them.
 *
 * @param name The plugin's name: snake_case, at most {@linkcode MAX_NAME} characters.
 * @param verb The first task's verb: snake_case, at most {@linkcode MAX_VERB} characters, not `run`.
 * @returns The names.
 * @throws {ScaffoldInputError} When the name or the verb is refused.
 *
 * @example Derive the names
 * ```ts
 * import { pluginNames } from "./names.ts";
 * import assert from "node:assert/strict";
 * const n = pluginNames("word_stats", "count");
 * assert.equal(n.factory, "wordStatsPlugin");
 * assert.equal(n.taskId, "word_stats.count");
 * assert.equal(n.denoTask, "word_stats:count");
 * assert.equal(n.permissionSet, "word-stats-count");
 * ```
 *
 * @example Refuse a verb that clashes with the CLI
 * ```ts
 * import { pluginNames } from "./names.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => pluginNames("tally", "run"), /current value is "run"/);
 * ```
 */
export function pluginNames(name: string, verb: string): PluginNames {
  check("name", name, MAX_NAME, "tally");
  check("task verb", verb, MAX_VERB, "count");
  if (RESERVED_VERBS.has(verb)) {
    throw new ScaffoldInputError(
      `Cannot scaffold a plugin as its task verb must not read as the CLI's "weir run": current value is ${
        JSON.stringify(verb)
      }`,
    );
  }
  return {
    name,
    verb,
    factory: `${camel(name)}Plugin`,
    taskFactory: `${camel(verb)}Task`,
    taskId: `${name}.${verb}`,
    denoTask: `${name}:${verb}`,
    permissionSet: `${name}-${verb}`.replaceAll("_", "-"),
  };
}
