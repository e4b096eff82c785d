/**
 * One request, one answer, from a `deno run` child process: the request is
 * the first line on its stdin, the answer the one JSON line it writes on its
 * stdout. Everything else ends the call with a reason a person can read: a
 * line that is not JSON (the child wrote to stdout), a malformed message, an
 * exit before answering (`Deno.exit()`, a crash), no answer within the time
 * limit, or no stop within the grace period after an abort (the child is
 * then killed). Its stderr is handed over line by line.
 *
 * @module
 */
import { type Message, parseMessage, readLines } from "./json_lines.ts";

/** Why a child's call ended without an answer. */
export class ChildCallError extends Error {
  /**
   * Creates the error.
   *
   * @param reason What the child did (`exited with code 3 before answering`, ...).
   */
  constructor(reason: string) {
    super(reason);
    this.name = "ChildCallError";
  }
}

/** Options of {@linkcode callChild}. */
export interface ChildCall {
  /** The arguments after the `deno` executable (`run`, flags, the entry, its arguments). */
  args: readonly string[];
  /** The first line written to the child's stdin. */
  request: Message;
  /** The message types accepted as the answer. */
  replies: readonly string[];
  /** The longest the child may take to answer, in milliseconds. @default {no limit} */
  timeoutMs?: number;
  /** On abort, `{"type":"abort"}` is written to the child's stdin. */
  signal?: AbortSignal;
  /** How long the child has to answer after an abort before it is killed. @default {5000} */
  graceMs?: number;
  /** Called with each line the child writes to stderr. */
  onStderr?: (line: string) => void;
  /** The largest answer accepted, in bytes. @default {67108864} */
  maxReplyBytes?: number;
  /** The child's working directory. */
  cwd?: string;
  /** The executable. @default {denoExecutable()} */
  deno?: string;
}

/**
 * The deno executable to start children with: `deno` (found on `PATH`) when
 * this process may run it by that name (`--allow-run=deno`), else this
 * process's own executable.
 *
 * @returns The command.
 *
 * @example
 * ```ts
 * import { denoExecutable } from "./deno_child.ts";
 * import assert from "node:assert/strict";
 * assert.ok(["deno", Deno.execPath()].includes(denoExecutable()));
 * ```
 */
export function denoExecutable(): string {
  const byName = Deno.permissions.querySync({ name: "run", command: "deno" }).state === "granted";
  return byName ? "deno" : Deno.execPath();
}

const snippet = (line: string) =>
  JSON.stringify(line.length > 120 ? line.slice(0, 120) + "..." : line);

/**
 * Runs a child, sends the request, and returns its one answer.
 *
 * @param call The child's arguments, the request, limits and hooks.
 * @returns The answer.
 * @throws {ChildCallError} Saying why no valid answer came.
 *
 * @example A child that answers, and one that exits without answering
 * ```ts
 * import { callChild } from "./deno_child.ts";
 * import assert from "node:assert/strict";
 * const answer = "const { value } = await Deno.stdin.readable.getReader().read();" +
 *   "const req = JSON.parse(new TextDecoder().decode(value));" +
 *   "console.log(JSON.stringify({ type: 'echo', got: req.type }));";
 * const reply = await callChild({ args: ["eval", answer], request: { type: "ping" }, replies: ["echo"] });
 * assert.deepEqual(reply, { type: "echo", got: "ping" });
 * await assert.rejects(
 *   callChild({ args: ["eval", "Deno.exit(3)"], request: { type: "ping" }, replies: ["echo"] }),
 *   { message: "exited with code 3 before answering" },
 * );
 * ```
 */
export async function callChild(call: ChildCall): Promise<Message> {
  const child = new Deno.Command(call.deno ?? denoExecutable(), {
    args: [...call.args],
    cwd: call.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const send = (message: Message) =>
    writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n")).catch(() => {});
  let lastStderr = "";
  const stderrDone = (async () => {
    for await (const line of readLines(child.stderr)) {
      if (line.trim()) lastStderr = line;
      call.onStderr?.(line);
    }
  })().catch(() => {});
  let failure: string | undefined;
  const kill = (reason?: string) => {
    failure ??= reason;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const timers: ReturnType<typeof setTimeout>[] = [];
  const seconds = (ms: number) => `${ms / 1000} s`;
  if (call.timeoutMs !== undefined) {
    timers.push(
      setTimeout(() => kill(`did not answer within ${seconds(call.timeoutMs!)}`), call.timeoutMs),
    );
  }
  const grace = call.graceMs ?? 5000;
  const onAbort = () => {
    send({ type: "abort" });
    timers.push(
      setTimeout(() => kill(`did not stop within ${seconds(grace)} of the abort`), grace),
    );
  };
  if (call.signal?.aborted) onAbort();
  else call.signal?.addEventListener("abort", onAbort, { once: true });
  await send(call.request);

  let reply: Message | undefined;
  try {
    for await (const line of readLines(child.stdout, call.maxReplyBytes)) {
      if (reply) {
        kill(`wrote to stdout after its answer: ${snippet(line)}`);
        break;
      }
      try {
        reply = parseMessage(line, call.replies);
      } catch (err) {
        kill(
          err instanceof SyntaxError
            ? `wrote to stdout outside the protocol: ${snippet(line)}`
            : `sent a malformed message: ${(err as Error).message}`,
        );
        break;
      }
      // The answer is in: the child has a moment to exit on its own.
      timers.push(setTimeout(() => kill(), 2000));
    }
  } catch (err) {
    kill(`sent an answer that cannot be read: ${(err as Error).message}`);
  }
  const status = await child.status;
  for (const t of timers) clearTimeout(t);
  call.signal?.removeEventListener("abort", onAbort);
  await writer.close().catch(() => {});
  await stderrDone;
  if (failure) throw new ChildCallError(failure);
  if (!reply) {
    const how = status.signal
      ? `was killed by ${status.signal}`
      : `exited with code ${status.code}`;
    throw new ChildCallError(`${how} before answering${lastStderr ? `: ${lastStderr}` : ""}`);
  }
  return reply;
}
