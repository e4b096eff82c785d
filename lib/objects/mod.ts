/**
 * Object storage: named byte blobs (batch files, canonical output) in a
 * folder on disk or an S3 bucket, behind one port. Keys are checked the same
 * way by both adapters; each adapter loads only when opened, so the AWS SDK
 * costs nothing until S3 is used.
 *
 * @example Store and read an object in a folder
 * ```ts
 * import { openObjectStore } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * const store = await openObjectStore({ kind: "fs", root });
 * try {
 *   await store.put("greetings/hello.txt", "hello");
 *   assert.equal(await store.getText("greetings/hello.txt"), "hello");
 * } finally {
 *   await store.close();
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export * from "./port.ts";
export * from "./key.ts";
export * from "./open.ts";
export { FsObjectStore } from "./fs.ts";
