/**
 * One long-lived `git cat-file --batch` process shared by every concurrent
 * read of a git source (private to `sources/`). git answers requests in the
 * order they were written, so a FIFO queue pairs answers with requests, and a
 * byte buffer holds stdout until a whole answer has arrived.
 *
 * @module
 */
import { RetryableError } from "../../../lib/async/retry.ts";
import { spawn } from "./_git_command.ts";

const ascii = new TextDecoder("latin1");
const encoder = new TextEncoder();

/** One answer of `git cat-file --batch`: the object's type and content, or `missing`. */
export type Answer = { type: "missing" } | { type: string; content: Uint8Array };

interface Pending {
  id: string;
  header?: { type: string; size: number };
  settled: boolean;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * One `git cat-file --batch` process. git answers requests in the order they
 * were written, so answers are matched to a FIFO queue of requests. A request
 * whose caller gave up (aborted) stays queued until its answer is read, so the
 * stream stays in step.
 */
export class CatFileBatch {
  /** False once git's output has ended (it exited or was killed); start a new batch then. */
  alive = true;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #queue: Pending[] = [];
  #stderr: Promise<string>;
  #done: Promise<void>;
  #closing = false;
  #location: string;

  /**
   * Starts `git cat-file --batch` on a repository.
   *
   * @param gitDir The repository's git directory.
   * @param location The source's location, for messages.
   * @throws {SourceError} When the `git` command is not installed.
   */
  constructor(gitDir: string, location: string) {
    this.#location = location;
    this.#child = spawn(["--git-dir", gitDir, "cat-file", "--batch"], {
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }, location);
    this.#writer = this.#child.stdin.getWriter();
    this.#stderr = new Response(this.#child.stderr).text().catch(() => "");
    this.#done = this.#pump();
  }

  /**
   * Asks for one object.
   *
   * @param id The object id.
   * @param signal Stops waiting for this answer only (it is still read, to keep in step).
   * @returns The object's type and content, or `{ type: "missing" }` (also for an ambiguous id).
   * @throws {RetryableError} When the process has exited, or exits before answering.
   */
  request(id: string, signal?: AbortSignal): Promise<Answer> {
    if (!this.alive) {
      return Promise.reject(
        new RetryableError(
          `Cannot read the page as git cat-file has exited: current value is "${this.#location}"`,
        ),
      );
    }
    return new Promise<Answer>((resolve, reject) => {
      const onAbort = () => settle(pending, () => reject(signal!.reason));
      const pending: Pending = {
        id,
        settled: false,
        resolve: (answer) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(answer);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // Queued and written in the same turn: the queue's order is the pipe's order.
      this.#queue.push(pending);
      // A failed write means git has exited; the pump then rejects every request.
      this.#writer.write(encoder.encode(`${id}\n`)).catch(() => {});
    });
  }

  /**
   * Closes git's stdin, so it exits after answering the requests in flight.
   *
   * @returns When the process has exited and every request is settled.
   */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.alive) await this.#writer.close().catch(() => {});
    await this.#done;
  }

  async #pump(): Promise<void> {
    const reader = this.#child.stdout.getReader();
    const buffer = new ByteBuffer();
    let failure: unknown;
    let ended = false;
    try {
      for (;;) {
        this.#answer(buffer);
        const { value, done } = await reader.read();
        if (done) break;
        buffer.push(value);
      }
      ended = true;
    } catch (err) {
      failure = err;
    } finally {
      this.alive = false;
      if (!ended) {
        try {
          this.#child.kill();
        } catch { /* already exited */ }
        await reader.cancel().catch(() => {});
      }
      reader.releaseLock();
      if (!this.#closing) await this.#writer.abort().catch(() => {});
      const [status, stderr] = await Promise.all([this.#child.status, this.#stderr]);
      const error = new RetryableError(
        `Cannot read the page as git cat-file exited with code ${status.code}${
          stderr.trim() ? `: ${stderr.trim()}` : ""
        }: current value is "${this.#location}"`,
        failure === undefined ? undefined : { cause: failure },
      );
      for (const pending of this.#queue.splice(0)) settle(pending, () => pending.reject(error));
    }
  }

  /** Settles every request whose whole answer is buffered. */
  #answer(buffer: ByteBuffer): void {
    while (this.#queue.length) {
      const head = this.#queue[0];
      if (!head.header) {
        const line = buffer.line();
        if (line === undefined) return;
        const [id, type, size] = line.split(" ");
        if (id !== head.id) {
          throw new Error(
            `Cannot read from git cat-file as an answer came out of order: expected ${head.id}, got "${line}"`,
          );
        }
        if (type === "missing" || type === "ambiguous") {
          this.#queue.shift();
          settle(head, () => head.resolve({ type: "missing" }));
          continue;
        }
        head.header = { type, size: Number(size) };
      }
      if (buffer.length < head.header.size + 1) return; // The content, then "\n".
      const content = buffer.take(head.header.size);
      buffer.take(1);
      this.#queue.shift();
      settle(head, () => head.resolve({ type: head.header!.type, content }));
    }
  }
}

function settle(pending: Pending, action: () => void): void {
  if (pending.settled) return;
  pending.settled = true;
  action();
}

/** A growable byte queue: bytes are pushed at the end and taken from the front. */
class ByteBuffer {
  #data = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  push(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#data.length) {
      const length = this.length;
      const data = length + chunk.length > this.#data.length / 2
        ? new Uint8Array(Math.max(this.#data.length * 2, length + chunk.length))
        : this.#data;
      data.set(this.#data.subarray(this.#start, this.#end), 0);
      this.#data = data;
      this.#start = 0;
      this.#end = length;
    }
    this.#data.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next line without its `\n`, or undefined when no whole line is buffered. */
  line(): string | undefined {
    const at = this.#data.subarray(this.#start, this.#end).indexOf(10);
    if (at < 0) return undefined;
    const line = ascii.decode(this.#data.subarray(this.#start, this.#start + at));
    this.#start += at + 1;
    return line;
  }

  take(n: number): Uint8Array {
    const out = this.#data.slice(this.#start, this.#start + n);
    this.#start += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return out;
  }
}
