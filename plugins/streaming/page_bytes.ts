/**
 * What a page's bytes must be before it is parsed: valid UTF-8 (never
 * silently replaced: the first bad sequence is named by its byte offset),
 * free of NUL bytes (named by their line), and no larger than the sync's
 * limit (`--max-page-bytes`). Each fault is a {@linkcode PageBytesError}:
 * permanent, so the sync lists the page as failed and goes on.
 *
 * @module
 */
import { PermanentError } from "../../lib/async/retry.ts";

/** The default of `--max-page-bytes`: 16 MiB. */
export const DEFAULT_MAX_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * A page's bytes cannot be a page: invalid UTF-8, a NUL byte, too large.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PageBytesError } from "./page_bytes.ts";
 * const err = new PageBytesError("it holds a NUL byte at line 3", 3);
 * assert.equal(err.message, "Cannot read page as it holds a NUL byte at line 3");
 * assert.equal(err.line, 3);
 * ```
 */
export class PageBytesError extends PermanentError {
  /** The line, when the fault has one (NUL bytes). */
  readonly line: number | null;

  /**
   * Creates the error.
   *
   * @param reason What is wrong, as a clause starting with `it`.
   * @param line The line, when the fault has one.
   */
  constructor(reason: string, line: number | null = null) {
    super(`Cannot read page as ${reason}`);
    this.name = "PageBytesError";
    this.line = line;
  }
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes a page's bytes as UTF-8, exactly (a byte-order mark is kept).
 *
 * @param bytes The page as stored.
 * @returns The text.
 * @throws {PageBytesError} When the bytes are not valid UTF-8, naming the
 * byte offset of the first bad sequence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePage } from "./page_bytes.ts";
 * assert.equal(decodePage(new TextEncoder().encode("- é")), "- é");
 * assert.throws(
 *   () => decodePage(new Uint8Array([0x2d, 0x20, 0xc3, 0x28])),
 *   { message: "Cannot read page as it is not valid UTF-8: the bad sequence starts at byte offset 2" },
 * );
 * ```
 */
export function decodePage(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    throw new PageBytesError(
      `it is not valid UTF-8: the bad sequence starts at byte offset ${firstInvalidUtf8(bytes)}`,
    );
  }
}

/**
 * Checks a decoded page: its size in UTF-8 bytes against the limit, and
 * that it holds no NUL byte.
 *
 * @param text The page's text.
 * @param maxBytes The limit, in bytes.
 * @throws {PageBytesError} When it is larger than `maxBytes`, or holds a NUL byte (with its line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPageText } from "./page_bytes.ts";
 * checkPageText("- fine", 100);
 * assert.throws(() => checkPageText("a\nb\0", 100), { message: "Cannot read page as it holds a NUL byte at line 2", line: 2 });
 * assert.throws(() => checkPageText("ééé", 5), { message: "Cannot read page as it is 6 bytes, over the limit of 5 bytes (--max-page-bytes)" });
 * ```
 */
export function checkPageText(text: string, maxBytes: number): void {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: count exactly only when it matters.
  if (text.length * 3 > maxBytes) {
    const size = text.length > maxBytes ? text.length : utf8Length(text);
    if (size > maxBytes) throw tooLarge(size, maxBytes);
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    let line = 1;
    for (let i = text.indexOf("\n"); i >= 0 && i < nul; i = text.indexOf("\n", i + 1)) line++;
    throw new PageBytesError(`it holds a NUL byte at line ${line}`, line);
  }
}

/**
 * The error for a page over the size limit, for a source that knows the
 * size before reading.
 *
 * @param size The page's size, in bytes.
 * @param maxBytes The limit.
 * @returns The error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tooLarge } from "./page_bytes.ts";
 * assert.equal(tooLarge(20, 10).message, "Cannot read page as it is 20 bytes, over the limit of 10 bytes (--max-page-bytes)");
 * ```
 */
export function tooLarge(size: number, maxBytes: number): PageBytesError {
  return new PageBytesError(
    `it is ${size} bytes, over the limit of ${maxBytes} bytes (--max-page-bytes)`,
  );
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The offset of the first byte of the first invalid UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let need: number, min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) need = 1, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef) need = 2, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4) need = 3, min = 0x10000;
    else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
