/**
 * Consistency warnings inside one contract: a section that restates the
 * question id, area or dimension with another value than `identity`, and a
 * placeholder (`TODO`, `TBD`, ...) where a hash should be.
 *
 * The walk runs on every contract loaded, so it is kept cheap: one
 * recursive pass with `for...in` (no key arrays), a key is classified by its
 * last character before any comparison, only string values under a
 * restating or hash key are read, and a JSON path is built only for a
 * finding (from the keys on the way down, kept in one reused array).
 *
 * @module
 */
import { jsonPath } from "./formats.ts";
import type { Issue } from "./issues.ts";

/** The ids a section may restate. */
type Restated = "question_id" | "policy_area_id" | "dimension_id";
const PLACEHOLDER = /^\s*$|^(TODO|TBD|FIXME|PLACEHOLDER|XXX|CHANGEME|N\/A|<[^>]*>)$/i;

/** The walk's state, passed down instead of captured by closures. */
interface Walk {
  file: string;
  identity: Record<Restated, string>;
  path: PropertyKey[];
  out: Issue[];
}

/**
 * Whether a key ends with `suffix` (lowercase ASCII), ASCII letters
 * compared case-insensitively, as `/suffix$/i` does.
 */
function endsWithFolded(key: string, suffix: string): boolean {
  const offset = key.length - suffix.length;
  if (offset < 0) return false;
  for (let i = 0; i < suffix.length; i++) {
    const c = key.charCodeAt(offset + i);
    const s = suffix.charCodeAt(i);
    if (c !== s && !(s >= 0x61 && s <= 0x7a && c === s - 0x20)) return false;
  }
  return true;
}

/**
 * Whether a key names a hash: it ends with `hash`, `sha256`, `sha_256`,
 * `checksum` or `digest`, in any case.
 *
 * @param key The key.
 * @returns `true` for a hash key.
 *
 * @example
 * ```ts
 * import { isHashKey } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   ["source_hash", "SHA256", "file_sha_256", "Checksum", "digest", "strict", "hashes"].map(isHashKey),
 *   [true, true, true, true, true, false, false],
 * );
 * ```
 */
export function isHashKey(key: string): boolean {
  // The last character rules out most keys before any comparison.
  switch (key.charCodeAt(key.length - 1)) {
    case 0x68: // h
    case 0x48:
      return endsWithFolded(key, "hash");
    case 0x36: // 6
      return endsWithFolded(key, "sha256") || endsWithFolded(key, "sha_256");
    case 0x6d: // m
    case 0x4d:
      return endsWithFolded(key, "checksum");
    case 0x74: // t
    case 0x54:
      return endsWithFolded(key, "digest");
    default:
      return false;
  }
}

/** Reads one string value under `key` and records a finding, if any. */
function checkString(walk: Walk, key: string, value: string): void {
  // Restated ids all end with "d" (`..._id`); hash keys never do.
  if (key.charCodeAt(key.length - 1) === 0x64) {
    if (key !== "question_id" && key !== "policy_area_id" && key !== "dimension_id") return;
    const expected = walk.identity[key];
    if (value === expected) return;
    walk.out.push({
      file: walk.file,
      path: jsonPath([...walk.path, key]),
      message: `Restates ${key} as "${value}" where identity says "${expected}"`,
    });
  } else if (isHashKey(key) && PLACEHOLDER.test(value)) {
    walk.out.push({
      file: walk.file,
      path: jsonPath([...walk.path, key]),
      message: `Placeholder "${value}" where a hash is expected`,
    });
  }
}

/** Visits an object or array's members, in document order. */
function visit(walk: Walk, node: object): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item = node[i];
      if (item !== null && typeof item === "object") {
        walk.path.push(i);
        visit(walk, item);
        walk.path.pop();
      }
    }
    return;
  }
  const object = node as Record<string, unknown>;
  for (const key in object) {
    const v = object[key];
    if (typeof v === "string") checkString(walk, key, v);
    else if (v !== null && typeof v === "object") {
      walk.path.push(key);
      visit(walk, v);
      walk.path.pop();
    }
  }
}

/**
 * Walks a contract (all but `identity`) and lists its disagreements.
 *
 * @param file The contract's file name.
 * @param raw The parsed contract (as `JSON.parse` gives it: plain objects).
 * @param identity The ids `identity` gives.
 * @returns The warnings, in document order.
 *
 * @example
 * ```ts
 * import { consistencyWarnings } from "./consistency.ts";
 * import assert from "node:assert/strict";
 * const raw = { identity: {}, traceability: { question_id: "Q002", source_hash: "TODO" } };
 * const ids = { question_id: "Q001", policy_area_id: "PA01", dimension_id: "DIM01" };
 * assert.deepEqual(consistencyWarnings("Q001.v3.json", raw, ids).map((w) => w.message), [
 *   'Restates question_id as "Q002" where identity says "Q001"',
 *   'Placeholder "TODO" where a hash is expected',
 * ]);
 * ```
 */
export function consistencyWarnings(
  file: string,
  raw: Record<string, unknown>,
  identity: Record<Restated, string>,
): Issue[] {
  const walk: Walk = { file, identity, path: [], out: [] };
  for (const key in raw) {
    if (key === "identity") continue;
    const v = raw[key];
    // Sections only: a top-level value that is not an object is not walked.
    if (v !== null && typeof v === "object") {
      walk.path.push(key);
      visit(walk, v);
      walk.path.pop();
    }
  }
  return walk.out;
}
