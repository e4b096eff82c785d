/**
 * Object keys: one syntax that is safe as an S3 key and as a path under a
 * folder, checked the same way by every adapter.
 *
 * @module
 */
import { ExitCode, WeirError } from "../errors.ts";

/** The longest key in UTF-8 bytes, as S3 allows. */
export const MAX_KEY_BYTES = 1024;

/** Options of {@linkcode InvalidObjectKeyError}. */
export interface InvalidObjectKeyErrorOptions extends ErrorOptions {
  /**
   * What was refused, for the message.
   *
   * @default {"an object key"}
   */
  subject?: string;
}

/**
 * An object key (or list prefix) was refused. Exit code 2.
 *
 * @example Read the refused key
 * ```ts
 * import { InvalidObjectKeyError } from "./key.ts";
 * import assert from "node:assert/strict";
 * const err = new InvalidObjectKeyError("a//b", "it has an empty segment");
 * assert.equal(err.key, "a//b");
 * assert.equal(err.code, "invalid_object_key");
 * assert.equal(
 *   err.message,
 *   'Cannot use an object key as it has an empty segment: current value is "a//b"',
 * );
 * ```
 */
export class InvalidObjectKeyError extends WeirError {
  /** The refused key. */
  readonly key: string;

  /**
   * Creates the error; its message says which rule the key broke.
   *
   * @param key The refused key.
   * @param reason Why, phrased to follow "as" (for example `it is empty`).
   * @param options The subject and the standard error options (`cause`).
   */
  constructor(key: string, reason: string, options: InvalidObjectKeyErrorOptions = {}) {
    const { subject = "an object key", ...rest } = options;
    super(
      `Cannot use ${subject} as ${reason}: current value is ${display(key)}`,
      "invalid_object_key",
      ExitCode.usage,
      rest,
    );
    this.name = "InvalidObjectKeyError";
    this.key = key;
  }
}

/**
 * Checks that a key is safe on every adapter: non-empty, at most 1024 UTF-8
 * bytes, well-formed Unicode, relative (no leading `/`), without backslashes
 * or NUL bytes, and made of non-empty segments other than `.` and `..`. Such
 * a key always maps to a path inside a filesystem store's root.
 *
 * @param key The key to check.
 * @returns The same key.
 * @throws {InvalidObjectKeyError} When the key breaks a rule; the message says which.
 *
 * @example Accept and refuse keys
 * ```ts
 * import { InvalidObjectKeyError, validateKey } from "./key.ts";
 * import assert from "node:assert/strict";
 * validateKey("batches/2024-05-01/part-0001.json");
 * assert.throws(() => validateKey("../etc/passwd"), InvalidObjectKeyError);
 * ```
 */
export function validateKey(key: string): string {
  const reason = problemOf(key);
  if (reason) throw new InvalidObjectKeyError(key, reason);
  return key;
}

/**
 * Checks a list prefix: `""`, or a valid key optionally followed by one `/`.
 *
 * @param prefix The prefix to check.
 * @returns The same prefix.
 * @throws {InvalidObjectKeyError} When the prefix breaks a key rule.
 *
 * @example Accept a folder-like prefix
 * ```ts
 * import { validatePrefix } from "./key.ts";
 * import assert from "node:assert/strict";
 * assert.equal(validatePrefix("batches/"), "batches/");
 * ```
 */
export function validatePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  const reason = problemOf(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  if (reason) throw new InvalidObjectKeyError(prefix, reason, { subject: "an object key prefix" });
  return prefix;
}

/**
 * Orders keys as S3 does: by their UTF-8 bytes, which is Unicode code point
 * order (JavaScript's default sort compares UTF-16 units and differs above
 * U+FFFF).
 *
 * @param a A key.
 * @param b Another key.
 * @returns A negative number, zero or a positive number, as for `Array.sort`.
 *
 * @example Sort keys as S3 lists them
 * ```ts
 * import { compareKeys } from "./key.ts";
 * import assert from "node:assert/strict";
 * const keys = ["\u{1F600}", "\uFF61", "a"].sort(compareKeys);
 * assert.deepEqual(keys, ["a", "\uFF61", "\u{1F600}"]);
 * ```
 */
export function compareKeys(a: string, b: string): number {
  // UTF-16 units compare as code points except where a surrogate (U+D800 to
  // U+DFFF, half of a character above U+FFFF) meets a unit from U+E000 up:
  // only then is the order mended. No allocation: listings sort with it.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 || y < 0xd800) return x - y;
    return (x < 0xe000 ? x + 0x2000 : x - 0x800) - (y < 0xe000 ? y + 0x2000 : y - 0x800);
  }
  return a.length - b.length;
}

function problemOf(key: string): string | undefined {
  if (typeof key !== "string") return "it is not a string";
  if (key === "") return "it is empty";
  if (key.includes("\0")) return "it contains a NUL byte";
  if (!key.isWellFormed()) return "it is not well-formed Unicode";
  if (key.includes("\\")) return "it contains a backslash";
  if (key.startsWith("/")) return 'it starts with "/"';
  for (const segment of key.split("/")) {
    if (segment === "") return 'it has an empty segment ("//" or a trailing "/")';
    if (segment === "..") return 'it has a ".." segment';
    if (segment === ".") return 'it has a "." segment';
  }
  const bytes = new TextEncoder().encode(key).length;
  if (bytes > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes (${bytes})`;
  return undefined;
}

/** Quotes a key for a message, escaping control characters and shortening long keys. */
function display(key: string): string {
  if (typeof key !== "string") return `"${String(key)}"`;
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}...` : key);
}
