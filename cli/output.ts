/**
 * stdout carries results as JSON and nothing else; people-facing text goes
 * to stderr.
 *
 * @module
 */
import type { ByteSink } from "../lib/terminal.ts";

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
 * import assert from "node:assert/strict";
 * const parts: Uint8Array[] = [];
 * writeAll({ writeSync: (b) => (parts.push(b), b.length) }, "hi\n");
 * assert.deepEqual(parts, [new TextEncoder().encode("hi\n")]);
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
 * import assert from "node:assert/strict";
 * let out = "";
 * writeJson({ writeSync: (b) => (out += new TextDecoder().decode(b), b.length) }, { ok: true });
 * assert.deepEqual(JSON.parse(out), { ok: true });
 * ```
 */
export function writeJson(sink: ByteSink, value: unknown): void {
  writeAll(sink, JSON.stringify(value, null, 2) + "\n");
}
