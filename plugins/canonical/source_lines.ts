/**
 * The transform's source files kept as bytes, so that a line of an ASCII
 * file can be held by a number (a ref: the line's index in a table of the
 * lines' offsets and lengths) instead of a string, and written out by
 * copying its bytes: no string per kept line outlives the parse, and the
 * output is neither joined nor encoded.
 * The files are held until the deduplicator spills (then its refs are
 * resolved to text), and at most `maxBytes` of them at once: past that a
 * file's lines are kept as text, as before, so memory stays bounded.
 *
 * @module
 */

/** Where {@linkcode SourceLines.writeTo} appends a line. */
export interface BodyWriter {
  /** Appends `bytes[start..start + length)` as a line. */
  span(bytes: Uint8Array, start: number, length: number): void;
}

/** The most lines referred to at once (8 bytes each, 16 MB); past it, files are kept as text. */
const MAX_LINES = 2_000_000;

/**
 * Source files by number, and refs to their lines.
 *
 * @example
 * ```ts
 * import { SourceLines } from "./source_lines.ts";
 * import assert from "node:assert/strict";
 * const lines = new SourceLines();
 * const bytes = new TextEncoder().encode('{"id":1}\n{"id":2}\n');
 * const file = lines.add(bytes, new TextDecoder().decode(bytes));
 * assert.equal(file, 0);
 * const ref = lines.ref(file, 9, 17);
 * assert.equal(lines.text(ref), '{"id":2}');
 * // Non-ASCII text (its offsets would not be byte offsets) is not taken.
 * const other = new TextEncoder().encode('{"id":"é"}\n');
 * assert.equal(lines.add(other, new TextDecoder().decode(other)), -1);
 * const invalid = new Uint8Array([0x22, 0xff, 0x22, 0x0a]);
 * assert.equal(lines.add(invalid, new TextDecoder().decode(invalid)), -1);
 * // Past maxBytes held, files are not taken until a release.
 * const small = new SourceLines(20);
 * assert.equal(small.add(bytes, new TextDecoder().decode(bytes)), 0);
 * assert.equal(small.add(bytes, new TextDecoder().decode(bytes)), -1);
 * ```
 */
export class SourceLines {
  readonly #files: (Uint8Array | undefined)[] = [];
  /** Each file's first offset in all the files read, one after the other; increasing, as empty files are not taken. */
  readonly #bases: number[] = [];
  /** Per ref, its line's offset (in all the files) and length. */
  #starts: number[] = [];
  #lengths: number[] = [];
  #total = 0;
  #held = 0;
  readonly #maxBytes: number;
  readonly #decoder = new TextDecoder();

  /**
   * Creates an empty set of files.
   *
   * @param maxBytes The most bytes of files held at once.
   * @default {67108864}
   */
  constructor(maxBytes = 64 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Registers a file whose lines may then be referred to.
   *
   * @param bytes The file's bytes.
   * @param text The same bytes decoded as UTF-8.
   * @returns The file's number, or -1 when its lines cannot be referred to
   * (not ASCII, so that text offsets are not byte offsets; empty; or over
   * `maxBytes` with the files held).
   */
  add(bytes: Uint8Array, text: string): number {
    // As long as its bytes, and no byte replaced: every byte is ASCII (a
    // multi-byte character decodes to fewer units than bytes, an invalid
    // byte to U+FFFD).
    if (text.length !== bytes.length || bytes.length === 0 || text.includes("\uFFFD")) return -1;
    if (this.#held + bytes.length > this.#maxBytes || this.#starts.length >= MAX_LINES) return -1;
    this.#held += bytes.length;
    this.#bases.push(this.#total);
    this.#total += bytes.length;
    return this.#files.push(bytes) - 1;
  }

  /**
   * A ref to the line at `start..end` of file `file`.
   *
   * @param file A number from {@linkcode SourceLines.add}.
   * @param start The line's first byte.
   * @param end After its last byte (where its newline is).
   * @returns The ref.
   */
  ref(file: number, start: number, end: number): number {
    this.#starts.push(this.#bases[file] + start);
    return this.#lengths.push(end - start) - 1;
  }

  /**
   * Appends a referred line to a body.
   *
   * @param ref A ref.
   * @param body The body.
   * @throws {RangeError} When the ref's file was released.
   */
  writeTo(ref: number, body: BodyWriter): void {
    const at = this.#starts[ref];
    const file = this.#fileOf(at);
    body.span(this.#bytes(file), at - this.#bases[file], this.#lengths[ref]);
  }

  /**
   * The text of a referred line.
   *
   * @param ref A ref.
   * @returns The line.
   * @throws {RangeError} When the ref's file was released.
   */
  text(ref: number): string {
    const at = this.#starts[ref];
    const file = this.#fileOf(at);
    const start = at - this.#bases[file];
    return this.#decoder.decode(this.#bytes(file).subarray(start, start + this.#lengths[ref]));
  }

  /**
   * Drops every file but the last registered, and every ref, once no ref
   * is held any more (after the deduplicator spilled its keys, as text).
   */
  release(): void {
    this.#starts = [];
    this.#lengths = [];
    const last = this.#files.length - 1;
    for (let i = 0; i < last; i++) this.#files[i] = undefined;
    this.#held = last < 0 ? 0 : this.#files[last]?.length ?? 0;
  }

  /** The file holding an offset: the last whose first offset is not after it. */
  #fileOf(ref: number): number {
    const bases = this.#bases;
    let lo = 0;
    let hi = bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (bases[mid] <= ref) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #bytes(file: number): Uint8Array {
    const bytes = this.#files[file];
    if (bytes === undefined) {
      throw new RangeError(`Cannot read a line of source file ${file} as it was released`);
    }
    return bytes;
  }
}
