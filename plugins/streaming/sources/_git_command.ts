/**
 * Running the `git` CLI for the git source (private to `sources/`): one
 * environment for every call (no credential prompt, English messages, no
 * optional locks) and one error when git is not installed.
 *
 * @module
 */
import { SourceError } from "./source_error.ts";

/** Never prompt for credentials; messages in English, so they can be classified. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" };

/** UTF-8, keeping a byte-order mark: the text is exactly what is stored. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

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
 * Runs git to completion; an abort kills it and rejects with the signal's reason.
 *
 * @param args The arguments after `git`.
 * @param location The source's location, for the error when git is missing.
 * @param signal Kills git; the call then rejects with the signal's reason.
 * @param env Variables added to the environment.
 * @returns The exit code and output; a non-zero code is not an error here.
 * @throws {SourceError} When the `git` command is not installed.
 */
export async function git(
  args: string[],
  location: string,
  signal?: AbortSignal,
  env?: Record<string, string>,
): Promise<GitResult> {
  const child = spawn(args, { stdout: "piped", stderr: "piped", signal, env }, location);
  const output = await child.output();
  if (signal?.aborted) throw signal.reason;
  return { code: output.code, stdout: output.stdout, stderr: utf8.decode(output.stderr).trim() };
}
