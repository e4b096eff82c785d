/**
 * The CLI (DESIGN.md section 3): `list`, `describe`, `run`, `pipeline`,
 * `runs`. Results go to stdout as JSON; logs, progress and errors to stderr.
 * `list` stays on a light path (no zod, no SQLite); other commands import
 * what they need.
 *
 * @module
 */
import { ExitCode, exitCodeOf, UsageError, WeirError } from "../lib/errors.ts";
import { HomeError, PermissionMissingError } from "../kernel/errors.ts";
import { needsToFlags } from "../lib/permissions.ts";
import { isSourceReadRefused, weirSourceNeeds } from "../kernel/source.ts";
import type { Plugin } from "../kernel/plugin.ts";
import { type PipelineEntry, Registry } from "../kernel/registry.ts";
import { type ByteSink, type Terminal } from "../lib/terminal.ts";
import { stderr } from "../kernel/report/terminal.ts";
import { readGrantedEnv } from "../kernel/config.ts";
import { Redactor, secretValues } from "../lib/redact.ts";
import { VERSION } from "../kernel/version.ts";
import { type GlobalOptions, splitArgs } from "./argv.ts";
import { listing } from "./list.ts";
import { writeAll, writeJson } from "./output.ts";

/** What the CLI is built from. */
export interface CliOptions {
  /** Built-in plugins (statically imported so `deno compile` bundles them). */
  plugins: readonly Plugin[];
  /** Built-in pipelines. */
  pipelines: readonly PipelineEntry[];
  /** Where results go. @default {Deno.stdout} */
  stdout?: ByteSink;
  /** Where logs, progress and errors go. @default {stderr()} */
  terminal?: Terminal;
  /**
   * Whether stdout is a terminal: `run` and `pipeline` then print a human
   * summary instead of the JSON envelope (unless `--json`).
   *
   * @default {Deno.stdout.isTerminal() when stdout is not given, else false}
   */
  isTerminal?: boolean;
}

const HELP = `weir ${VERSION}: data-synchronization tasks and pipelines

Usage:
  weir list                          plugins, tasks and pipelines (JSON)
  weir describe <task|pipeline>      JSON Schema, flags and permissions
  weir run <task> [params]           run one task
  weir pipeline <name> [params]      run a pipeline; --resume <run-id> continues one
  weir runs [show <id>] [--limit N]  run records (newest first; N from 1 to 10000)

Params: --params '<json>', --params-file f.json, or flags from the schema
(see "weir run <task> --help" and "weir pipeline <name> --help").

Output: JSON on stdout when it is piped or redirected; on a terminal, run and
pipeline print a short summary instead (--json forces the JSON envelope).

Global options:
  -q, --quiet            only errors on stderr (for cron)
  -v, --verbose          debug logs
  --json                 the JSON envelope on stdout even on a terminal
  --home <dir>           the kernel's directory (default $WEIR_HOME or .weir)
  --feature <name>       turn a feature flag on (repeatable; also WEIR_FEATURES)
  --plugin <path|url>    load a plugin module at run time (repeatable); its code runs
                         only in the sandbox, a child deno process (needs --allow-run=deno)
  --sandbox-timeout <s>  fail a sandboxed task that has not answered after s seconds
  --log-format json|text logs as JSON lines (default when stderr is not a terminal)

Exit codes: 0 success, 1 failed, 2 invalid input/usage/missing permission,
3 partial success (failed items listed), 130 interrupted (resumable).
`;

function reportError(terminal: Terminal, global: GlobalOptions | undefined, err: unknown): void {
  const code = exitCodeOf(err);
  // The kernel's redactor is on the terminal once it exists; before that, the environment's secrets.
  const redactor = new Redactor(secretValues(readGrantedEnv()));
  const message = redactor.text(err instanceof Error ? err.message : String(err));
  const json = global?.logFormat ? global.logFormat === "json" : !terminal.isTTY;
  if (json) {
    terminal.line(JSON.stringify({
      ts: new Date().toISOString(),
      level: "error",
      msg: message,
      code: err instanceof WeirError ? err.code : "failed",
      exit_code: code,
    }));
  } else terminal.line(`error: ${message}`);
  if (global?.verbose && !(err instanceof WeirError) && err instanceof Error && err.stack) {
    terminal.line(redactor.text(err.stack));
  }
}

/**
 * Runs the CLI.
 *
 * @param args The command line (`Deno.args`).
 * @param options Plugins, pipelines, output streams.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await runCli(Deno.args, { plugins: [examplePlugin()], pipelines }));
 * ```
 */
