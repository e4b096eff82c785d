/**
 * The child side of the sandbox (`kernel/sandbox.ts`), the entry of a
 * `deno run` process: reads one request from stdin, imports the plugin with
 * a computed `import()` (so every file of its graph is checked against the
 * grants), answers on stdout, exits. `{"type":"abort"}` on stdin aborts a run.
 *
 * @module
 */
import { z } from "zod";
import { createTaskContext } from "./context.ts";
import { createLogger, type LogLevel } from "./report/logger.ts";
import type { Plugin } from "./plugin.ts";
import type { PipelineEntry } from "./registry.ts";
import type { WeirConfig } from "./config.ts";
import { TaskInputError } from "./errors.ts";
import { Redactor } from "../lib/redact.ts";
import { serializeError } from "../lib/error_wire.ts";
import { Terminal } from "../lib/terminal.ts";
import { dottedIssues } from "../lib/schema.ts";
import { type Message, readLines, writeMessage } from "../lib/child/mod.ts";

/** A request from `kernel/sandbox.ts`; which fields are set depends on its `type`. */
type Request = Record<"type" | "pluginUrl" | "taskId" | "pipeline" | "step" | "runId", string> & {
  input: unknown;
  params: unknown;
  outputs: Record<string, unknown>;
  config: WeirConfig;
  secrets: string[];
  log: { level: LogLevel; format: "json" | "text"; quiet: boolean };
};

const jsonSchema = (schema: unknown) =>
  z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" });

async function answer(r: Request, signal: AbortSignal): Promise<Message> {
  const mod = await import(r.pluginUrl) as Record<string, unknown>;
  const plugin = (mod.plugin ?? mod.default) as Plugin;
  if (!Array.isArray(plugin?.tasks)) throw new TypeError(`${r.pluginUrl} exports no plugin`);
  const pipelines = (Array.isArray(mod.pipelines) ? mod.pipelines : []) as PipelineEntry[];
  if (r.type === "describe") {
    const tasks = await Promise.all(plugin.tasks.map(async (entry) => {
      const task = await entry.load();
      const [input, output] = [jsonSchema(task.input), jsonSchema(task.output)];
      return { id: entry.id, summary: entry.summary, input, output };
    }));
    const lines = await Promise.all(pipelines.map(async ({ name, summary, load }) => {
      const p = await load();
      const steps = p.steps.map(({ name, task, sandbox }) => ({ name, task, sandbox }));
      const summarize = !!p.summarize;
      return { name, summary, params: jsonSchema(p.params), steps, summarize };
    }));
    const { name, version, summary } = plugin;
    return { type: "describe", manifest: { name, version, summary, tasks, pipelines: lines } };
  }
  if (r.type === "input" || r.type === "summary") {
    const p = await pipelines.find((e) => e.name === r.pipeline)!.load();
    const params = p.params.safeParse(r.params);
    if (!params.success) throw new TypeError(`Cannot use the params of "${p.name}"`);
    if (r.type === "summary") {
      return { type: "summary", lines: p.summarize!(r.outputs, params.data) };
    }
    const step = p.steps.find((s) => s.name === r.step)!;
    return {
      type: "input",
      input: (step.input as (p: unknown, o: unknown) => unknown)(params.data, r.outputs),
    };
  }
  const entry = plugin.tasks.find((t) => t.id === r.taskId);
  if (!entry) throw new Error(`Cannot find task "${r.taskId}" in ${r.pluginUrl}`);
  const task = await entry.load();
  const parsed = task.input.safeParse(r.input);
  if (!parsed.success) throw new TaskInputError(task.id, dottedIssues(parsed.error.issues));
  if (r.type === "needs") {
    return { type: "needs", needs: await task.permissions(parsed.data, r.config) };
  }
  const terminal = new Terminal(Deno.stderr, false);
  const log = createLogger({
    terminal,
    level: r.log.quiet ? "error" : r.log.level,
    format: r.log.format,
    redactor: new Redactor(r.secrets),
    fields: { run_id: r.runId, task: r.taskId, sandbox: true },
  });
  const parts = { runId: r.runId, taskId: r.taskId, log, signal, terminal, quiet: r.log.quiet };
  const { ctx, dispose } = createTaskContext({ ...parts, config: r.config });
  const recorded = () => ({ counters: ctx.counters.toJSON(), failures: ctx.failures.list() });
  try {
    const output = await task.run(ctx, parsed.data);
    return { type: "result", output, ...recorded() };
  } catch (err) {
    // What the task recorded before it threw is kept, as it would be outside the sandbox.
    return { type: "error", error: serializeError(err), ...recorded() };
  } finally {
    await dispose();
  }
}

const lines = readLines(Deno.stdin.readable);
const request = JSON.parse((await lines.next()).value ?? "{}") as Request;
const controller = new AbortController();
// stdin ends only when weir is gone (killed): nobody waits for an answer any more.
Array.fromAsync(lines, (l) => l.includes('"abort"') && controller.abort()).finally(Deno.exit);
// Ctrl-C reaches the whole process group: the child waits for weir's abort, so weir sees it first.
for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, () => {});
const fail = (e: unknown) => ({
  type: "error",
  error: serializeError(e),
  counters: {},
  failures: [],
});
const reply = await answer(request, controller.signal).catch(fail);
try {
  writeMessage(Deno.stdout, reply);
} catch (err) {
  writeMessage(Deno.stdout, fail(err));
}
Deno.exit(0);
