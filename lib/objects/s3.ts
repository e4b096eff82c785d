/**
 * The S3 adapter of the object-store port, for AWS S3 or any S3-compatible
 * server. Import it through `openObjectStore`, so that the AWS SDK loads only
 * when it is used.
 *
 * @module
 */

import {
  type ObjectEntry,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
  type S3ObjectStoreConfig,
} from "./port.ts";
import { validateKey, validatePrefix } from "./key.ts";

type Sdk = typeof import("@aws-sdk/client-s3");

// A specifier Deno cannot see statically: otherwise every start-up of the CLI
// would resolve the SDK's hundred-odd npm packages (about 6 ms of `weir
// list`), S3 or not. `deno task compile` includes the SDK explicitly.
const SDK_SPECIFIER = ["@aws-sdk/client-s3"][0];
let sdk: Promise<Sdk> | undefined;

/**
 * Loads the AWS SDK once.
 *
 * @returns The `@aws-sdk/client-s3` module.
 */
function loadSdk(): Promise<Sdk> {
  return sdk ??= import(SDK_SPECIFIER) as Promise<Sdk>;
}

/**
 * Objects in an S3 bucket, optionally under a key prefix. Keys are listed in
 * S3's order (UTF-8 bytes), page by page with continuation tokens.
 *
 * @example Configure a store (no request is sent until it is used)
 * ```ts
 * import { S3ObjectStore } from "./s3.ts";
 * import assert from "node:assert/strict";
 * const store = new S3ObjectStore({
 *   kind: "s3",
 *   bucket: "weir-data",
 *   endpoint: "http://127.0.0.1:9000",
 *   prefix: "runs",
 *   credentials: { accessKeyId: "key", secretAccessKey: "secret" },
 * });
 * assert.equal(store.prefix, "runs/");
 * await store.close();
 * ```
 */
export class S3ObjectStore implements ObjectStore {
  /** Always `"s3"`. */
  readonly kind = "s3";
  /** The bucket. */
  readonly bucket: string;
  /** The key prefix inside the bucket, `""` or ending in `/`. */
  readonly prefix: string;
  readonly #client: Promise<InstanceType<Sdk["S3Client"]>>;
  #created = false;
  readonly #pageSize: number;

  /**
   * Creates the client; no request is sent yet.
   *
   * @param config The bucket, endpoint, region, prefix and credentials.
   * @throws {RangeError} When `pageSize` is not an integer from 1 to 1000.
   * @throws {InvalidObjectKeyError} When `prefix` is not a valid key prefix.
   */
  constructor(config: S3ObjectStoreConfig) {
    const { pageSize = 1000, prefix = "" } = config;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new RangeError(
        `Cannot open an S3 object store as pageSize must be an integer from 1 to 1000: current value is "${pageSize}"`,
      );
    }
    validatePrefix(prefix);
    this.bucket = config.bucket;
    this.prefix = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    this.#pageSize = pageSize;
    this.#client = loadSdk().then(({ S3Client }) => {
      this.#created = true;
      return new S3Client({
        region: config.region ?? "us-east-1",
        forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(config.credentials ? { credentials: config.credentials } : {}),
      });
    });
    // A failed load is reported by the first call that needs the client.
    this.#client.catch(() => {});
  }

  /**
   * Stores `body` under `key`, replacing any object there.
   *
   * @param key A valid object key.
   * @param body The bytes, or text stored as UTF-8.
   * @param options The content type.
   * @returns The key, the size in bytes and the entity tag.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   */
  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const out = await (await this.#client).send(
      new (await loadSdk()).PutObjectCommand({
        Bucket: this.bucket,
        Key: this.#objectKey(key),
        Body: bytes,
        ContentLength: bytes.length,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      }),
    );
    const etag = out.ETag?.replaceAll('"', "");
    return { key, size: bytes.length, ...(etag ? { etag } : {}) };
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
      const out = await (await this.#client).send(
        new (await loadSdk()).GetObjectCommand({ Bucket: this.bucket, Key: this.#objectKey(key) }),
      );
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isNotFound(err)) return undefined;
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
      const out = await (await this.#client).send(
        new (await loadSdk()).HeadObjectCommand({ Bucket: this.bucket, Key: this.#objectKey(key) }),
      );
      return {
        key,
        size: out.ContentLength ?? 0,
        ...(out.LastModified ? { modified: out.LastModified } : {}),
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Yields the objects whose keys start with `prefix`, sorted by key,
   * fetching one page at a time.
   *
   * @param prefix A key prefix; every object of the store when empty.
   * @returns The keys (without the store's prefix) and sizes.
   * @throws {InvalidObjectKeyError} When the prefix is invalid.
   */
  async *list(prefix = ""): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix);
    let token: string | undefined;
    do {
      const page = await (await this.#client).send(
        new (await loadSdk()).ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          MaxKeys: this.#pageSize,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(this.prefix.length),
          size: object.Size ?? 0,
          ...(object.LastModified ? { modified: object.LastModified } : {}),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Deletes an object. S3 answers the same whether or not the object
   * existed, so a `HEAD` request comes first; the answer is exact unless
   * another writer races it.
   *
   * @param key A valid object key.
   * @returns `true` when there was an object to delete.
   * @throws {InvalidObjectKeyError} When the key is invalid.
   */
  async delete(key: string): Promise<boolean> {
    if ((await this.head(key)) === undefined) return false;
    await (await this.#client).send(
      new (await loadSdk()).DeleteObjectCommand({ Bucket: this.bucket, Key: this.#objectKey(key) }),
    );
    return true;
  }

  /**
   * Closes the client's connections.
   *
   * @returns A settled promise.
   */
  async close(): Promise<void> {
    if (this.#created) (await this.#client).destroy();
  }

  #objectKey(key: string): string {
    return this.prefix + validateKey(key);
  }
}

/** A missing object (not a missing bucket, which stays an error where S3 says so). */
function isNotFound(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "NoSuchKey" || name === "NotFound";
}
