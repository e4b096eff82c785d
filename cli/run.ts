/**
 * `weir run <task>` and `weir pipeline <name>`: build params, run through the
 * kernel with SIGINT/SIGTERM wired to abort, print the result: the JSON
 * envelope, or on a terminal a human summary.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import { TaskInputError } from "../kernel/errors.ts";
import type { Kernel, RunResult } from "../kernel/kernel.ts";
import type { Registry } from "../kernel/registry.ts";
import { withSignals } from "../lib/async/signals.ts";
import type { ByteSink, Terminal } from "../lib/terminal.ts";
import { writeAll, writeJson } from "./output.ts";
import { buildParams } from "./params.ts";
import type { Schema } from "../lib/schema.ts";
import { flagSpecs, type JsonSchema } from "./schema_flags.ts";
import { renderSummary } from "./summary.ts";

/** What `weir run` and `weir pipeline` print on stdout. */
export interface Envelope {
  /** Pass it to `weir pipeline <name> --resume` or `weir runs show`. */
  run_id: string;
  /** The task id or pipeline name. */
  name: string;
  /** How it ended. */
  status: RunResult["status"];
  /** The task's output; a pipeline's outputs by step. */
  output: unknown;
  /** Counters. */
  counters: Record<string, number>;
  /** Items that failed (status `partial`). */
  failures: RunResult["failures"];
  /** Why it failed. */
  error?: string;
}

function envelope(result: RunResult): Envelope {
  return {
    run_id: result.runId,
    name: result.name,
    status: result.status,
    output: result.output ?? null,
    counters: result.counters,
    failures: result.failures,
    error: result.error,
  };
}

/** Where and how `weir run` and `weir pipeline` report. */
export interface RunOutput {
  /** Where the result goes. */
  stdout: ByteSink;
  /** Where logs (and, when stdout is not for people, the pipeline's summary) go. */
  terminal: Terminal;
  /** Only errors on stderr. */
  quiet: boolean;
  /** Print the human summary on stdout instead of the JSON envelope. */
  human: boolean;
}

/** The JSON Schema of an input, loading the generator only when flags need it. */
async function jsonSchemaOf(schema: Schema): Promise<JsonSchema> {
  const { inputJsonSchema } = await import("./json_schema.ts");
  return inputJsonSchema(schema);
}

/**
 * Names schema flags in an input error about the command's own task or
 * pipeline: `"only": ...` becomes `"--only": ...`, as the person typed it.
 * A pipeline step's input error is left as it is: its fields are not flags.
 */
function withFlagNames(err: unknown, id: string, schema: JsonSchema): unknown {
  if (!(err instanceof TaskInputError) || !err.message.startsWith(`Cannot run "${id}" `)) {
    return err;
  }
  const flags = new Map(flagSpecs(schema).map((f) => [f.key, f.flag]));
  const issues = err.issues.map((issue) => {
    const [key, ...rest] = issue.path.split(".");
    const flag = flags.get(key);
    return flag ? { ...issue, path: [flag, ...rest].join(".") } : issue;
  });
  return new TaskInputError(id, issues, { cause: err });
}

/**
 * A second signal after the grace period: the runs still going are marked
 * interrupted (so they can be resumed) and the envelope says so, before the
 * process exits 130.
 */
function forcedStop(kernel: Kernel, name: string, stdout: ByteSink): void {
  const [runId] = kernel.interruptActive();
  writeJson(
    stdout,
    {
      run_id: runId ?? null,
      name,
      status: "interrupted",
      output: null,
      counters: {},
      failures: [],
      error: "Stopped by a second signal; the run can be resumed",
    } satisfies Envelope | Omit<Envelope, "run_id"> & { run_id: null },
  );
}

/**
 * Runs a task from the command line.
 *
 * @param kernel The kernel.
 * @param registry The registry.
 * @param id The task id.
 * @param flags The flags after it.
 * @param out Where the result goes and whether a person reads it.
 * @returns The exit code.
 * @throws {TaskInputError} For invalid input, naming the flags.
 */
export async function runCommand(
  kernel: Kernel,
  registry: Registry,
  id: string,
  flags: readonly string[],
  out: RunOutput,
): Promise<number> {
  const task = await registry.load(id);
  // JSON Schema generation costs start-up time: only when flags need it (or an error names them).
  const schema = flags.length ? await jsonSchemaOf(task.input) : undefined;
  const { params } = schema ? buildParams(flags, schema) : { params: {} };
  let result: RunResult;
  try {
    result = await withSignals(
      (signal) => kernel.runTask(id, params, { signal }),
      { onForce: () => forcedStop(kernel, id, out.stdout) },
    );
  } catch (err) {
    throw withFlagNames(err, id, schema ?? await jsonSchemaOf(task.input));
  }
  out.terminal.settle();
  if (out.human) writeAll(out.stdout, renderSummary(envelope(result)));
  else writeJson(out.stdout, envelope(result));
  return result.exitCode;
}

/**
 * Runs a pipeline from the command line; `--resume <run-id>` continues one.
 *
 * @param kernel The kernel.
 * @param registry The registry.
 * @param name The pipeline name.
 * @param flags The flags after it.
 * @param out Where the result goes and whether a person reads it.
 * @returns The exit code.
 * @throws {TaskInputError} For invalid params, naming the flags.
 */
export async function pipelineCommand(
  kernel: Kernel,
  registry: Registry,
  name: string,
  flags: readonly string[],
  out: RunOutput,
): Promise<number> {
  const pipeline = await registry.loadPipeline(name);
  const schema = flags.length ? await jsonSchemaOf(pipeline.params) : undefined;
  const { params, reserved } = schema
    ? buildParams(flags, schema, ["--resume"])
    : { params: {}, reserved: {} as Record<string, string | undefined> };
  const resume = reserved["--resume"];
  if ("--resume" in reserved && !resume) {
    throw new UsageError("Cannot use --resume as it needs the run id to continue");
  }
  if (resume && Object.keys(params).length) {
    throw new UsageError(
      `Cannot resume run "${resume}" with new params as a resumed run keeps its own`,
    );
  }
  let result: RunResult;
  try {
    result = await withSignals(
      (signal) => kernel.runPipeline(name, params, { resume, signal }),
      { onForce: () => forcedStop(kernel, name, out.stdout) },
    );
  } catch (err) {
    throw withFlagNames(err, name, schema ?? await jsonSchemaOf(pipeline.params));
  }
  out.terminal.settle();
  if (out.human) {
    const lines = result.summary;
    writeAll(out.stdout, renderSummary(envelope(result), { command: "pipeline", lines }));
    return result.exitCode;
  }
  if (!out.quiet) {
    for (const line of result.summary ?? []) out.terminal.line(line);
    if (result.status === "interrupted") {
      out.terminal.line(
        `Interrupted. Continue with: weir pipeline ${name} --resume ${result.runId}`,
      );
    } else if (result.status === "failed") {
      out.terminal.line(`Failed: ${result.error}`);
      out.terminal.line(
        `After fixing it, continue with: weir pipeline ${name} --resume ${result.runId}`,
      );
    }
  }
  writeJson(out.stdout, envelope(result));
  return result.exitCode;
}
