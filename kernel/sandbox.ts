/**
 * The sandbox: a task of a plugin loaded from outside (or a step marked
 * `sandbox`) runs in a child `deno run` process granted exactly its declared
 * needs plus read access to its own code (`lib/child/`). A Worker cannot
 * contain it on Deno 2.9: it shares the parent's stdout, and `Deno.exit()`
 * in it is not an answer the parent can wait for (README "The sandbox").
 *
 * @module
 */
import { callDenoSandbox, type ChildCall, denoExecutable, type Message } from "../lib/child/mod.ts";
import { coversEnv, type PermissionNeeds } from "../lib/permissions.ts";
import { type ErrorClass, reviveError, type SerializedError } from "../lib/error_wire.ts";
import { InterruptedError, UsageError } from "../lib/errors.ts";
import { PermanentError, RetryableError } from "../lib/async/retry.ts";
import { parseRecorded } from "../lib/counters.ts";
import { readGrantedEnv, type WeirConfig } from "./config.ts";
import { ConfigError, PermissionMissingError, TaskInputError } from "./errors.ts";
import { type Layer, type Outcome, type Run, settle } from "./phases.ts";
import { assertPermissions } from "./permissions.ts";
import { secretValues } from "../lib/redact.ts";
import type { LogLevel } from "./report/logger.ts";
import { weirSourceNeeds } from "./source.ts";

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

/** How a sandboxed run reports, and its limits. */
export interface SandboxSettings {
  /** The lowest level logged. */
  level: LogLevel;
  /** JSON lines or text. */
  format: "json" | "text";
  /** Only errors. */
  quiet: boolean;
  /** The longest a sandboxed run may take, in milliseconds. @default {no limit} */
  timeoutMs?: number;
  /** Writes one line the child wrote to stderr (the parent redacts it). */
  line: (text: string) => void;
}

/**
 * Asks the child one thing, granted `needs` and read access to the
 * plugin's code (its graph's files in its own folder and weir's source).
 *
 * @param request What to ask (`describe`, `needs`, `input`, `summary` or `run`) of which plugin.
 * @param needs What the child may touch.
 * @param options Time limit, abort signal, where its stderr lines go.
 * @returns The answer; an `error` answer (but a run's) is thrown as the error it carries.
 * @throws {UsageError} In a compiled binary, which has no `deno` to start the child with.
 * @throws {PermissionMissingError} When weir may not run `deno`.
 */
export async function callSandbox(
  request: { type: string; pluginUrl: string } & Record<string, unknown>,
  needs: PermissionNeeds,
  options: Pick<ChildCall, "timeoutMs" | "signal" | "onStderr"> = {},
): Promise<Message> {
  const source = weirSourceNeeds().read;
  if (!source) throw new UsageError("Cannot sandbox a plugin in a compiled binary: use deno run");
  assertPermissions("the sandbox", { run: [denoExecutable()] });
  const reply = await callDenoSandbox({
    module: request.pluginUrl,
    entry: new URL("./sandbox_child.ts", import.meta.url).href,
    importMap: new URL("../deno.json", import.meta.url).href,
    lock: decodeURIComponent(new URL("../deno.lock", import.meta.url).pathname),
    within: [...source, decodeURIComponent(new URL("../mod.ts", import.meta.url).pathname)],
    needs,
    code: source,
    request,
    replies: [request.type === "run" ? "result" : request.type, "error"],
    ...options,
  }).catch((err) => {
    throw new Error(`its sandbox ${err.message}`, { cause: err });
  });
  if (reply.type !== "error" || request.type === "run") return reply;
  throw reviveError(reply.error as SerializedError, WEIR_ERRORS);
}

/**
 * The configuration a sandboxed task sees: a value from the environment
 * only when its needs name the variable (`AWS_*` names all of theirs).
 *
 * @param config The whole configuration.
 * @param env The variables its needs name.
 * @returns The configuration without the values it did not ask for.
 *
 * @example
 * ```ts
 * import { sandboxConfig } from "./sandbox.ts";
 * import { loadConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * const { config } = loadConfig({ home: "/w" }, { NEO4J_PASSWORD: "pw", DATABASE_URL: "postgres://h/db" });
 * const seen = sandboxConfig(config, ["DATABASE_URL"]);
 * assert.deepEqual([seen.neo4j.password, seen.databaseUrl], [undefined, "postgres://h/db"]);
 * ```
 */
export function sandboxConfig(config: WeirConfig, env: readonly string[] = []): WeirConfig {
  const pick = <T>(name: string, value: T) => coversEnv(env, name) ? value : undefined;
  const { neo4j: n, s3 } = config;
  return {
    ...config,
    databaseUrl: pick("DATABASE_URL", config.databaseUrl),
    neo4j: {
      uri: pick("NEO4J_URI", n.uri),
      hybridUri: pick("NEO4J_HYBRID_URI", n.hybridUri),
      user: pick("NEO4J_USER", n.user),
      password: pick("NEO4J_PASSWORD", n.password),
    },
    s3: {
      ...s3,
      accessKeyId: pick("AWS_ACCESS_KEY_ID", s3.accessKeyId),
      secretAccessKey: pick("AWS_SECRET_ACCESS_KEY", s3.secretAccessKey),
      sessionToken: pick("AWS_SESSION_TOKEN", s3.sessionToken),
    },
  };
}

/**
 * The sandbox layer: a run of an outside plugin's task, or one whose request
 * asks for the sandbox, runs in a child process; other runs pass through.
 *
 * @param settings Log settings, time limit, where the child's stderr goes.
 * @returns The layer.
 *
 * @example
 * ```ts ignore
 * const layers = [recordLayer(records), logLayer, sandboxLayer(settings)];
 * ```
 */
export function sandboxLayer(settings: SandboxSettings): Layer {
  return function sandbox(run: Run, next: () => Promise<Outcome>): Promise<Outcome> {
    if (!run.request.sandbox && !run.unit.sandbox) return next();
    return settle(run, () => runSandboxed(run, settings));
  };
}

async function runSandboxed(run: Run, settings: SandboxSettings): Promise<unknown> {
  const { unit, ctx } = run;
  if (!unit.module) {
    throw new TypeError(`Cannot sandbox "${unit.name}" as its plugin does not give its module url`);
  }
  // Only what the task declared: not the kernel's home, not another task's secrets.
  const needs = await unit.needs(run.input, ctx.config);
  const granted = Object.entries(readGrantedEnv()).filter(([n]) => coversEnv(needs.env, n));
  const reply = await callSandbox(
    {
      type: "run",
      pluginUrl: unit.module,
      taskId: unit.name,
      input: run.input,
      config: sandboxConfig(ctx.config, needs.env),
      runId: run.request.runId,
      log: { level: settings.level, format: settings.format, quiet: settings.quiet },
      secrets: secretValues(Object.fromEntries(granted)),
    },
    needs,
    { timeoutMs: settings.timeoutMs, signal: ctx.signal, onStderr: settings.line },
  ).catch(
    (err) => {
      throw new Error(`Cannot finish sandboxed task "${unit.name}" as ${err.message}`);
    },
  );
  const { counters, failures } = parseRecorded(reply);
  for (const [name, n] of Object.entries(counters)) ctx.counters.add(name, n);
  for (const f of failures) ctx.failures.add(f.item, f.reason, f.retryable);
  if (reply.type === "result") return reply.output;
  throw reviveError(reply.error as SerializedError, WEIR_ERRORS);
}
