/**
 * Loading a plugin with `--plugin <path|url>` without running any of its
 * code here: the sandbox (`kernel/sandbox.ts`) imports it in a child process
 * and answers with its manifest (tasks with their JSON Schemas, pipelines
 * with their steps). The parent builds stand-ins from it: a task whose
 * input is checked against its JSON Schema, whose needs, pipeline step
 * inputs and summaries the sandbox computes, and whose runs happen only in
 * the sandbox.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import { schemaFromJson } from "../lib/json_schema.ts";
import type { Schema } from "../lib/schema.ts";
import { normalizeNeeds, type PermissionNeeds } from "../lib/permissions.ts";
import type { WeirConfig } from "../kernel/config.ts";
import type { Pipeline } from "../kernel/pipeline.ts";
import { definePlugin, lazyTask, type Plugin } from "../kernel/plugin.ts";
import type { PipelineEntry } from "../kernel/registry.ts";
import { callSandbox, sandboxConfig } from "../kernel/sandbox.ts";
import { defineTask } from "../kernel/task.ts";

/** How long the sandbox may take to describe a plugin, a task's needs, a step's input. */
const ANSWER_MS = 60_000;

type Json = Record<string, unknown>;
interface Manifest {
  name: string;
  version: string;
  summary: string;
  tasks: { id: string; summary: string; input: Json; output: Json }[];
  pipelines: {
    name: string;
    summary: string;
    params: Json;
    steps: { name: string; task: string; sandbox: boolean }[];
    summarize: boolean;
  }[];
}

const isText = (v: unknown) => typeof v === "string" && v.length > 0 && v.length < 1000;
const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function checkManifest(m: unknown): Manifest {
  const ok = isObject(m) && isText(m.name) && typeof m.version === "string" &&
    typeof m.summary === "string" && Array.isArray(m.tasks) && Array.isArray(m.pipelines) &&
    m.tasks.every((t) =>
      isText(t?.id) && typeof t.summary === "string" && isObject(t.input) && isObject(t.output)
    ) &&
    m.pipelines.every((p) =>
      isText(p?.name) && typeof p.summary === "string" && isObject(p.params) &&
      Array.isArray(p.steps) &&
      p.steps.every((s: Json) =>
        isText(s?.name) && isText(s.task) && typeof s.sandbox === "boolean"
      )
    );
  if (!ok) {
    throw new TypeError(
      `its manifest is malformed: current value is ${JSON.stringify(m)?.slice(0, 200)}`,
    );
  }
  return m as unknown as Manifest;
}

function checkNeeds(value: unknown): PermissionNeeds {
  const kinds = ["read", "write", "net", "env", "run", "sys"];
  const ok = isObject(value) &&
    Object.entries(value).every(([k, v]) =>
      kinds.includes(k) &&
      (v === undefined || (Array.isArray(v) && v.every((x) => typeof x === "string" && x !== "")))
    ) &&
    // A variable or a `PREFIX_*` pattern: never `*` (every variable) or `=`/`,` tricks in a flag.
    ((value.env ?? []) as string[]).every((name) => /^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(name)) &&
    Object.values(value).flat().every((x) => !String(x).includes(","));
  if (!ok) {
    throw new TypeError(
      `Cannot accept permission needs as they are malformed: current value is ${
        JSON.stringify(value)?.slice(0, 200)
      }`,
    );
  }
  return normalizeNeeds(value as PermissionNeeds);
}

/**
 * The input as the JSON Schema defaults it when it is valid, else as given:
 * the sandbox then refuses it with the zod schema's own issues.
 */
function lenient<S extends Schema>(schema: S): S {
  return {
    ...schema,
    safeParse: (v: unknown) =>
      schema.safeParse(v).success ? schema.safeParse(v) : { success: true, data: v },
  };
}

/**
 * Loads a plugin from a path or URL through the sandbox.
 *
 * @param spec The `--plugin` value.
 * @param line Where lines the sandbox writes to stderr go.
 * @returns The plugin (its tasks run only in the sandbox) and its pipelines.
 * @throws {UsageError} When the sandbox cannot describe it, saying why.
 * @throws {PermissionMissingError} When weir may not run `deno`.
 *
 * @example
 * ```ts ignore
 * const { plugin, pipelines } = await loadOutsidePlugin("tests/fixtures/probe_plugin.ts", console.error);
 * ```
 */
export async function loadOutsidePlugin(
  spec: string,
  line: (text: string) => void,
): Promise<{ plugin: Plugin; pipelines: PipelineEntry[] }> {
  // node:path is imported here, not at the top: `weir list` stays off the Node compat layer.
  const { resolve } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  const url = URL.canParse(spec) && !/^[a-z]:/i.test(spec)
    ? spec
    : pathToFileURL(resolve(spec)).href;
  const ask = (request: Json) =>
    callSandbox({ ...request, pluginUrl: url } as never, {}, {
      timeoutMs: ANSWER_MS,
      onStderr: line,
    });
  let manifest: Manifest;
  try {
    manifest = checkManifest((await ask({ type: "describe" })).manifest);
  } catch (err) {
    if ((err as Error).name === "PermissionMissingError") throw err;
    throw new UsageError(`Cannot load plugin "${spec}": ${(err as Error).message}`, { cause: err });
  }
  // The kernel asks twice for one run (pre-flight, then the sandbox's grants) with the same
  // validated input object: the sandbox answers once per task and input.
  const needsOf = (taskId: string) => {
    const asked = new WeakMap<object, Promise<PermissionNeeds>>();
    return (input: unknown, config: WeirConfig) => {
      const request = { type: "needs", taskId, input, config: sandboxConfig(config) };
      const once = async () => checkNeeds((await ask(request)).needs);
      if (input === null || typeof input !== "object") return once();
      if (!asked.has(input)) asked.set(input, once());
      return asked.get(input)!;
    };
  };
  const tasks = manifest.tasks.map((t) => {
    const task = defineTask({
      id: t.id,
      summary: t.summary,
      input: lenient(schemaFromJson(t.input)),
      output: schemaFromJson(t.output),
      permissions: needsOf(t.id),
      run: () => Promise.reject(new Error(`Cannot run "${t.id}" outside the sandbox`)),
    });
    return lazyTask(t.id, t.summary, () => Promise.resolve(task));
  });
  const plugin = definePlugin({ ...manifest, url, sandbox: true, tasks });
  const pipelines = manifest.pipelines.map((p): PipelineEntry => {
    const pipeline: Pipeline = {
      name: p.name,
      summary: p.summary,
      params: schemaFromJson(p.params),
      steps: p.steps.map((s) => ({
        ...s,
        input: ((params: unknown, outputs: unknown) =>
          ask({ type: "input", pipeline: p.name, step: s.name, params, outputs }).then((r) =>
            r.input
          )) as never,
      })),
      summarize: p.summarize
        ? async (outputs, params) => {
          const r = await ask({ type: "summary", pipeline: p.name, params, outputs });
          return Array.isArray(r.lines) ? r.lines.map(String) : [];
        }
        : undefined,
    };
    return {
      name: p.name,
      summary: p.summary,
      load: () =>
        Promise.resolve(pipeline),
    };
  });
  return { plugin, pipelines };
}
