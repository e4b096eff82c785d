/**
 * weir: a Deno-native toolkit for data-synchronization jobs.
 *
 * A small kernel loads plugins; each plugin provides typed tasks for one
 * subsystem; pipelines compose tasks; every run is validated, checked
 * against its declared permissions, recorded, and resumable.
 *
 * @example Write a plugin with one task
 * ```ts
 * import { z } from "zod";
 * import { definePlugin, defineTask, lazyTask } from "./mod.ts";
 *
 * const count = defineTask({
 *   id: "words.count",
 *   summary: "Counts the words of a text",
 *   input: z.object({ text: z.string() }),
 *   output: z.object({ words: z.number() }),
 *   permissions: () => ({}),
 *   run: (ctx, input) => {
 *     const words = input.text.split(/\s+/).filter(Boolean).length;
 *     ctx.counters.add("words", words);
 *     return Promise.resolve({ words });
 *   },
 * });
 *
 * export const plugin = definePlugin({
 *   name: "words",
 *   version: "1.0.0",
 *   summary: "Text statistics",
 *   tasks: [lazyTask(count.id, count.summary, () => Promise.resolve(count))],
 * });
 * ```
 *
 * @module
 */
// The kernel: tasks, plugins, pipelines, runs.
export * from "./kernel/errors.ts";
export * from "./kernel/task.ts";
export * from "./kernel/plugin.ts";
export * from "./kernel/registry.ts";
export * from "./kernel/pipeline.ts";
export * from "./kernel/context.ts";
export * from "./lib/counters.ts";
export * from "./kernel/config.ts";
export * from "./kernel/permissions.ts";
export * from "./lib/permissions.ts";
export * from "./kernel/store_needs.ts";
export * from "./kernel/kernel.ts";
export * from "./kernel/layers.ts";
export * from "./kernel/phases.ts";
export * from "./kernel/pipeline_run.ts";
export * from "./kernel/sandbox.ts";
export * from "./kernel/run_records.ts";
export * from "./lib/schema.ts";
export * from "./kernel/report/logger.ts";
export * from "./lib/terminal.ts";
export { stderr } from "./kernel/report/terminal.ts";
export * from "./lib/redact.ts";
export { runProgress } from "./lib/progress_terminal.ts";

export { VERSION } from "./kernel/version.ts";
// The library: building blocks that know nothing of tasks.
export * from "./lib/errors.ts";
export * from "./lib/hash.ts";
export * from "./lib/json_file.ts";
export * from "./lib/random.ts";
export { sortableId, sortableId as newRunId } from "./lib/sortable_id.ts";
export * from "./lib/progress.ts";
export * from "./lib/error_wire.ts";
export * from "./lib/async/mod.ts";
export * from "./lib/child/mod.ts";
export * from "./lib/sqlite/mod.ts";
export * from "./lib/objects/mod.ts";
export * from "./lib/leases/mod.ts";
export * from "./lib/regex/mod.ts";
