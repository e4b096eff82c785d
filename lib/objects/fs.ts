/**
 * The filesystem adapter of the object-store port: one file per object under
 * a root folder, the key's segments as folders.
 *
 * @module
 */

import { dirname, join, resolve, sep } from "node:path";
import {
  type ObjectEntry,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from "./port.ts";
import { compareKeys, InvalidObjectKeyError, validateKey, validatePrefix } from "./key.ts";

/** Names of in-flight writes; never listed as objects. */
const TEMP_NAME = /^\.~weir-[0-9a-f-]{36}\.tmp$/;

/**
 * Objects as files under `root`. Writes are atomic (a temporary file in the
 * same folder, flushed, then renamed over the target), so readers see the old
 * object or the new one, never part of one. Folders left empty by `delete`
 * are removed. Content types are not stored. Symbolic links are not listed.
 *
 * One difference from S3 follows from files: `a` and `a/b` cannot both be
 * objects; such a `put` is refused with an {@linkcode InvalidObjectKeyError}.
 *
 * @example Write, list and delete objects
 * ```ts
 * import { FsObjectStore } from "./fs.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * const store = new FsObjectStore(root);
 * await store.put("b.txt", "two");
 * await store.put("a/1.txt", new TextEncoder().encode("one"));
 * const keys = [];
 * for await (const entry of store.list()) keys.push(entry.key);
 * assert.deepEqual(keys, ["a/1.txt", "b.txt"]);
 * assert.equal(await store.delete("a/1.txt"), true);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class FsObjectStore implements ObjectStore {
  /** Always `"fs"`. */
  readonly kind = "fs";
  /** The absolute folder that holds the objects. */
  readonly root: string;

  /**
   * Creates a store; nothing is touched on disk until the first write.
   *
   * @param root The folder that holds the objects; created on first write.
   */
  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * Returns the file that holds `key`, always inside {@linkcode root}.
   *
   * @param key A valid object key.
   * @returns An absolute path under the root.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   *
   * @example Map a key to its file
   * ```ts
   * import { FsObjectStore } from "./fs.ts";
   * import assert from "node:assert/strict";
   * const store = new FsObjectStore("/srv/objects");
   * assert.equal(store.pathFor("a/b.json"), "/srv/objects/a/b.json");
   * ```
   */
  pathFor(key: string): string {
    const path = join(this.root, ...validateKey(key).split("/"));
    if (!path.startsWith(this.root + sep)) {
      throw new InvalidObjectKeyError(key, "it resolves outside the store's root");
    }
    return path;
  }

  /**
   * Stores `body` under `key` atomically, replacing any object there.
   *
   * @param key A valid object key.
   * @param body The bytes, or text stored as UTF-8.
   * @param _options Ignored: files keep no content type.
   * @returns The key and the size in bytes.
   * @throws {InvalidObjectKeyError} When the key is invalid or collides with a folder or file.
   */
  async put(key: string, body: Uint8Array | string, _options?: PutOptions): Promise<PutResult> {
    const path = await this.#inside(key);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const temp = join(dirname(path), `.~weir-${crypto.randomUUID()}.tmp`);
    // A concurrent delete may remove the folder just made: retry a few times.
    for (let attempt = 1;; attempt++) {
      try {
        await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
        await writeSynced(temp, bytes);
        break;
      } catch (err) {
        if (err instanceof Deno.errors.NotFound && attempt < 3) continue;
        if (err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotADirectory) {
          throw this.#conflict(key, err);
        }
        throw err;
      }
    }
    try {
      await Deno.rename(temp, path);
    } catch (err) {
      await Deno.remove(temp).catch(() => {});
      if (err instanceof Deno.errors.IsADirectory || (await isDirectory(path))) {
        throw new InvalidObjectKeyError(
          key,
          "the filesystem store holds objects under it, so it cannot be an object too",
          { cause: err },
        );
      }
      throw err;
    }
    return { key, size: bytes.length };
  }

  /**
   * Reads an object's bytes.
   *
   * @param key A valid object key.
   * @returns The bytes, or `undefined` when there is no such object.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   */
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(await this.#inside(key));
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }

  /**
   * Reads an object as UTF-8 text.
   *
   * @param key A valid object key.
   * @returns The text, or `undefined` when there is no such object.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   */
  async getText(key: string): Promise<string | undefined> {
    const bytes = await this.get(key);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  /**
   * Reads an object's size and modification time.
   *
   * @param key A valid object key.
   * @returns The metadata, or `undefined` when there is no such object.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   */
  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await Deno.stat(await this.#inside(key));
      if (!info.isFile) return undefined;
      return { key, size: info.size, ...(info.mtime ? { modified: info.mtime } : {}) };
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }

  /**
   * Yields the objects whose keys start with `prefix`, sorted by key.
   *
   * @param prefix A key prefix; every object when empty.
   * @returns The keys and sizes, streamed folder by folder.
   * @throws {InvalidObjectKeyError} When the prefix is invalid.
   */
  async *list(prefix = ""): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix);
    // Start at the deepest folder the prefix names; filter the rest by name.
    const cut = prefix.lastIndexOf("/") + 1;
    yield* this.#walk(prefix.slice(0, cut), prefix);
  }

  /**
   * Deletes an object and the folders it leaves empty.
   *
   * @param key A valid object key.
   * @returns `true` when there was an object to delete.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   */
  async delete(key: string): Promise<boolean> {
    const path = await this.#inside(key);
    try {
      if (!(await Deno.lstat(path)).isFile) return false;
      await Deno.remove(path);
    } catch (err) {
      if (isAbsent(err)) return false;
      throw err;
    }
    // Remove folders left empty, so that their names can become objects again.
    for (let dir = dirname(path); dir !== this.root; dir = dirname(dir)) {
      try {
        await Deno.remove(dir);
      } catch {
        break; // Not empty (or already gone): stop.
      }
    }
    return true;
  }

  /**
   * Does nothing: the store holds no open resources.
   *
   * @returns A settled promise.
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Yields objects under the folder `base` (a key prefix ending in "/" or "")
   * whose keys start with `prefix`, in key order: a folder sorts as its name
   * followed by "/", which is where its keys fall among its siblings.
   */
  async *#walk(base: string, prefix: string): AsyncGenerator<ObjectEntry> {
    const dir = base === "" ? this.root : join(this.root, ...base.slice(0, -1).split("/"));
    const children: { name: string; dir: boolean }[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isSymlink || TEMP_NAME.test(entry.name)) continue;
        const name = base + entry.name + (entry.isDirectory ? "/" : "");
        const wanted = name.startsWith(prefix) || (entry.isDirectory && prefix.startsWith(name));
        if (wanted && (entry.isFile || entry.isDirectory)) {
          children.push({ name, dir: entry.isDirectory });
        }
      }
    } catch (err) {
      if (isAbsent(err)) return;
      throw err;
    }
    children.sort((a, b) => compareKeys(a.name, b.name));
    for (const child of children) {
      if (child.dir) {
        yield* this.#walk(child.name, prefix);
        continue;
      }
      try {
        const info = await Deno.stat(join(this.root, ...child.name.split("/")));
        yield { key: child.name, size: info.size, ...(info.mtime ? { modified: info.mtime } : {}) };
      } catch (err) {
        if (!isAbsent(err)) throw err; // Deleted while listing: skip it.
      }
    }
  }

  /**
   * The key's path, when no folder or file on the way from the root to it is
   * a symbolic link: one would lead a read or a write out of the store (and
   * out of the grant Deno checked lexically).
   */
  async #inside(key: string): Promise<string> {
    const path = this.pathFor(key);
    let at = this.root;
    for (const segment of path.slice(this.root.length + 1).split(sep)) {
      at = join(at, segment);
      let link: boolean;
      try {
        link = (await Deno.lstat(at)).isSymlink;
      } catch (err) {
        if (isAbsent(err)) break; // Nothing further exists: nothing to follow.
        throw err;
      }
      if (link) {
        throw new InvalidObjectKeyError(
          key,
          `the filesystem store refuses to follow the symbolic link "${at}"`,
        );
      }
    }
    return path;
  }

  #conflict(key: string, cause: unknown): InvalidObjectKeyError {
    return new InvalidObjectKeyError(
      key,
      "the filesystem store holds an object where it needs a folder",
      { cause },
    );
  }
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
  await file.syncData();
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

function isAbsent(err: unknown): boolean {
  return err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory ||
    err instanceof Deno.errors.IsADirectory;
}
