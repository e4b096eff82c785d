/**
 * A JSON document as the two graphs hold it. The hybridgraph's view: every
 * distinct value and subtree, keyed by its content hash (see README.md,
 * "Hashing"). The jsongraph's view: one node per value in pre-order, each
 * naming its parent and its key or position, from which the document is
 * rebuilt exactly.
 *
 * @module
 */
import { canonicalJson, merkleRoot, sha256Hex } from "../../lib/hash.ts";

/** A JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The kind of a JSON value. */
export type Kind = "object" | "array" | "string" | "number" | "boolean" | "null";

/** A child of an object or array in the hybridgraph: where it sits and what it is. */
export interface ContentChild {
  /** Position among the parent's children: array index, or rank in key order. */
  pos: number;
  /** The object key; `null` for an array element. */
  key: string | null;
  /** The child's content hash. */
  hash: string;
}

/** One distinct value or subtree, content-addressed. */
export interface ContentNode {
  /** Its content hash (64 hex digits). */
  hash: string;
  /** Its kind. */
  kind: Kind;
  /** A scalar's canonical JSON; `null` for objects and arrays. */
  value: string | null;
  /** An object's entries (in key order) or an array's elements; empty for scalars. */
  children: ContentChild[];
}

/** A document hashed: its root hash and every distinct subtree in it. */
export interface HashedTree {
  /** The root value's hash. */
  root: string;
  /** Each distinct value and subtree by hash (the root included). */
  contents: Map<string, ContentNode>;
}

/** One node of the jsongraph: a value of a document. */
export interface JsonNodeRow {
  /** Its number in the document, in pre-order from 0 (the root). */
  idx: number;
  /** Its parent's `idx`; `null` for the root. */
  parent: number | null;
  /** The key in its parent object; `null` otherwise. */
  key: string | null;
  /** The index in its parent array; `null` otherwise. */
  pos: number | null;
  /** Its kind. */
  kind: Kind;
  /** A scalar's canonical JSON; `null` for objects and arrays. */
  value: string | null;
}

/** The domain tags that keep a scalar, an array, an object and an entry apart. */
const TAG = { value: "value:", array: "array:", object: "object:", entry: "entry:" } as const;

/**
 * The kind of a JSON value.
 *
 * @param value A JSON value.
 * @returns Its kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kindOf } from "./tree.ts";
 * assert.equal(kindOf([1]), "array");
 * assert.equal(kindOf(null), "null");
 * ```
 */
export function kindOf(value: Json): Kind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  if (type === "object") return "object";
  if (type === "string" || type === "number" || type === "boolean") return type;
  throw new TypeError(`Cannot store a value of type "${type}" in a graph: only JSON values are`);
}

/**
 * Hashes a document: a content hash per scalar, a Merkle hash per object
 * and array (README.md, "Hashing", states the encoding exactly).
 *
 * @param value A JSON value.
 * @returns The root hash and every distinct subtree.
 * @throws {TypeError} When the value holds something JSON has not (or a lone surrogate).
 * @throws {RangeError} When it holds `NaN` or an infinite number.
 *
 * @example Key order does not change the hash; shared subtrees are stored once
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashTree } from "./tree.ts";
 * const a = hashTree({ x: { k: 1 }, y: { k: 1 } });
 * const b = hashTree({ y: { k: 1 }, x: { k: 1 } });
 * assert.equal(a.root, b.root);
 * assert.equal(a.contents.size, 3); // the object, {k: 1}, and 1
 * ```
 */
export function hashTree(value: Json): HashedTree {
  const contents = new Map<string, ContentNode>();
  const root = hashInto(value, contents);
  return { root, contents };
}

function hashInto(value: Json, contents: Map<string, ContentNode>): string {
  const kind = kindOf(value);
  let hash: string;
  let children: ContentChild[] = [];
  let text: string | null = null;
  if (kind === "array") {
    children = (value as Json[]).map((item, pos) => ({
      pos,
      key: null,
      hash: hashInto(item, contents),
    }));
    hash = cached(
      `${TAG.array}${children.map((c) => c.hash).join("")}`,
      () => sha256Hex(`${TAG.array}${children.length}:${merkleRoot(children.map((c) => c.hash))}`),
    );
  } else if (kind === "object") {
    const object = value as Record<string, Json>;
    children = Object.keys(object).sort()
      .map((key, pos) => ({ pos, key, hash: hashInto(object[key], contents) }));
    const entries = children.map((c) => {
      const key = scalarJson(c.key);
      return cached(`${TAG.entry}${key}:${c.hash}`, (k) => sha256Hex(k));
    });
    hash = cached(
      `${TAG.object}${entries.join("")}`,
      () => sha256Hex(`${TAG.object}${children.length}:${merkleRoot(entries)}`),
    );
  } else {
    text = scalarJson(value);
    hash = cached(`${TAG.value}${text}`, (k) => sha256Hex(k));
  }
  if (!contents.has(hash)) contents.set(hash, { hash, kind, value: text, children });
  return hash;
}

/**
 * Values and subtrees repeat across documents: their hashes are kept, keyed
 * by what determines them (the tag and the text, or the children's hashes),
 * up to {@linkcode HASH_CACHE} entries.
 */
