/**
 * Opens the configured object store, importing each adapter only when used.
 *
 * @module
 */
import type { ObjectStore, ObjectStoreConfig } from "./port.ts";

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
 * import { openObjectStore } from "./open.ts";
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
      const { FsObjectStore } = await import("./fs.ts");
      return new FsObjectStore(config.root);
    }
    case "s3": {
      const { S3ObjectStore } = await import("./s3.ts");
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
