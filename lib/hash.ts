/**
 * Content hashes for manifests and idempotency keys: SHA-256 of bytes, text
 * and files, canonical JSON (RFC 8785) and a Merkle root over many hashes.
 * Every hash is lowercase hex.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** SHA-256 of no bytes at all: the Merkle root of an empty list. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const HEX_HASH = /^[0-9a-f]{64}$/i;

/** The `canonicalize` package's messages, in our error voice and classes. */
const CANONICALIZE_ERRORS: Record<string, [ErrorConstructor, string]> = {
  "NaN is not allowed": [RangeError, "numbers must be finite: found NaN"],
  "Infinity is not allowed": [RangeError, "numbers must be finite: found an infinite number"],
  "Circular reference detected": [TypeError, "the value refers to itself (a cycle)"],
  "Lone surrogate is not allowed": [TypeError, "a string holds a lone UTF-16 surrogate"],
};

/**
 * SHA-256 of a string (as UTF-8) or of bytes.
 *
 * @param data The text or bytes to hash.
 * @returns The hash as 64 lowercase hex digits.
 *
 * @example Hash a string
 * ```ts
 * import { sha256Hex } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   sha256Hex("abc"),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * SHA-256 of bytes, computed on another thread (WebCrypto): start several
 * and do other work meanwhile, as the contracts loader parses one file
 * while the others of its batch are hashed.
 *
 * @param bytes The bytes to hash.
 * @returns The hash as 64 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex, sha256HexOffThread } from "./hash.ts";
 * import assert from "node:assert/strict";
 * const bytes = new TextEncoder().encode("abc");
 * assert.equal(await sha256HexOffThread(bytes), sha256Hex(bytes));
 * ```
 */
export async function sha256HexOffThread(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");
}

/**
 * SHA-256 of a file's bytes, read as a stream so memory stays bounded
 * whatever the file's size.
 *
 * @param path The file to hash.
 * @returns The hash as 64 lowercase hex digits.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {Deno.errors.NotCapable} When read permission for it is missing.
 *
 * @example Hash a file
 * ```ts
 * import { sha256File, sha256Hex } from "./hash.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "abc");
 * assert.equal(await sha256File(path), sha256Hex("abc"));
 * await Deno.remove(path);
 * ```
 */
export async function sha256File(path: string | URL): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

/**
 * The RFC 8785 (JCS) canonical JSON text of a value: keys sorted by UTF-16
 * code units, no whitespace, ECMAScript number formatting. Equal data gives
 * equal text, whatever the key order it was built in.
 *
 * @param value A JSON value (`toJSON()` is honoured, as by `JSON.stringify`).
 * @returns The canonical JSON text.
 * @throws {TypeError} When the value has no JSON form (`undefined`, a function,
 * a BigInt), has a cycle or holds a lone surrogate.
 * @throws {RangeError} When it holds `NaN` or an infinite number.
 *
 * @example Key order does not matter
 * ```ts
 * import { canonicalJson } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalJson({ b: 1, a: [true, null] }), '{"a":[true,null],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const [Type, why] = CANONICALIZE_ERRORS[reason] ?? [TypeError, reason];
    throw new Type(`Cannot canonicalize JSON as ${why}`, { cause: err });
  }
  if (text === undefined) {
    throw new TypeError(
      `Cannot canonicalize JSON as the value has no JSON form: current value is "${String(value)}"`,
    );
  }
  return text;
}

/**
 * SHA-256 of a value's canonical JSON (see {@linkcode canonicalJson}): a
 * content hash that does not depend on key order.
 *
 * @param value A JSON value.
 * @returns The hash as 64 lowercase hex digits.
 * @throws {TypeError} When the value has no canonical JSON form.
 * @throws {RangeError} When it holds `NaN` or an infinite number.
 *
 * @example Equal data, equal hash
 * ```ts
 * import { hashJson } from "./hash.ts";
 * import assert from "node:assert/strict";
 * assert.equal(hashJson({ a: 1, b: 2 }), hashJson({ b: 2, a: 1 }));
 * ```
 */
export function hashJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * The Merkle root of a list of SHA-256 hashes, defined as follows:
 * - the leaves are the given hashes, in the given order (sort them first,
 *   by path say, when the order is not meaningful);
 * - each level pairs neighbours left to right, and a pair's parent is
 *   SHA-256 of the left hash's 32 raw bytes followed by the right's;
 * - an odd node left over at the end of a level is promoted unchanged to
 *   the next level (not duplicated, so `[a, b, c]` and `[a, b, c, c]` have
 *   different roots);
 * - the root of one leaf is that leaf; of no leaves, {@linkcode EMPTY_SHA256}.
 *
 * @param hexHashes The leaf hashes, 64 hex digits each (either case).
 * @returns The root as 64 lowercase hex digits.
 * @throws {TypeError} When a leaf is not 64 hex digits.
 *
 * @example Three leaves: the third is promoted
 * ```ts
 * import { merkleRoot, sha256Hex } from "./hash.ts";
 * import { Buffer } from "node:buffer";
 * import assert from "node:assert/strict";
 * const [a, b, c] = ["a", "b", "c"].map((s) => sha256Hex(s));
 * const ab = sha256Hex(Buffer.from(a + b, "hex"));
 * assert.equal(merkleRoot([a, b, c]), sha256Hex(Buffer.from(ab + c, "hex")));
 * ```
 */
export function merkleRoot(hexHashes: readonly string[]): string {
  if (hexHashes.length === 0) return EMPTY_SHA256;
  // Hex strings throughout: Buffer's native hex codec is far cheaper than
  // converting byte by byte, and digest("hex") than digest() to a Buffer.
  let level = hexHashes.map((hash, i) => {
    if (typeof hash !== "string" || !HEX_HASH.test(hash)) {
      throw new TypeError(
        `Cannot compute a Merkle root as leaf ${i} is not 64 hex digits: current value is "${hash}"`,
      );
    }
    return hash.toLowerCase();
  });
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 === level.length) {
        next.push(level[i]);
        continue;
      }
      next.push(
        createHash("sha256").update(Buffer.from(level[i] + level[i + 1], "hex")).digest("hex"),
      );
    }
    level = next;
  }
  return level[0];
}
