/**
 * The optional sandbox: a task runs in a Worker granted only the
 * permissions it declared (DESIGN.md section 4). Needs
 * `--unstable-worker-options`. Use it for plugins loaded from outside.
 *
 * @module
 */
import type { WeirConfig } from "./config.ts";
import type { TaskContext } from "./context.ts";
import type { ItemFailure } from "./counters.ts";
import type { LogLevel } from "./report/logger.ts";
import { type PermissionNeeds, workerPermissions } from "./permissions.ts";

/**
 * The worker's entry: a data: module that imports the plugin statically.
 * Its module graph is loaded with the parent's rights, so the worker's own
 * permissions need not cover weir's or the plugin's source files; a
 * computed `import()` inside the worker would need them.
 */
function entryUrl(pluginUrl: string): string {
  const worker = new URL("./sandbox_worker.ts", import.meta.url).href;
  const code = `import { serve } from ${JSON.stringify(worker)};\n` +
    `import * as plugin from ${JSON.stringify(pluginUrl)};\n` +
    "serve(plugin);\n";
  return `data:application/typescript;base64,${btoa(code)}`;
}

/** What the parent sends the worker to start. */
export interface SandboxRequest {
  /** Module exporting the plugin (`plugin` or default). */
  pluginUrl: string;
  /** The task to run. */
  taskId: string;
  /** Its validated input. */
  input: unknown;
  /** The configuration. */
  config: WeirConfig;
  /** The run id. */
  runId: string;
  /** Log settings. */
  log: { level: LogLevel; format: "json" | "text"; quiet: boolean; isTTY: boolean };
}

/** What the worker answers. */
export type SandboxReply =
  | { type: "result"; output: unknown; counters: Record<string, number>; failures: ItemFailure[] }
  | { type: "error"; name: string; message: string; counters: Record<string, number> };

/**
 * Runs a task in a Worker limited to `needs`, forwarding abort and merging
 * counters and failures back into `ctx`.
 *
 * @param request What to run.
 * @param needs The task's declared permissions: all the worker gets.
 * @param ctx The parent context (signal, counters, failures).
 * @returns The task's raw output.
 * @throws {Error} What the task threw, with its name kept (e.g. `NotCapable`).
 *
 * @example
 * ```ts ignore
 * const output = await runSandboxed(request, { read: ["fixtures"] }, ctx);
 * ```
 */
export function runSandboxed(
  request: SandboxRequest,
  needs: PermissionNeeds,
  ctx: TaskContext,
): Promise<unknown> {
  const worker = new Worker(entryUrl(request.pluginUrl), {
    type: "module",
    name: `sandbox:${request.taskId}`,
    deno: { permissions: workerPermissions(needs) },
  });
  const onAbort = () => worker.postMessage({ type: "abort" });
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  return new Promise<unknown>((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<SandboxReply>) => {
      for (const [name, n] of Object.entries(data.counters)) ctx.counters.add(name, n);
      if (data.type === "result") {
        for (const f of data.failures) ctx.failures.add(f.item, f.reason, f.retryable);
        resolve(data.output);
      } else {
        const err = new Error(`Sandboxed task "${request.taskId}" failed: ${data.message}`);
        err.name = data.name;
        reject(err);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`Sandboxed task "${request.taskId}" crashed: ${event.message}`));
    };
    worker.postMessage({ type: "start", request });
  }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
    worker.terminate();
  });
}
