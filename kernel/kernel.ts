/**
 * The kernel: runs tasks through the layers and pipelines step by step,
 * with run records, resume and the optional sandbox.
 *
 * @module
 */
import { type ConfigFlags, loadConfig, type WeirConfig } from "./config.ts";
import { ExitCode, exitCodeOf, UsageError } from "../lib/errors.ts";
import { TaskInputError } from "./errors.ts";
import type { ItemFailure } from "./counters.ts";
import {
  compose,
  DEFAULT_LAYERS,
  inputIssues,
  invokeTask,
  kernelNeeds,
  type Layer,
  messageOf,
  statusOf,
  type TaskCall,
} from "./layers.ts";
import { createLogger, type Logger, type LogLevel } from "./report/logger.ts";
import { assertPermissions } from "./permissions.ts";
import { Redactor } from "./report/redact.ts";
import type { Registry } from "./registry.ts";
import { newRunId, RunRecords, type RunStatus } from "./run_records.ts";
import { runSandboxed } from "./sandbox.ts";
import type { Terminal } from "./report/terminal.ts";

/** How a task or pipeline run ended. */
export interface RunResult {
  /** The run id (pass it to `--resume` after an interruption). */
  runId: string;
  /** The task id or pipeline name. */
  name: string;
  /** How it ended. */
  status: Exclude<RunStatus, "running">;
  /** The CLI exit code for this result. */
  exitCode: ExitCode;
  /** The validated output (a pipeline's: outputs by step name). */
  output?: unknown;
  /** Counters the task reported. */
  counters: Record<string, number>;
  /** Items that failed while the run went on. */
  failures: ItemFailure[];
  /** Why it failed. */
  error?: string;
  /** Lines a person reads (pipelines). */
  summary?: string[];
}

/** Options of {@linkcode Kernel}. */
export interface KernelOptions {
  /** Plugins and pipelines. */
  registry: Registry;
  /** Where logs and progress go. */
  terminal: Terminal;
  /** Only errors on stderr. @default {false} */
  quiet?: boolean;
  /** Debug logs. @default {false} */
  verbose?: boolean;
  /** Log format. @default {terminal.isTTY ? "text" : "json"} */
  logFormat?: "json" | "text";
  /** Settings from flags. @default {{}} */
  flags?: ConfigFlags;
  /** Environment to read instead of the granted process environment (tests). */
  env?: Record<string, string>;
  /** Layers around every task run. @default {DEFAULT_LAYERS} */
  layers?: readonly Layer[];
}

/** Options of one run. */
export interface RunOptions {
  /** The pipeline run this task run is a step of. */
  parentId?: string;
  /** The step name. */
  step?: string;
  /** Run in a Worker limited to the task's declared permissions. */
  sandbox?: boolean;
  /** Aborts the run (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
}

/**
 * The kernel.
 *
 * @example Run a task from a registered plugin
 * ```ts ignore
 * const kernel = new Kernel({ registry, terminal: stderr() });
 * const result = await kernel.runTask("example.snapshot", { source: "fixtures/example" });
 * ```
 */
export class Kernel {
  /** The resolved configuration. */
  readonly config: WeirConfig;
  /** The kernel's logger. */
  readonly log: Logger;
  #opts: KernelOptions;
  #redactor: Redactor;
  #level: LogLevel;
  #records?: RunRecords;
  #run: (call: TaskCall) => Promise<void>;

  /**
   * Creates a kernel, loading and validating the configuration.
   *
   * @param options Registry, terminal, log and config settings.
   * @throws {ConfigError} When the configuration is invalid.
   */
  constructor(options: KernelOptions) {
    this.#opts = options;
    const { config, secrets } = loadConfig(options.flags, options.env);
    this.config = config;
    this.#redactor = new Redactor(secrets);
    this.#level = options.quiet ? "error" : options.verbose ? "debug" : "info";
    this.log = createLogger({
      terminal: options.terminal,
      level: this.#level,
      format: this.#format,
      redactor: this.#redactor,
    });
    this.#run = compose(options.layers ?? DEFAULT_LAYERS, invokeTask);
  }

  get #format(): "json" | "text" {
    return this.#opts.logFormat ?? (this.#opts.terminal.isTTY ? "text" : "json");
  }

  /**
   * The run store; opened on first use, after a pre-flight of the home
   * directory.
   *
   * @returns The store.
   * @throws {PermissionMissingError} When the home directory is not granted.
   */
  records(): RunRecords {
    if (!this.#records) {
      assertPermissions("weir", kernelNeeds(this.config));
      this.#records = RunRecords.open(this.config.home, this.#redactor);
    }
    return this.#records;
  }

