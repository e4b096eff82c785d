/**
 * stdout carries results as JSON and nothing else; people-facing text goes
 * to stderr.
 *
 * @module
 */
import type { ByteSink } from "../terminal.ts";

const encoder = new TextEncoder();

/**
 * Writes text completely to a sink.
 *
 * @param sink Where to write.
 * @param text What to write.
 *
 * @example
 * ```ts
 * import { writeAll } from "./output.ts";
 * const parts: Uint8Array[] = [];
 * writeAll({ writeSync: (b) => (parts.push(b), b.length) }, "hi\n");
 * console.assert(parts.length === 1);
 * ```
 */
export function writeAll(sink: ByteSink, text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += sink.writeSync(bytes.subarray(off));
}

/**
 * Writes a value as JSON, one document, newline-terminated.
 *
 * @param sink Where to write (stdout).
 * @param value The result.
 *
 * @example
 * ```ts
 * import { writeJson } from "./output.ts";
 * let out = "";
 * writeJson({ writeSync: (b) => (out += new TextDecoder().decode(b), b.length) }, { ok: true });
 * console.assert(JSON.parse(out).ok === true);
 * ```
 */
export function writeJson(sink: ByteSink, value: unknown): void {
  writeAll(sink, JSON.stringify(value, null, 2) + "\n");
}
