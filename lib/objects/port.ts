/**
 * The object-store port: named byte blobs (batch files, canonical output) in
 * a folder on disk or in an S3 bucket, behind one interface, with one key
 * syntax that is safe for both (see `key.ts`).
 *
 * @module
 */

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
  /** When it was last written, when the store knows (both adapters do). */
  modified?: Date;
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
