/**
 * `weir run <task> --help` and `weir pipeline <name> --help`: the summary
 * and the flags, both read from the input schema.
 *
 * @module
 */
import type { Registry } from "../kernel/registry.ts";
import { inputJsonSchema } from "./json_schema.ts";
import { flagSpecs, type JsonSchema } from "./schema_flags.ts";

/**
 * One line per schema flag: its name, type, whether it is required, its
 * default and its description.
 *
 * @param schema The input's JSON Schema.
 * @returns The lines, indented by two spaces.
 *
 * @example
 * ```ts
 * import { flagLines } from "./help.ts";
 * import assert from "node:assert/strict";
 * const lines = flagLines({
 *   type: "object",
 *   properties: { limit: { type: "integer", default: 10, description: "how many" } },
 * });
 * assert.deepEqual(lines, ["  --limit <integer> (default 10)  how many"]);
 * ```
 */
export function flagLines(schema: JsonSchema): string[] {
  return flagSpecs(schema).map((f) => {
    const type = f.schema.enum ? f.schema.enum.join("|") : f.schema.type ?? "json";
    const dflt = f.schema.default !== undefined
      ? ` (default ${JSON.stringify(f.schema.default)})`
      : "";
    const req = f.required ? " (required)" : "";
    const desc = f.schema.description ? `  ${f.schema.description}` : "";
    return `  ${f.flag} <${type}>${req}${dflt}${desc}`;
  });
}

const PARAMS_LINES = [
  "  --params <json>        the whole input as JSON",
  "  --params-file <path>   the input from a JSON file",
];

/**
 * The text of `weir run <task> --help`.
 *
 * @param registry The registry.
 * @param id The task id.
 * @returns The help text.
 * @throws {UsageError} For an unknown task.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { taskHelp } from "./help.ts";
 * import { Registry } from "../kernel/registry.ts";
 * import { definePlugin, lazyTask } from "../kernel/plugin.ts";
 * import { defineTask } from "../kernel/task.ts";
 * import assert from "node:assert/strict";
 * const greet = defineTask({
 *   id: "hello.greet",
 *   summary: "Greets someone",
 *   input: z.object({ name: z.string().default("world") }),
 *   output: z.object({ text: z.string() }),
 *   permissions: () => ({}),
 *   run: (_ctx, i) => Promise.resolve({ text: `hello ${i.name}` }),
 * });
 * const registry = new Registry().add(definePlugin({
 *   name: "hello",
 *   version: "1.0.0",
 *   summary: "Greetings",
 *   tasks: [lazyTask("hello.greet", greet.summary, () => Promise.resolve(greet))],
 * }));
 * assert.match(await taskHelp(registry, "hello.greet"), /--name <string> \(default "world"\)/);
 * ```
 */
export async function taskHelp(registry: Registry, id: string): Promise<string> {
  const task = await registry.load(id);
  return [
    `weir run ${task.id} [flags]`,
    "",
    task.summary,
    "",
    "Flags:",
    ...flagLines(inputJsonSchema(task.input)),
    ...PARAMS_LINES,
    "",
    `See the JSON Schema and permissions with: weir describe ${task.id}`,
  ].join("\n") + "\n";
}

/**
 * The text of `weir pipeline <name> --help`: its summary, its steps and the
 * flags of its params.
 *
 * @param registry The registry.
 * @param name The pipeline name.
 * @returns The help text.
 * @throws {UsageError} For an unknown pipeline.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { pipelineHelp } from "./help.ts";
 * import { Registry } from "../kernel/registry.ts";
 * import { definePipeline } from "../kernel/pipeline.ts";
 * import assert from "node:assert/strict";
 * const nightly = definePipeline("nightly", "Nightly sync", z.object({ full: z.boolean().default(false) }))
 *   .step("hello", "hello.greet", () => ({}))
 *   .build();
 * const registry = new Registry().addPipelines({
 *   name: "nightly",
 *   summary: nightly.summary,
 *   load: () => Promise.resolve(nightly),
 * });
 * const help = await pipelineHelp(registry, "nightly");
 * assert.match(help, /^weir pipeline nightly \[flags\]/);
 * assert.match(help, /--full <boolean> \(default false\)/);
 * assert.match(help, /--resume <run-id>/);
 * ```
 */
export async function pipelineHelp(registry: Registry, name: string): Promise<string> {
  const pipeline = await registry.loadPipeline(name);
  return [
    `weir pipeline ${pipeline.name} [flags]`,
    "",
    pipeline.summary,
    "",
    "Steps:",
    ...pipeline.steps.map((s) => {
      const width = Math.max(...pipeline.steps.map((x) => x.name.length));
      return `  ${s.name.padEnd(width)}  (${s.task})`;
    }),
    "",
    "Flags:",
    ...flagLines(inputJsonSchema(pipeline.params)),
    ...PARAMS_LINES,
    "  --resume <run-id>      continue an interrupted or failed run of this pipeline",
    "",
    `See the JSON Schema with: weir describe ${pipeline.name}`,
  ].join("\n") + "\n";
}