function cached(key: string, compute: (key: string) => string): string {
  let hash = HASHES.get(key);
  if (hash === undefined) {
    hash = compute(key);
    if (HASHES.size >= HASH_CACHE) HASHES.clear();
    HASHES.set(key, hash);
  }
  return hash;
}

const HASH_CACHE = 100_000;
const HASHES = new Map<string, string>();

/**
 * Forgets the cached hashes (benchmarks measure cold runs with it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clearHashCache, hashTree } from "./tree.ts";
 * const root = hashTree([1]).root;
 * clearHashCache();
 * assert.equal(hashTree([1]).root, root);
 * ```
 */
export function clearHashCache(): void {
  HASHES.clear();
}

/**
 * A scalar's canonical JSON. For well-formed strings, finite numbers,
 * booleans and null, RFC 8785 text is exactly `JSON.stringify`'s; anything
 * else goes through `canonicalJson` for its checks and messages.
 */
function scalarJson(value: Json): string {
  if (
    typeof value === "string"
      ? value.isWellFormed()
      : value === null || typeof value === "boolean" ||
        (typeof value === "number" && Number.isFinite(value))
  ) {
    return JSON.stringify(value);
  }
  return canonicalJson(value);
}

/**
 * Flattens a document into jsongraph nodes, in pre-order.
 *
 * @param value A JSON value.
 * @returns One node per value; the root is `idx` 0.
 * @throws {TypeError} When the value holds something JSON has not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flatten } from "./tree.ts";
 * const nodes = flatten({ a: [true] });
 * assert.deepEqual(nodes.map((n) => [n.idx, n.parent, n.kind]), [
 *   [0, null, "object"], [1, 0, "array"], [2, 1, "boolean"],
 * ]);
 * ```
 */
export function flatten(value: Json): JsonNodeRow[] {
  const nodes: JsonNodeRow[] = [];
  const visit = (v: Json, parent: number | null, key: string | null, pos: number | null) => {
    const kind = kindOf(v);
    const idx = nodes.length;
    const scalar = kind !== "object" && kind !== "array";
    nodes.push({ idx, parent, key, pos, kind, value: scalar ? scalarJson(v) : null });
    if (kind === "array") (v as Json[]).forEach((item, i) => visit(item, idx, null, i));
    else if (kind === "object") {
      for (const [k, item] of Object.entries(v as Record<string, Json>)) visit(item, idx, k, null);
    }
  };
  visit(value, null, null, null);
  return nodes;
}

/**
 * Rebuilds a document from its jsongraph nodes (any order).
 *
 * @param nodes The document's nodes.
 * @returns The document.
 * @throws {RangeError} When the nodes do not form one tree rooted at `idx` 0.
 *
 * @example A round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { flatten, unflatten } from "./tree.ts";
 * const doc = { a: [1, { b: "é" }], c: null };
 * assert.deepEqual(unflatten(flatten(doc)), doc);
 * ```
 */
export function unflatten(nodes: readonly JsonNodeRow[]): Json {
  const sorted = [...nodes].sort((a, b) => a.idx - b.idx);
  const values: Json[] = [];
  sorted.forEach((node, i) => {
    if (node.idx !== i) {
      throw new RangeError(`Cannot rebuild a document as node ${i} is missing: found ${node.idx}`);
    }
    const v: Json = node.kind === "object"
      ? {}
      : node.kind === "array"
      ? []
      : JSON.parse(node.value ?? "null");
    values.push(v);
    if (node.parent === null) {
      if (i !== 0) throw new RangeError(`Cannot rebuild a document as node ${i} has no parent`);
      return;
    }
    const parent = values[node.parent];
    if (parent === undefined || node.parent >= i) {
      throw new RangeError(`Cannot rebuild a document as node ${i} names parent ${node.parent}`);
    }
    if (Array.isArray(parent)) parent[node.pos ?? parent.length] = v;
    else setKey(parent as Record<string, Json>, node.key ?? "", v);
  });
  if (values.length === 0) throw new RangeError("Cannot rebuild a document as it has no nodes");
  return values[0];
}

/**
 * Rebuilds a value from the hybridgraph's content nodes.
 *
 * @param root The root hash.
 * @param get Looks up a content node by hash.
 * @returns The value (object keys in key order).
 * @throws {RangeError} When a hash is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashTree, rebuild } from "./tree.ts";
 * const { root, contents } = hashTree({ b: [1, 1], a: "x" });
 * assert.deepEqual(rebuild(root, (h) => contents.get(h)), { a: "x", b: [1, 1] });
 * ```
 */
export function rebuild(root: string, get: (hash: string) => ContentNode | undefined): Json {
  const node = get(root);
  if (node === undefined) throw new RangeError(`Cannot rebuild content as "${root}" is missing`);
  if (node.kind === "array") {
    return [...node.children].sort((a, b) => a.pos - b.pos).map((c) => rebuild(c.hash, get));
  }
  if (node.kind === "object") {
    const out: Record<string, Json> = {};
    for (const c of [...node.children].sort((a, b) => a.pos - b.pos)) {
      setKey(out, c.key ?? "", rebuild(c.hash, get));
    }
    return out;
  }
  return JSON.parse(node.value ?? "null");
}

/** Sets an own property, even `__proto__`, as `JSON.parse` does. */
function setKey(object: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
