/**
 * The kernel: runs tasks and pipelines through the same phases and layers
 * (validate, pre-flight, record, log, sandbox), with resume of pipelines and
 * one place where results are redacted.
 *
 * @module
 */
import { type ExitCode, exitCodeOf, messageOf, UsageError } from "../lib/errors.ts";
import { type ConfigFlags, loadConfig, type WeirConfig } from "./config.ts";
import { createTaskContext } from "./context.ts";
import type { ItemFailure } from "../lib/counters.ts";
import { logLayer, recordLayer } from "./layers.ts";
import { assertPermissions } from "./permissions.ts";
import {
  compose,
  kernelNeeds,
  type Layer,
  type Outcome,
  preflight,
  type Run,
  type Runnable,
  settle,
  validate,
} from "./phases.ts";
import { pipelineRunnable } from "./pipeline_run.ts";
import type { Registry } from "./registry.ts";
import { createLogger, type Logger, type LogLevel } from "./report/logger.ts";
import { Redactor } from "../lib/redact.ts";
import type { Terminal } from "../lib/terminal.ts";
import { type FinalStatus, RunRecords } from "./run_records.ts";
import { sortableId } from "../lib/sortable_id.ts";
import { sandboxLayer } from "./sandbox.ts";
import type { AnyTask } from "./task.ts";
import type { Plugin } from "./plugin.ts";

/** How a task or pipeline run ended. */
export interface RunResult {
  /** The run id (pass it to `--resume` after an interruption). */
  runId: string;
  /** The task id or pipeline name. */
  name: string;
  /** How it ended. */
  status: FinalStatus;
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
  /** The longest a sandboxed task may run, in milliseconds. @default {no limit} */
  sandboxTimeoutMs?: number;
  /** More layers, inside the log layer and outside the sandbox. @default {[]} */
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

const EXIT: Record<FinalStatus, ExitCode> = {
  succeeded: 0,
  partial: 3,
  failed: 1,
  interrupted: 130,
};

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
  #onion: (run: Run) => Promise<Outcome>;

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
    this.#redactor = new Redactor(secrets, { params: config.redactParams });
    options.terminal.redact = (text) => this.#redactor.text(text); // Progress and errors too.
    this.#level = options.quiet ? "error" : options.verbose ? "debug" : "info";
    const format = options.logFormat ?? (options.terminal.isTTY ? "text" : "json");
    this.log = createLogger({
      terminal: options.terminal,
      level: this.#level,
      format,
      redactor: this.#redactor,
    });
    const layers = [
      recordLayer(() => this.records()),
      logLayer,
      ...(options.layers ?? []),
      sandboxLayer({
        level: this.#level,
        format,
        quiet: options.quiet ?? false,
        timeoutMs: options.sandboxTimeoutMs,
        line: (text) => options.terminal.line(this.#redactor.text(text)),
      }),
    ];
    this.#onion = compose(layers, (run) => settle(run, () => run.unit.run(run.ctx, run.input)));
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
   * Runs one task: validate, pre-flight, then the layers.
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
    const plugin = this.#opts.registry.pluginOf(id);
    return await this.#execute(taskRunnable(task, plugin), raw, options);
  }

  /**
   * Runs a pipeline through the same phases and layers as a task; each step
   * is a task run of its own. With `resume`, the steps a previous run of it
   * completed are skipped and their outputs reused.
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
    let params = raw;
    let runId: string | undefined;
    const done = new Map<string, unknown>();
    if (options.resume) {
      const records = this.records();
      const prior = records.get(options.resume);
      if (!prior || prior.kind !== "pipeline" || prior.name !== name) {
        throw new UsageError(
          `Cannot resume run "${options.resume}" as it is not a run of pipeline "${name}"`,
        );
      }
      if (prior.status === "succeeded") {
        throw new UsageError(`Cannot resume run "${options.resume}" as it already succeeded`);
      }
      runId = prior.id;
      params = prior.params;
      for (const { step, status, output } of records.steps(prior.id)) {
        if (step && (status === "succeeded" || status === "partial")) done.set(step, output);
      }
    }
    const signal = options.signal;
    const unit = pipelineRunnable(
      pipeline,
      done,
      (step, input, ctx) =>
        this.runTask(step.task, input, {
          parentId: ctx.runId,
          step: step.name,
          sandbox: step.sandbox,
          signal,
        }),
    );
    const result = await this.#execute(unit, params, { signal }, runId);
    const summary = result.status === "succeeded" || result.status === "partial"
      ? await pipeline.summarize?.(result.output as Record<string, unknown>, validate(unit, params))
      : undefined;
    return { ...result, summary: summary?.map((line) => this.#redactor.text(line)) };
  }

  /**
   * Marks the runs this process has started and not finished as
   * interrupted: for a forced stop, just before the process exits.
   *
   * @returns Their ids.
   */
  interruptActive(): string[] {
    return this.#records?.interruptActive() ?? [];
  }

  /** Closes the run store. */
  close(): void {
    this.#records?.close();
    this.#records = undefined;
  }

  async #execute(
    unit: Runnable,
    raw: unknown,
    options: RunOptions,
    resumeId?: string,
  ): Promise<RunResult> {
    const input = validate(unit, raw);
    const needs = await preflight(unit, input, this.config);
    this.#redactor.addFromEnv(needs.env); // A task's own secrets, such as GITHUB_TOKEN.
    const runId = resumeId ?? sortableId();
    const signal = options.signal ?? new AbortController().signal;
    const log = this.log.child({ run_id: runId, [unit.kind]: unit.name });
    log.debug("permissions granted", { needs });
    const { ctx, dispose } = createTaskContext({
      runId,
      taskId: unit.name,
      log,
      signal,
      config: this.config,
      terminal: this.#opts.terminal,
      quiet: this.#opts.quiet ?? false,
      runs: { get: (id) => this.records().get(id) },
    });
    let outcome: Outcome;
    try {
      outcome = await this.#onion({
        unit,
        request: {
          runId,
          raw,
          parentId: options.parentId,
          step: options.step,
          sandbox: options.sandbox ?? false,
          signal,
        },
        input,
        needs,
        log,
        ctx,
      });
    } finally {
      await dispose();
    }
    const r = this.#redactor;
    return {
      runId,
      name: unit.name,
      status: outcome.status,
      exitCode: outcome.status === "failed" ? exitCodeOf(outcome.error) : EXIT[outcome.status],
      output: r.value(outcome.output),
      counters: ctx.counters.toJSON(),
      failures: r.value(ctx.failures.list()),
      error: outcome.error === undefined ? undefined : r.text(messageOf(outcome.error)),
    };
  }
}

/** A task as the kernel runs it. */
function taskRunnable(task: AnyTask, plugin: Plugin): Runnable {
  return {
    kind: "task",
    name: task.id,
    input: task.input,
    output: task.output,
    needs: (input, config) => task.permissions(input, config),
    run: (ctx, input) => task.run(ctx, input),
    module: plugin.url,
    sandbox: plugin.sandbox,
  };
}
