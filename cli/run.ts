/**
 * `weir run <task>` and `weir pipeline <name>`: build params, run through the
 * kernel with SIGINT/SIGTERM wired to abort, print the result envelope.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import type { Kernel, RunResult } from "../kernel/kernel.ts";
import type { Registry } from "../kernel/registry.ts";
import { withSignals } from "../kernel/signals.ts";
import type { ByteSink, Terminal } from "../kernel/report/terminal.ts";
import { writeJson } from "./output.ts";
import { buildParams, inputJsonSchema } from "./params.ts";
import { flagSpecs } from "./schema_flags.ts";

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
 * @param stdout Where the envelope goes.
 * @returns The exit code.
 */
export async function runCommand(
  kernel: Kernel,
  registry: Registry,
  id: string,
  flags: readonly string[],
  stdout: ByteSink,
): Promise<number> {
  const task = await registry.load(id);
  const { params } = buildParams(flags, inputJsonSchema(task.input));
  const result = await withSignals(
    (signal) => kernel.runTask(id, params, { signal }),
    { onForce: () => forcedStop(kernel, id, stdout) },
  );
  writeJson(stdout, envelope(result));
  return result.exitCode;
}

/**
 * Runs a pipeline from the command line; `--resume <run-id>` continues one.
 *
 * @param kernel The kernel.
 * @param registry The registry.
 * @param name The pipeline name.
 * @param flags The flags after it.
 * @param stdout Where the envelope goes.
 * @param terminal Where the human summary goes.
 * @param quiet Whether to skip the summary.
 * @returns The exit code.
 */
export async function pipelineCommand(
  kernel: Kernel,
  registry: Registry,
  name: string,
  flags: readonly string[],
  stdout: ByteSink,
  terminal: Terminal,
  quiet: boolean,
): Promise<number> {
  const pipeline = await registry.loadPipeline(name);
  const { params, reserved } = buildParams(flags, inputJsonSchema(pipeline.params), ["--resume"]);
  const resume = reserved["--resume"];
  if ("--resume" in reserved && !resume) {
    throw new UsageError("Cannot use --resume as it needs the run id to continue");
  }
  if (resume && Object.keys(params).length) {
    throw new UsageError(
      `Cannot resume run "${resume}" with new params as a resumed run keeps its own`,
    );
  }
  const result = await withSignals(
    (signal) => kernel.runPipeline(name, params, { resume, signal }),
    { onForce: () => forcedStop(kernel, name, stdout) },
  );
  if (!quiet) {
    terminal.settle();
    for (const line of result.summary ?? []) terminal.line(line);
    if (result.status === "interrupted") {
      terminal.line(`Interrupted. Continue with: weir pipeline ${name} --resume ${result.runId}`);
    } else if (result.status === "failed") {
      terminal.line(`Failed: ${result.error}`);
      terminal.line(
        `After fixing it, continue with: weir pipeline ${name} --resume ${result.runId}`,
      );
    }
  }
  writeJson(stdout, envelope(result));
  return result.exitCode;
}

/**
 * Prints `weir run <task> --help`: the summary and the schema's flags.
 *
 * @param registry The registry.
 * @param id The task id.
 * @returns The help text.
 */
export async function taskHelp(registry: Registry, id: string): Promise<string> {
  const task = await registry.load(id);
  const lines = [`weir run ${task.id} [flags]`, "", task.summary, "", "Flags:"];
  for (const f of flagSpecs(inputJsonSchema(task.input))) {
    const type = f.schema.enum ? f.schema.enum.join("|") : f.schema.type ?? "json";
    const dflt = f.schema.default !== undefined
      ? ` (default ${JSON.stringify(f.schema.default)})`
      : "";
    const req = f.required ? " (required)" : "";
    lines.push(
      `  ${f.flag} <${type}>${req}${dflt}${
        f.schema.description ? `  ${f.schema.description}` : ""
      }`,
    );
  }
  lines.push(
    "  --params <json>        the whole input as JSON",
    "  --params-file <path>   the input from a JSON file",
    "",
    `See the JSON Schema and permissions with: weir describe ${task.id}`,
  );
  return lines.join("\n") + "\n";
}
