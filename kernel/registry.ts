/**
 * The registry: which plugins, tasks and pipelines exist, and how to load
 * one by id.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import type { Plugin, TaskEntry } from "./plugin.ts";
import type { AnyTask } from "./task.ts";
import type { Pipeline } from "./pipeline.ts";

/** A pipeline as the registry lists it: loaded on demand. */
export interface PipelineEntry {
  /** The pipeline's name, also its `deno task` entry. */
  readonly name: string;
  /** One line saying what it does. */
  readonly summary: string;
  /** Imports the pipeline's module and returns it. */
  load(): Promise<Pipeline>;
}

/**
 * Holds plugins and pipelines and resolves task ids and pipeline names.
 *
 * @example Register a plugin and resolve one of its tasks
 * ```ts
 * import { Registry } from "./registry.ts";
 * import { definePlugin, lazyTask } from "./plugin.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new Registry().add(definePlugin({
 *   name: "hello", version: "1.0.0", summary: "Says hello",
 *   tasks: [lazyTask("hello.greet", "Greets", () => Promise.reject(new Error("unused")))],
 * }));
 * assert.equal(registry.entry("hello.greet").summary, "Greets");
 * ```
 */
export class Registry {
  #plugins = new Map<string, Plugin>();
  #tasks = new Map<string, { plugin: Plugin; entry: TaskEntry }>();
  #pipelines = new Map<string, PipelineEntry>();

  /**
   * Adds a plugin.
   *
   * @param plugin The plugin to add.
   * @returns This registry, for chaining.
   * @throws {TypeError} When a plugin of the same name is already registered.
   */
  add(plugin: Plugin): this {
    if (this.#plugins.has(plugin.name)) {
      throw new TypeError(
        `Cannot register plugin "${plugin.name}" as a plugin of that name is already registered`,
      );
    }
    this.#plugins.set(plugin.name, plugin);
    for (const entry of plugin.tasks) this.#tasks.set(entry.id, { plugin, entry });
    return this;
  }

  /**
   * Adds pipelines.
   *
   * @param entries The pipelines to add.
   * @returns This registry, for chaining.
   * @throws {TypeError} When a pipeline of the same name is already registered.
   */
  addPipelines(...entries: PipelineEntry[]): this {
    for (const entry of entries) {
      if (this.#pipelines.has(entry.name)) {
        throw new TypeError(
          `Cannot register pipeline "${entry.name}" as one of that name is already registered`,
        );
      }
      this.#pipelines.set(entry.name, entry);
    }
    return this;
  }

  /** The registered plugins, in registration order. */
  plugins(): Plugin[] {
    return [...this.#plugins.values()];
  }

  /** The registered pipelines, in registration order. */
  pipelines(): PipelineEntry[] {
    return [...this.#pipelines.values()];
  }

  /**
   * Finds a task's entry without loading it.
   *
   * @param id The task id.
   * @returns The entry.
   * @throws {UsageError} When no task has that id; the message suggests near names.
   */
  entry(id: string): TaskEntry {
    const found = this.#tasks.get(id);
    if (!found) throw new UsageError(unknown("task", id, [...this.#tasks.keys()]));
    return found.entry;
  }

  /**
   * The plugin that provides a task.
   *
   * @param id The task id.
   * @returns The plugin.
   * @throws {UsageError} When no task has that id.
   */
  pluginOf(id: string): Plugin {
    this.entry(id);
    return this.#tasks.get(id)!.plugin;
  }

  /**
   * Loads a task, checking that the module provides the id it was listed as.
   *
   * @param id The task id.
   * @returns The task.
   * @throws {UsageError} When no task has that id.
   * @throws {TypeError} When the loaded task's id differs from its entry's.
   */
  async load(id: string): Promise<AnyTask> {
    const task = await this.entry(id).load();
    if (task.id !== id) {
      throw new TypeError(
        `Cannot load task "${id}" as its module provides a task with another id: current value is "${task.id}"`,
      );
    }
    return task;
  }

  /**
   * Loads a pipeline by name.
   *
   * @param name The pipeline name.
   * @returns The pipeline.
   * @throws {UsageError} When no pipeline has that name.
   */
  loadPipeline(name: string): Promise<Pipeline> {
    const entry = this.#pipelines.get(name);
    if (!entry) throw new UsageError(unknown("pipeline", name, [...this.#pipelines.keys()]));
    return entry.load();
  }
}

function unknown(kind: string, name: string, known: string[]): string {
  const near = known.filter((k) => distance(k, name) <= Math.max(2, name.length / 3));
  const hint = near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : "";
  return `Cannot find ${kind} "${name}" as no ${kind} of that name is registered${hint} (see "weir list")`;
}

/** Levenshtein distance, for "did you mean" hints on a few dozen names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
