/**
 * The canonical output's body, built as bytes: source lines are copied in
 * as they are (see {@linkcode SourceLines}), a run of lines adjacent in
 * their file at once; other versions are encoded a batch at a time; the buffer grows by doubling, so no string of the whole
 * output is ever built.
 *
 * @module
 */
import type { BodyWriter, SourceLines } from "./source_lines.ts";

/** One kept version: a ref to a source line, its JSON, or a mapped record. */
export type Version = number | string | Record<string, unknown>;

/**
 * A JSON-lines body, one version per line.
 *
 * @example
 * ```ts
 * import { Body } from "./body.ts";
 * import { SourceLines } from "./source_lines.ts";
 * import assert from "node:assert/strict";
 * const lines = new SourceLines();
 * const bytes = new TextEncoder().encode('{"id":1}\n{"id":2}\n');
 * const file = lines.add(bytes, new TextDecoder().decode(bytes));
 * const body = new Body(lines);
 * body.add(lines.ref(file, 0, 8));
 * body.add(lines.ref(file, 9, 17));
 * body.add({ id: 3 });
 * body.add('{"id":4}');
 * assert.equal(new TextDecoder().decode(body.finish()), '{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n');
 * assert.equal(body.lines, 4);
 * ```
 */
export class Body implements BodyWriter {
  /** Lines added so far. */
  lines = 0;
  readonly #source: SourceLines;
  readonly #encoder = new TextEncoder();
  /** JSON lines waiting to be encoded together. */
  #pending: string[] = [];
  #buffer: Uint8Array;
  #size = 0;
  /** The lines copied as they are, waiting to be copied at once: their bytes, start and end. */
  #run: Uint8Array | undefined;
  #runStart = 0;
  #runEnd = 0;

  /**
   * Creates an empty body.
   *
   * @param source Where the refs among the versions point.
   * @param capacity The bytes to reserve at first (the buffer doubles when
   * they do not suffice; pages never written take no memory).
   * @default {65536}
   */
  constructor(source: SourceLines, capacity = 65_536) {
    this.#source = source;
    this.#buffer = new Uint8Array(Math.max(capacity, 1024));
  }

  /**
   * Appends one version as a line.
   *
   * @param v The version.
   */
  add(v: Version): void {
    this.lines++;
    if (typeof v === "number") {
      if (this.#pending.length > 0) this.#encodePending();
      this.#source.writeTo(v, this);
      return;
    }
    if (this.#run !== undefined) this.#copyRun();
    if (this.#pending.push(typeof v === "string" ? v : JSON.stringify(v)) === 4096) {
      this.#encodePending();
    }
  }

  /**
   * Appends `bytes[start..start + length)` as a line. A line that follows
   * the previous one in the same bytes (after its newline) extends it: a
   * run of such lines is copied at once, newlines included.
   *
   * @param bytes The bytes.
   * @param start The line's first byte.
   * @param length Its length.
   */
  span(bytes: Uint8Array, start: number, length: number): void {
    if (bytes === this.#run && start === this.#runEnd + 1) {
      this.#runEnd = start + length;
      return;
    }
    if (this.#run !== undefined) this.#copyRun();
    this.#run = bytes;
    this.#runStart = start;
    this.#runEnd = start + length;
  }

  /**
   * The body's bytes (a view of its buffer; add nothing after).
   *
   * @returns The bytes.
   */
  finish(): Uint8Array {
    if (this.#run !== undefined) this.#copyRun();
    if (this.#pending.length > 0) this.#encodePending();
    return this.#buffer.subarray(0, this.#size);
  }

  #copyRun(): void {
    const n = this.#runEnd - this.#runStart;
    this.#reserve(n + 1);
    this.#buffer.set(this.#run!.subarray(this.#runStart, this.#runEnd), this.#size);
    this.#size += n;
    this.#buffer[this.#size++] = 10;
    this.#run = undefined;
  }

  #encodePending(): void {
    const bytes = this.#encoder.encode(this.#pending.join("\n") + "\n");
    this.#pending = [];
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#size);
    this.#size += bytes.length;
  }

  #reserve(n: number): void {
    if (this.#size + n <= this.#buffer.length) return;
    const next = new Uint8Array(Math.max(this.#buffer.length * 2, this.#size + n));
    next.set(this.#buffer.subarray(0, this.#size));
    this.#buffer = next;
  }
}