  /**
   * Runs one task: validate, pre-flight, record, run.
   *
   * @param id The task id.
   * @param raw The input as given.
   * @param options Parent pipeline, sandbox, signal.
   * @returns How the run ended.
   * @throws {UsageError} For an unknown task.
   * @throws {TaskInputError} For invalid input (before anything is recorded).
   * @throws {PermissionMissingError} For a missing grant (before anything is touched).
   */
  async runTask(id: string, raw: unknown, options: RunOptions = {}): Promise<RunResult> {
    const task = await this.#opts.registry.load(id);
    const runId = newRunId();
    const plugin = this.#opts.registry.pluginOf(id);
    const call: TaskCall = {
      task,
      raw,
      runId,
      parentId: options.parentId,
      step: options.step,
      config: this.config,
      log: this.log.child({ run_id: runId, task: id }),
      signal: options.signal ?? new AbortController().signal,
      terminal: this.#opts.terminal,
      quiet: this.#opts.quiet ?? false,
      // Opened inside recordRun, i.e. after the pre-flight.
      records: () => this.records(),
      invoke: (c, ctx) => {
        if (!options.sandbox) return task.run(ctx, c.input);
        if (!plugin.url) {
          throw new UsageError(
            `Cannot sandbox "${id}" as its plugin "${plugin.name}" does not give its module url`,
          );
        }
        return runSandboxed(
          {
            pluginUrl: plugin.url,
            taskId: id,
            input: c.input,
            config: this.config,
            runId,
            log: {
              level: this.#level,
              format: this.#format,
              quiet: this.#opts.quiet ?? false,
              isTTY: this.#opts.terminal.isTTY,
            },
          },
          c.needs!,
          ctx,
        );
      },
    };
    let error: unknown;
    try {
      await this.#run(call);
    } catch (err) {
      // Nothing was started for input and permission errors: let them out.
      if (call.ctx === undefined) throw err;
      error = err;
    }
    const status = statusOf(call, error);
    return {
      runId,
      name: id,
      status,
      exitCode: status === "failed" ? exitCodeOf(error) : EXIT[status],
      output: this.#redactor.value(call.output),
      counters: call.ctx?.counters.toJSON() ?? {},
      failures: this.#redactor.value(call.ctx?.failures.list() ?? []),
      error: error === undefined ? undefined : this.#redactor.text(messageOf(error)),
    };
  }

  /**
   * Runs a pipeline; with `resume`, skips the steps a previous run of it
   * completed and reuses their outputs.
   *
   * @param name The pipeline name.
   * @param raw The params as given.
   * @param options `resume`: the run id to continue; `signal`: aborts.
   * @returns How the run ended, with outputs by step name.
   * @throws {UsageError} For an unknown pipeline or a run that cannot be resumed.
   * @throws {TaskInputError} For invalid params.
   */
  async runPipeline(
    name: string,
    raw: unknown,
    options: { resume?: string; signal?: AbortSignal } = {},
  ): Promise<RunResult> {
    const pipeline = await this.#opts.registry.loadPipeline(name);
    const records = this.records();
    let params: unknown = raw ?? {};
    let runId = newRunId();
    const done = new Map<string, unknown>();
    if (options.resume) {
      const prior = records.get(options.resume);
      if (!prior || prior.kind !== "pipeline" || prior.name !== name) {
        throw new UsageError(
          `Cannot resume run "${options.resume}" as it is not a run of pipeline "${name}"`,
        );
      }
      if (prior.status === "succeeded") {
        throw new UsageError(
          `Cannot resume run "${options.resume}" as it already succeeded`,
        );
      }
      runId = prior.id;
      params = prior.params;
      for (const step of records.steps(prior.id)) {
        if (step.status === "succeeded" || step.status === "partial") {
          done.set(step.step!, step.output);
        }
      }
    }
    const parsed = pipeline.params.safeParse(params);
    if (!parsed.success) throw new TaskInputError(name, inputIssues(parsed.error));
    const log = this.log.child({ run_id: runId, pipeline: name });
    records.start({ id: runId, kind: "pipeline", name, params: parsed.data });

    const outputs: Record<string, unknown> = {};
    const counters: Record<string, number> = {};
    const failures: ItemFailure[] = [];
    let status: Exclude<RunStatus, "running"> = "succeeded";
    let error: string | undefined;
    for (const step of pipeline.steps) {
      if (done.has(step.name)) {
        outputs[step.name] = done.get(step.name);
        log.info(`step "${step.name}" already done in this run; skipped`, { step: step.name });
        continue;
      }
      if (options.signal?.aborted) {
        status = "interrupted";
        break;
      }
      let input: unknown;
      try {
        input = (step.input as (p: unknown, o: unknown) => unknown)(parsed.data, outputs);
      } catch (err) {
        status = "failed";
        error = `Cannot build the input of step "${step.name}": ${messageOf(err)}`;
        break;
      }
      let result: RunResult;
      try {
        result = await this.runTask(step.task, input, {
          parentId: runId,
          step: step.name,
          sandbox: step.sandbox,
          signal: options.signal,
        });
      } catch (err) {
        status = "failed";
        error = `Step "${step.name}" could not start: ${messageOf(err)}`;
        records.finish(runId, { status, error });
        throw err;
      }
      for (const [k, v] of Object.entries(result.counters)) {
        counters[`${step.name}.${k}`] = v;
      }
      failures.push(...result.failures.map((f) => ({ ...f, item: `${step.name}: ${f.item}` })));
      if (result.status === "failed" || result.status === "interrupted") {
        status = result.status;
        error = result.error && `Step "${step.name}" failed: ${result.error}`;
        break;
      }
      outputs[step.name] = result.output;
      if (result.status === "partial") status = "partial";
    }
    const summary = status === "succeeded" || status === "partial"
      ? pipeline.summarize?.(outputs, parsed.data)
      : undefined;
    records.finish(runId, { status, output: outputs, counters, failures, error });
    return {
      runId,
      name,
      status,
      exitCode: EXIT[status],
      output: this.#redactor.value(outputs),
      counters,
      failures: this.#redactor.value(failures),
      error: error === undefined ? undefined : this.#redactor.text(error),
      summary: summary?.map((line) => this.#redactor.text(line)),
    };
  }

  /** Closes the run store. */
  close(): void {
    this.#records?.close();
    this.#records = undefined;
  }
}

const EXIT: Record<Exclude<RunStatus, "running">, ExitCode> = {
  succeeded: ExitCode.ok,
  partial: ExitCode.partial,
  failed: ExitCode.failed,
  interrupted: ExitCode.interrupted,
};
