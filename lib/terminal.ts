/**
 * A terminal writer with a status line: log lines scroll above a single
 * status line (a progress bar), so the two never garble each other.
 *
 * @module
 */

const encoder = new TextEncoder();
const ERASE_LINE = "\r\x1b[2K";

/** Where bytes go; `Deno.stderr` in the CLI, a buffer in tests. */
export interface ByteSink {
  /** Writes all bytes synchronously. */
  writeSync(bytes: Uint8Array): number;
}

/**
 * Stderr with an optional status line kept at the bottom.
 *
 * @example Log lines are written above the status line
 * ```ts
 * import { Terminal } from "./terminal.ts";
 * import assert from "node:assert/strict";
 * const chunks: string[] = [];
 * const sink = { writeSync: (b: Uint8Array) => (chunks.push(new TextDecoder().decode(b)), b.length) };
 * const term = new Terminal(sink, true);
 * term.status("[###---] 50%");
 * term.line("a log line");
 * assert.ok(chunks.join("").endsWith("a log line\n[###---] 50%"));
 * ```
 */
export class Terminal {
  #sink: ByteSink;
  #status = "";
  /** Whether the sink is an interactive terminal (bars) or not (JSON lines). */
  readonly isTTY: boolean;
  /** Applied to every line and status written: the kernel sets its redactor here. */
  redact: (text: string) => string = (text) => text;

  /**
   * Wraps a sink.
   *
   * @param sink Where bytes go.
   * @param isTTY Whether the sink is an interactive terminal.
   */
  constructor(sink: ByteSink, isTTY: boolean) {
    this.#sink = sink;
    this.isTTY = isTTY;
  }

  /** The terminal's width in columns; 80 when it cannot be known. */
  get columns(): number {
    if (!this.isTTY) return 80;
    try {
      return Deno.consoleSize().columns || 80;
    } catch {
      return 80;
    }
  }

  /**
   * Writes a whole line (a newline is added), keeping the status line below it.
   *
   * @param text The line, without its newline.
   */
  line(text: string): void {
    const clear = this.#status ? ERASE_LINE : "";
    this.#write(`${clear}${this.redact(text)}\n${this.#status}`);
  }

  /**
   * Sets and draws the status line (TTY only; ignored otherwise).
   *
   * @param text The status text; empty clears it.
   */
  status(text: string): void {
    if (!this.isTTY) return;
    this.#status = this.redact(text);
    this.#write(`${ERASE_LINE}${this.#status}`);
  }

  /**
   * Leaves the current status text as an ordinary line and stops redrawing it.
   */
  settle(): void {
    if (!this.#status) return;
    this.#status = "";
    this.#write("\n");
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += this.#sink.writeSync(bytes.subarray(off));
  }
}
