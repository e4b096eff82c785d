/**
 * The object-store port: named byte blobs (batch files, canonical output) in
 * a folder on disk or in an S3 bucket, behind one interface, with one key
 * syntax that is safe for both.
 *
 * @module
 */

import { ExitCode, WeirError } from "../errors.ts";

/** Options of {@linkcode ObjectStore.put}. */
export interface PutOptions {
  /** The media type stored with the object (S3 only; the filesystem ignores it). */
  contentType?: string;
}

/** What {@linkcode ObjectStore.put} stored. */
export interface PutResult {
  /** The object's key. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** The store's entity tag, when it has one (S3). */
  etag?: string;
}

/** An object's metadata, as {@linkcode ObjectStore.head} returns it. */
export interface ObjectInfo {
  /** The object's key. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** When it was last written, when the store knows. */
  modified?: Date;
}

/** One object, as {@linkcode ObjectStore.list} yields it. */
export interface ObjectEntry {
  /** The object's key. */
  key: string;
  /** Its size in bytes. */
  size: number;
}

/**
 * A store of objects by key. Keys are `/`-separated paths checked by
 * {@linkcode validateKey}; every method refuses an invalid key with an
 * {@linkcode InvalidObjectKeyError}.
 */
export interface ObjectStore {
  /** Which adapter this is: `"fs"` or `"s3"`. */
  readonly kind: string;
  /** Stores `body` under `key`, replacing any object there; readers never see a partial object. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** Reads an object's bytes, or `undefined` when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Reads an object as UTF-8 text, or `undefined` when there is none. */
  getText(key: string): Promise<string | undefined>;
  /** Reads an object's metadata, or `undefined` when there is none. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Yields the objects whose keys start with `prefix`, sorted by {@linkcode compareKeys}. */
  list(prefix?: string): AsyncIterable<ObjectEntry>;
  /** Deletes an object; `true` when there was one. */
  delete(key: string): Promise<boolean>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Configuration of the filesystem adapter. */
export interface FsObjectStoreConfig {
  /** Selects the filesystem adapter. */
  kind: "fs";
  /** The folder that holds the objects; created on first write. */
  root: string;
}

/** Configuration of the S3 adapter. */
export interface S3ObjectStoreConfig {
  /** Selects the S3 adapter. */
  kind: "s3";
  /** The bucket, which must exist. */
  bucket: string;
  /** An S3-compatible endpoint URL; AWS when absent. */
  endpoint?: string;
  /**
   * The bucket's region.
   *
   * @default {"us-east-1"}
   */
  region?: string;
  /**
   * A key prefix inside the bucket under which this store lives; a `/` is
   * appended when missing.
   *
   * @default {""}
   */
  prefix?: string;
  /**
   * Address the bucket in the path rather than the host name.
   *
   * @default {true when endpoint is set}
   */
  forcePathStyle?: boolean;
  /** Static credentials; the AWS SDK's default chain (`AWS_*`) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Keys per `ListObjectsV2` page, 1 to 1000.
   *
   * @default {1000}
   */
  pageSize?: number;
}

/** Which object store to open. */
export type ObjectStoreConfig = FsObjectStoreConfig | S3ObjectStoreConfig;

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
 * import { InvalidObjectKeyError } from "./objects.ts";
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
 * import { InvalidObjectKeyError, validateKey } from "./objects.ts";
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
 * import { validatePrefix } from "./objects.ts";
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
 * import { compareKeys } from "./objects.ts";
 * import assert from "node:assert/strict";
 * const keys = ["\u{1F600}", "\uFF61", "a"].sort(compareKeys);
 * assert.deepEqual(keys, ["a", "\uFF61", "\u{1F600}"]);
 * ```
 */
export function compareKeys(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  while (true) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return (ca.done ? 0 : 1) - (cb.done ? 0 : 1);
    const diff = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
}

/**
 * Opens an object store. Each adapter is imported on demand, so the AWS SDK
 * (about 55 ms of start-up) loads only when S3 is used.
 *
 * @param config Which adapter, and its settings.
 * @returns The open store; call `close()` when done.
 * @throws {TypeError} When `config.kind` is unknown.
 * @throws {RangeError} When an S3 `pageSize` is outside 1 to 1000.
 *
 * @example Store and read an object in a folder
 * ```ts
 * import { openObjectStore } from "./objects.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * const store = await openObjectStore({ kind: "fs", root });
 * await store.put("greetings/hello.txt", "hello");
 * assert.equal(await store.getText("greetings/hello.txt"), "hello");
 * await store.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function openObjectStore(config: ObjectStoreConfig): Promise<ObjectStore> {
  switch (config.kind) {
    case "fs": {
      const { FsObjectStore } = await import("./objects_fs.ts");
      return new FsObjectStore(config.root);
    }
    case "s3": {
      const { S3ObjectStore } = await import("./objects_s3.ts");
      return new S3ObjectStore(config);
    }
    default:
      throw new TypeError(
        `Cannot open an object store as its kind is not "fs" or "s3": current value is "${
          (config as { kind?: unknown })?.kind
        }"`,
      );
  }
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
