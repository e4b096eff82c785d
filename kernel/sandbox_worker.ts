/**
 * The Worker side of the sandbox: imports the plugin, runs one task with a
 * context of its own, and posts the result back. Its permissions are only
 * what the task declared.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { createTaskContext } from "./context.ts";
import { createLogger } from "./report/logger.ts";
import type { Plugin } from "./plugin.ts";
import { Redactor } from "../lib/redact.ts";
import type { SandboxReply, SandboxRequest } from "./sandbox.ts";
import { serializeError } from "../lib/error_wire.ts";
import { Terminal } from "../lib/terminal.ts";

/**
 * Serves one task run for the parent: waits for `start`, runs the task of
 * the given plugin module, posts the reply; `abort` aborts the run's signal.
 *
 * @param mod The plugin module (exports `plugin` or a default plugin).
 *
 * @example
 * ```ts ignore
 * import * as mod from "../plugins/example/mod.ts";
 * serve(mod);
 * ```
 */
export function serve(mod: Record<string, unknown>): void {
  const controller = new AbortController();
  self.onmessage = (
    { data }: MessageEvent<{ type: "start"; request: SandboxRequest } | { type: "abort" }>,
  ) => {
    if (data.type === "abort") controller.abort();
    else runOne(mod, data.request, controller.signal);
  };
}

async function runOne(
  mod: Record<string, unknown>,
  request: SandboxRequest,
  signal: AbortSignal,
): Promise<void> {
  const terminal = new Terminal(Deno.stderr, request.log.isTTY);
  const log = createLogger({
    terminal,
    level: request.log.quiet ? "error" : request.log.level,
    format: request.log.format,
    redactor: new Redactor(request.log.secrets),
    fields: { run_id: request.runId, task: request.taskId, sandbox: true },
  });
  const { ctx, dispose } = createTaskContext({
    runId: request.runId,
    taskId: request.taskId,
    log,
    signal,
    config: request.config,
    terminal,
    quiet: request.log.quiet,
  });
  let reply: SandboxReply;
  try {
    const plugin = (mod.plugin ?? mod.default) as Plugin;
    const entry = plugin.tasks.find((t) => t.id === request.taskId);
    if (!entry) throw new Error(`Cannot find task "${request.taskId}" in ${request.pluginUrl}`);
    const task = await entry.load();
    const output = await task.run(ctx, request.input);
    reply = {
      type: "result",
      output,
      counters: ctx.counters.toJSON(),
      failures: ctx.failures.list(),
    };
  } catch (err) {
    // What the task recorded before it threw is kept, as it would be outside the sandbox.
    reply = {
      type: "error",
      error: serializeError(err),
      counters: ctx.counters.toJSON(),
      failures: ctx.failures.list(),
    };
  } finally {
    await dispose();
  }
  self.postMessage(reply);
}
