/**
 * Consistency warnings inside one contract: a section that restates the
 * question id, area or dimension with another value than `identity`, and a
 * placeholder (`TODO`, `TBD`, ...) where a hash should be.
 *
 * @module
 */
import { jsonPath } from "./formats.ts";
import type { Issue } from "./issues.ts";

const RESTATED = ["question_id", "policy_area_id", "dimension_id"] as const;
const HASH_KEY = /(hash|sha256|sha_256|checksum|digest)$/i;
const PLACEHOLDER = /^\s*$|^(TODO|TBD|FIXME|PLACEHOLDER|XXX|CHANGEME|N\/A|<[^>]*>)$/i;

/**
 * Walks a contract (all but `identity`) and lists its disagreements.
 *
 * @param file The contract's file name.
 * @param raw The parsed contract.
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
  identity: Record<(typeof RESTATED)[number], string>,
): Issue[] {
  const out: Issue[] = [];
  const path: PropertyKey[] = [];
  // What each key is: 1 restates an id, 2 holds a hash, 0 neither (keys repeat a lot).
  const kinds = new Map<string, number>();
  const kindOf = (key: string): number => {
    let kind = kinds.get(key);
    if (kind === undefined) {
      kind = (RESTATED as readonly string[]).includes(key) ? 1 : HASH_KEY.test(key) ? 2 : 0;
      kinds.set(key, kind);
    }
    return kind;
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item !== null && typeof item === "object") {
          path.push(i);
          visit(item);
          path.pop();
        }
      }
      return;
    }
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const v = object[key];
      if (typeof v === "string") {
        const kind = kindOf(key);
        if (kind === 1) {
          const expected = identity[key as (typeof RESTATED)[number]];
          if (v !== expected) {
            out.push({
              file,
              path: jsonPath([...path, key]),
              message: `Restates ${key} as "${v}" where identity says "${expected}"`,
            });
          }
        } else if (kind === 2 && PLACEHOLDER.test(v)) {
          out.push({
            file,
            path: jsonPath([...path, key]),
            message: `Placeholder "${v}" where a hash is expected`,
          });
        }
      } else if (v !== null && typeof v === "object") {
        path.push(key);
        visit(v);
        path.pop();
      }
    }
  };
  for (const key of Object.keys(raw)) {
    if (key === "identity") continue;
    const v = raw[key];
    if (v !== null && typeof v === "object") {
      path.push(key);
      visit(v);
      path.pop();
    }
  }
  return out;
}
