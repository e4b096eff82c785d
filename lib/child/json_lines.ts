/**
 * The line protocol a child process speaks on its stdout: one JSON object
 * per line, each with a string `type`. Lines are read with a size cap, so a
 * child that writes without end cannot fill the parent's memory.
 *
 * @module
 */

/** A protocol message: a JSON object with a `type`. */
export type Message = { readonly type: string; readonly [key: string]: unknown };

/**
 * Splits a byte stream into UTF-8 lines (without their `\n`); a last line
 * without `\n` is yielded too.
 *
 * @param stream The bytes.
 * @param maxLineBytes The longest line accepted. @default {67108864}
 * @returns The lines, in order.
 * @throws {RangeError} When a line is longer than `maxLineBytes`.
 *
 * @example
 * ```ts
 * import { readLines } from "./json_lines.ts";
 * import assert from "node:assert/strict";
 * const stream = ReadableStream.from([new TextEncoder().encode("a\nb")]);
 * assert.deepEqual(await Array.fromAsync(readLines(stream)), ["a", "b"]);
 * ```
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes = 64 * 1024 * 1024,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, at);
      pending = pending.slice(at + 1);
    }
    if (pending.length > maxLineBytes) {
      throw new RangeError(
        `Cannot read a line longer than ${maxLineBytes} bytes: current length is ${pending.length}`,
      );
    }
  }
  pending += decoder.decode();
  if (pending) yield pending;
}

/**
 * Parses one protocol line.
 *
 * @param line The line.
 * @param types The message types expected.
 * @returns The message.
 * @throws {SyntaxError} When the line is not JSON.
 * @throws {TypeError} When it is JSON but not an object with one of `types` as its `type`.
 *
 * @example
 * ```ts
 * import { parseMessage } from "./json_lines.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseMessage('{"type":"result","n":1}', ["result"]).n, 1);
 * assert.throws(() => parseMessage("hello", ["result"]), SyntaxError);
 * assert.throws(() => parseMessage('{"type":"other"}', ["result"]), TypeError);
 * ```
 */
export function parseMessage(line: string, types: readonly string[]): Message {
  const value: unknown = JSON.parse(line);
  const type = value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as { type?: unknown }).type
    : undefined;
  if (typeof type !== "string" || !types.includes(type)) {
    throw new TypeError(
      `Cannot accept a message as its type must be ${
        types.map((t) => `"${t}"`).join(" or ")
      }: current value is ${JSON.stringify(type ?? null)}`,
    );
  }
  return value as Message;
}

/**
 * Writes one message as a line, all of it, synchronously.
 *
 * @param sink Where it goes (`Deno.stdout` in a child).
 * @param message The message.
 *
 * @example
 * ```ts
 * import { writeMessage } from "./json_lines.ts";
 * import assert from "node:assert/strict";
 * const chunks: Uint8Array[] = [];
 * writeMessage({ writeSync: (b) => (chunks.push(b), b.length) }, { type: "done" });
 * assert.equal(new TextDecoder().decode(chunks[0]), '{"type":"done"}\n');
 * ```
 */
export function writeMessage(
  sink: { writeSync(bytes: Uint8Array): number },
  message: Message,
): void {
  let bytes = new TextEncoder().encode(JSON.stringify(message) + "\n");
  while (bytes.length) bytes = bytes.subarray(sink.writeSync(bytes));
}