export async function runCli(args: readonly string[], options: CliOptions): Promise<number> {
  // What weir creates is its owner's alone; where the umask may be set, git's clones too.
  if (Deno.permissions.querySync({ name: "sys", kind: "umask" }).state === "granted") {
    Deno.umask(0o077);
  }
  const stdout = options.stdout ?? Deno.stdout;
  const terminal = options.terminal ?? stderr();
  let global: GlobalOptions | undefined;
  try {
    const parsed = splitArgs(args);
    global = parsed.global;
    const [command, ...words] = parsed.words;
    if (global.version) {
      writeJson(stdout, { weir: VERSION, deno: Deno.version.deno });
      return ExitCode.ok;
    }
    const helpOf = command === "run" || command === "pipeline";
    if (!command || command === "help" || (global.help && !helpOf)) {
      writeAll(stdout, HELP);
      return command || global.help ? ExitCode.ok : ExitCode.usage;
    }
    const registry = new Registry();
    for (const plugin of options.plugins) registry.add(plugin);
    registry.addPipelines(...options.pipelines);
    for (const spec of global.plugins) {
      const { loadOutsidePlugin } = await import("./outside_plugin.ts");
      const loaded = await loadOutsidePlugin(spec, (text) => terminal.line(text));
      registry.add(loaded.plugin).addPipelines(...loaded.pipelines);
    }

    if (command === "list") {
      if (words.length || parsed.flags.length) {
        throw new UsageError(`Cannot use "${[...words, ...parsed.flags][0]}" with list`);
      }
      writeJson(stdout, listing(registry));
      return ExitCode.ok;
    }
    const configFlags = { home: global.home, features: global.features };
    if (command === "describe") {
      if (words.length !== 1) {
        throw new UsageError("Cannot describe as it takes one task id or pipeline name");
      }
      const { describe } = await import("./describe.ts");
      writeJson(stdout, await describe(registry, words[0], parsed.flags, configFlags));
      return ExitCode.ok;
    }
    if (command !== "run" && command !== "pipeline" && command !== "runs") {
      throw new UsageError(`Cannot run unknown command "${command}" (see "weir --help")`);
    }
    if (command !== "runs" && words.length !== 1) {
      throw new UsageError(
        `Cannot ${command} as it takes one ${
          command === "run" ? "task id" : "pipeline name"
        }: weir ${command} <${command === "run" ? "task" : "name"}> [params]`,
      );
    }
    if (global.help) {
      const { taskHelp, pipelineHelp } = await import("./help.ts");
      writeAll(
        stdout,
        command === "run"
          ? await taskHelp(registry, words[0])
          : await pipelineHelp(registry, words[0]),
      );
      return ExitCode.ok;
    }
    const { Kernel } = await import("../kernel/kernel.ts");
    const kernel = new Kernel({
      registry,
      terminal,
      quiet: global.quiet,
      verbose: global.verbose,
      logFormat: global.logFormat,
      flags: configFlags,
      sandboxTimeoutMs: global.sandboxTimeout && global.sandboxTimeout * 1000,
    });
    try {
      if (command === "runs") {
        const { runsCommand } = await import("./runs.ts");
        writeJson(stdout, runsCommand(kernel, words, parsed.flags));
        return ExitCode.ok;
      }
      const { runCommand, pipelineCommand } = await import("./run.ts");
      const out = {
        stdout,
        terminal,
        quiet: global.quiet,
        // On a terminal a person reads a summary; scripts (or --json) get the envelope.
        human: !global.json &&
          (options.isTerminal ?? (!options.stdout && Deno.stdout.isTerminal())),
      };
      return command === "run"
        ? await runCommand(kernel, registry, words[0], parsed.flags, out)
        : await pipelineCommand(kernel, registry, words[0], parsed.flags, out);
    } finally {
      kernel.close();
    }
  } catch (caught) {
    let err = caught;
    if (isSourceReadRefused(err)) {
      err = new PermissionMissingError("weir", needsToFlags(weirSourceNeeds()), { cause: err });
    }
    // Only the CLI knows whether the home came from --home or WEIR_HOME.
    if (err instanceof HomeError && err.origin === undefined) {
      // Imported here: config.ts loads zod, and `weir list` stays light.
      const { homeOrigin } = await import("../kernel/config.ts");
      err = err.from(homeOrigin({ home: global?.home }));
    }
    reportError(terminal, global, err);
    return exitCodeOf(err);
  }
}
