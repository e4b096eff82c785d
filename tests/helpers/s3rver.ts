/**
 * Starts an in-process S3 server (`npm:s3rver`) for tests: a free loopback
 * port, a fresh temporary directory and one bucket.
 *
 * @module
 */

import crypto from "node:crypto";
import { Buffer } from "node:buffer";
import { compareKeys } from "../../lib/objects/mod.ts";

/** A running S3 server and how to reach it. */
export interface S3rverHandle {
  /** The endpoint URL, for example `http://127.0.0.1:40123`. */
  endpoint: string;
  /** The bucket created at start, `"weir-test"`. */
  bucket: string;
  /** Credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/** Where {@linkcode startS3rver} listens and keeps its data. */
export interface S3rverOptions {
  /** The port; a free one when absent. Give the old port to restart a stopped server. */
  port?: number;
  /**
   * The data folder, kept on close (the caller owns it), so that a server
   * restarted on it finds the objects; a fresh temporary one when absent.
   */
  directory?: string;
}

/** Options and result of s3rver's internal `FilesystemStore.listObjects`. */
interface ListOptions {
  prefix?: string;
  startAfter?: string;
  maxKeys?: number;
  delimiter?: string;
}
interface ListResult {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

/** The part of s3rver's untyped API the helper uses. */
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: { closeAllConnections?: () => void };
  store: { listObjects(bucket: string, options: ListOptions): Promise<ListResult> };
}

const BUCKET = "weir-test";

/**
 * Starts s3rver on `127.0.0.1` with port 0 (the OS picks a free one) and a
 * fresh temporary directory, with the bucket `weir-test`.
 *
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, a cipher
 * Deno's `node:crypto` lacks ("Unknown cipher", so every second page fails).
 * The helper maps `des` to `des-ede3-cbc` with the key repeated three times,
 * which is the same cipher (3DES with K1 = K2 = K3 is DES); only calls that
 * would otherwise throw are affected.
 *
 * s3rver also lists keys in directory-walk order, not S3's key order: the
 * keys under folder `a/` come out before `a-c` (and in whatever order the
 * filesystem returns entries), so its pages skip keys. This server's store
 * lists in S3's order instead (UTF-8 bytes, via `compareKeys`).
 *
 * @param options A fixed port and data folder, to restart a server where it was.
 * @returns The endpoint, bucket and credentials, and `close()`.
 *
 * @example Start and stop a server
 * ```ts
 * import assert from "node:assert/strict";
 * import { startS3rver } from "./s3rver.ts";
 * const s3 = await startS3rver();
 * assert.ok(s3.endpoint.startsWith("http://127.0.0.1:"));
 * await s3.close();
 * ```
 */
export async function startS3rver(options: S3rverOptions = {}): Promise<S3rverHandle> {
  patchDes();
  const { default: S3rver } = await import("s3rver");
  const owned = options.directory === undefined;
  const directory = options.directory ?? await Deno.makeTempDir({ prefix: "weir-s3rver-" });
  const server: S3rverServer = new S3rver({
    port: options.port ?? 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  });
  sortListings(server);
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    if (owned) await Deno.remove(directory, { recursive: true });
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: BUCKET,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    async close() {
      // Keep-alive sockets would hold close() open until they time out.
      server.httpServer?.closeAllConnections?.();
      await server.close();
      if (owned) await Deno.remove(directory, { recursive: true });
    },
  };
}

/** Makes the server list keys in S3's order, so pages neither skip nor repeat keys. */
function sortListings(server: S3rverServer): void {
  const store = server.store;
  const listObjects = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const { startAfter = "", maxKeys = Infinity } = options;
    const all = await listObjects(bucket, { ...options, startAfter: "", maxKeys: Infinity });
    const after = all.objects
      .filter((object) => compareKeys(object.key, startAfter) > 0)
      .sort((a, b) => compareKeys(a.key, b.key));
    return {
      ...all,
      objects: after.slice(0, maxKeys),
      isTruncated: after.length > maxKeys,
    };
  };
}

let patched = false;

function patchDes(): void {
  if (patched) return;
  patched = true;
  const { createCipheriv, createDecipheriv } = crypto;
  const triple = (key: unknown) => Buffer.concat(Array(3).fill(Buffer.from(key as Uint8Array)));
  // deno-lint-ignore no-explicit-any -- passes node's overloaded arguments through
  type Factory = (algorithm: string, key: any, iv: any, options?: any) => unknown;
  const wrap = (original: Factory): Factory => (algorithm, key, iv, options) =>
    algorithm === "des"
      ? original("des-ede3-cbc", triple(key), iv, options)
      : original(algorithm, key, iv, options);
  crypto.createCipheriv = wrap(createCipheriv as Factory) as typeof createCipheriv;
  crypto.createDecipheriv = wrap(createDecipheriv as Factory) as typeof createDecipheriv;
}
