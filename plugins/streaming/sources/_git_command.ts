/**
 * Running the `git` CLI for the git source (private to `sources/`): one
 * environment for every call (no credential prompt, English messages, no
 * optional locks), a time limit on each command, and one error when git is
 * not installed.
 *
 * @module
 */
import { SourceError } from "./source_error.ts";

/**
 * Never prompt for credentials; messages in English, so they can be
 * classified; and an HTTP transfer that moves less than a byte a second for
 * two minutes ends (a git left behind by a killed weir ends by itself).
 */
const GIT_ENV = {
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
  GIT_OPTIONAL_LOCKS: "0",
  GIT_HTTP_LOW_SPEED_LIMIT: "1",
  GIT_HTTP_LOW_SPEED_TIME: "120",
};

/** UTF-8, keeping a byte-order mark: the text is exactly what is stored. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** How long one git command may run by default: a clone of a large repository fits. */
export const DEFAULT_GIT_TIMEOUT_MS = 600_000;

/** What a finished git process left: its exit code and output. */
export interface GitResult {
  /** The exit code. */
  code: number;
  /** Everything it wrote to stdout. */
  stdout: Uint8Array;
  /** What it wrote to stderr, decoded and trimmed. */
  stderr: string;
}

/**
 * Starts git with the source's environment; stdin is closed unless `options` pipes it.
 *
 * @param args The arguments after `git`.
 * @param options How to connect stdin, stdout and stderr, an abort signal, and
 *   variables added to the environment.
 * @param location The source's location, for the error when git is missing.
 * @returns The running process.
 * @throws {SourceError} When the `git` command is not installed.
 */
export function spawn(
  args: string[],
  options: Pick<Deno.CommandOptions, "stdin" | "stdout" | "stderr" | "signal" | "env">,
  location: string,
): Deno.ChildProcess {
  try {
    return new Deno.Command("git", {
      args,
      stdin: "null",
      ...options,
      env: { ...GIT_ENV, ...options.env },
    }).spawn();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new SourceError(
      location,
      'Cannot open the git source as the "git" command is not installed',
      {
        cause: err,
      },
    );
  }
}

/**
 * Runs git to completion; an abort kills it and rejects with the signal's
 * reason, and so does its time limit (a remote that accepts the connection
 * and never answers would otherwise hold the run for ever).
 *
 * @param args The arguments after `git`.
 * @param location The source's location, for the error when git is missing.
 * @param signal Kills git; the call then rejects with the signal's reason.
 * @param env Variables added to the environment.
 * @param timeoutMs How long git may run before it is killed.
 * @returns The exit code and output; a non-zero code is not an error here.
 * @throws {SourceError} When the `git` command is not installed, or it ran past `timeoutMs`.
 */
export async function git(
  args: string[],
  location: string,
  signal?: AbortSignal,
  env?: Record<string, string>,
  timeoutMs: number = DEFAULT_GIT_TIMEOUT_MS,
): Promise<GitResult> {
  const timer = AbortSignal.timeout(timeoutMs);
  const both = signal ? AbortSignal.any([signal, timer]) : timer;
  // git's HTTP helper outlives a killed git; its own low-speed limit then ends it soon after.
  const lowSpeed = String(Math.max(1, Math.min(120, Math.ceil(timeoutMs / 1000))));
  const child = spawn(args, {
    stdout: "piped",
    stderr: "piped",
    env: { GIT_HTTP_LOW_SPEED_TIME: lowSpeed, ...env },
  }, location);
  const stdout = child.stdout.getReader();
  const stderr = child.stderr.getReader();
  const kill = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    // The helper holds the pipes open: stop reading rather than wait for it.
    stdout.cancel().catch(() => {});
    stderr.cancel().catch(() => {});
  };
  both.addEventListener("abort", kill, { once: true });
  if (both.aborted) kill();
  let output: { code: number; stdout: Uint8Array; stderr: Uint8Array };
  try {
    const [out, err, status] = await Promise.all([readAll(stdout), readAll(stderr), child.status]);
    output = { code: status.code, stdout: out, stderr: err };
  } finally {
    both.removeEventListener("abort", kill);
  }
  if (signal?.aborted) throw signal.reason;
  if (timer.aborted) {
    const verb = args.find((a) => /^[a-z][a-z-]*$/.test(a) && a !== "--git-dir") ?? "git";
    throw new SourceError(
      location,
      `Cannot finish "git ${verb}" as it ran past its time limit: current limit is ${timeoutMs} ms`,
    );
  }
  return { code: output.code, stdout: output.stdout, stderr: utf8.decode(output.stderr).trim() };
}

/** Everything a reader yields until it ends or is cancelled. */
async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch { /* cancelled */ }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
