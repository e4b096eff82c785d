/**
 * The sandbox layer: a task runs in a Worker granted only the permissions it
 * declared (DESIGN.md section 4; `--unstable-worker-options`). What it reports
 * comes back intact: output, counters, failures, and errors with their class,
 * exit code and message.
 *
 * @module
 */
import type { LogLevel } from "./report/logger.ts";
import { workerPermissions } from "../lib/permissions.ts";
import { type Layer, type Outcome, type Run, settle } from "./phases.ts";
import type { WeirConfig } from "./config.ts";
import { type ErrorClass, reviveError, type SerializedError } from "../lib/error_wire.ts";
import { InterruptedError, UsageError } from "../lib/errors.ts";
import { PermanentError, RetryableError } from "../lib/async/retry.ts";
import { ConfigError, PermissionMissingError, TaskInputError } from "./errors.ts";
import type { ItemFailure } from "../lib/counters.ts";

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

/** weir's error classes, revived as themselves when a sandboxed task throws one. */
const WEIR_ERRORS: Record<string, ErrorClass> = {
  UsageError,
  InterruptedError,
  TaskInputError,
  PermissionMissingError,
  ConfigError,
  RetryableError,
  PermanentError,
};

/** How the worker logs: the parent's settings and the secrets it redacts. */
export interface SandboxLogSettings {
  /** The lowest level written. */
  level: LogLevel;
  /** JSON lines or text. */
  format: "json" | "text";
  /** Only errors. */
  quiet: boolean;
  /** Whether stderr is a terminal. */
  isTTY: boolean;
  /** Secret values to redact, as the parent's redactor knows them. */
  secrets: readonly string[];
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
  log: SandboxLogSettings;
}

/** What the worker answers: the output or the error, and what the task recorded either way. */
export type SandboxReply =
  & { counters: Record<string, number>; failures: ItemFailure[] }
  & ({ type: "result"; output: unknown } | { type: "error"; error: SerializedError });

/**
 * The sandbox layer: for a run whose request asks for it, runs the task in
 * a Worker limited to the run's needs instead of calling the rest of the
 * onion; other runs pass through.
 *
 * @param log How the worker logs.
 * @returns The layer.
 *
 * @example
 * ```ts ignore
 * const layers = [recordLayer(records), logLayer, sandboxLayer(settings)];
 * ```
 */
export function sandboxLayer(log: SandboxLogSettings): Layer {
  return function sandbox(run: Run, next: () => Promise<Outcome>): Promise<Outcome> {
    if (!run.request.sandbox) return next();
    return settle(run, () => runInWorker(run, log));
  };
}

function runInWorker(run: Run, log: SandboxLogSettings): Promise<unknown> {
  const { unit, ctx } = run;
  if (!unit.module) {
    return Promise.reject(
      new TypeError(`Cannot sandbox "${unit.name}" as its plugin does not give its module url`),
    );
  }
  const worker = new Worker(entryUrl(unit.module), {
    type: "module",
    name: `sandbox:${unit.name}`,
    deno: { permissions: workerPermissions(run.needs) },
  });
  const request: SandboxRequest = {
    pluginUrl: unit.module,
    taskId: unit.name,
    input: run.input,
    config: ctx.config,
    runId: run.request.runId,
    log,
  };
  const onAbort = () => worker.postMessage({ type: "abort" });
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  return new Promise<unknown>((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<SandboxReply>) => {
      for (const [name, n] of Object.entries(data.counters)) ctx.counters.add(name, n);
      for (const f of data.failures) ctx.failures.add(f.item, f.reason, f.retryable);
      if (data.type === "result") resolve(data.output);
      else reject(reviveError(data.error, WEIR_ERRORS));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(
        new Error(
          `Cannot finish sandboxed task "${unit.name}" as its Worker crashed: ${event.message}`,
        ),
      );
    };
    worker.postMessage({ type: "start", request });
  }).finally(() => {
    ctx.signal.removeEventListener("abort", onAbort);
    worker.terminate();
  });
}
