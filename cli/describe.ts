/**
 * `weir describe <task|pipeline>`: the JSON Schema of the input and output,
 * the flags, and the permissions the given (or default) input needs.
 *
 * @module
 */
import { type ConfigFlags, loadConfig } from "../kernel/config.ts";
import { kernelNeeds } from "../kernel/phases.ts";
import { mergeNeeds, needsToFlags, normalizeNeeds } from "../lib/permissions.ts";
import type { Registry } from "../kernel/registry.ts";
import { buildParams } from "./params.ts";
import { inputJsonSchema } from "./json_schema.ts";
import { flagSpecs } from "./schema_flags.ts";

/**
 * Describes a task or pipeline.
 *
 * @param registry The registry.
 * @param name A task id or pipeline name.
 * @param flags Optional params (`--params`, flags) to compute permissions for.
 * @param configFlags Settings from global flags.
 * @returns The description.
 * @throws {UsageError} For an unknown name.
 *
 * @example
 * ```ts ignore
 * const d = await describe(registry, "example.snapshot", [], {});
 * ```
 */
export async function describe(
  registry: Registry,
  name: string,
  flags: readonly string[],
  configFlags: ConfigFlags,
): Promise<Record<string, unknown>> {
  if (!name.includes(".") && registry.pipelines().some((p) => p.name === name)) {
    const pipeline = await registry.loadPipeline(name);
    return {
      pipeline: pipeline.name,
      summary: pipeline.summary,
      params: inputJsonSchema(pipeline.params),
      steps: pipeline.steps.map((s) => ({ name: s.name, task: s.task, sandbox: s.sandbox })),
    };
  }
  const task = await registry.load(name);
  const input = inputJsonSchema(task.input);
  const { params } = buildParams(flags, input);
  const parsed = task.input.safeParse(params);
  let permissions: { needs: unknown; flags: string[] } | string;
  if (parsed.success) {
    const { config } = loadConfig(configFlags);
    const needs = mergeNeeds(kernelNeeds(config), await task.permissions(parsed.data, config));
    permissions = { needs: normalizeNeeds(needs), flags: needsToFlags(needs) };
  } else {
    permissions = "depends on the input: give it with --params or flags to see the permissions";
  }
  return {
    task: task.id,
    summary: task.summary,
    plugin: registry.pluginOf(task.id).name,
    flags: flagSpecs(input).map((f) => ({
      flag: f.flag,
      type: f.schema.type ?? "json",
      required: f.required,
      default: f.schema.default,
      description: f.schema.description,
    })),
    input,
    output: inputJsonSchema(task.output),
    permissions,
  };
}
