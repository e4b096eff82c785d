/**
 * Opens a source from its spec: `jsonl:<dir>` (or a bare folder) or an
 * `http(s)://` base URL; and the permissions each needs.
 *
 * @module
 */
import type { PermissionNeeds } from "../../../lib/permissions.ts";
import type { Source } from "./port.ts";

/**
 * What reading a source needs: its folder, or its host.
 *
 * @param spec The source spec.
 * @returns The permission needs.
 *
 * @example
 * ```ts
 * import { sourceNeeds } from "./open.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sourceNeeds("jsonl:in"), { read: ["in"] });
 * assert.deepEqual(sourceNeeds("http://127.0.0.1:8080/api"), { net: ["127.0.0.1:8080"] });
 * ```
 */
export function sourceNeeds(spec: string): PermissionNeeds {
  if (/^https?:\/\//.test(spec)) return { net: [new URL(spec).host] };
  return { read: [spec.replace(/^jsonl:/, "")] };
}

/**
 * Opens a source.
 *
 * @param spec `jsonl:<dir>`, a folder, or an `http(s)://` base URL.
 * @returns The source.
 *
 * @example
 * ```ts
 * import { openSource } from "./open.ts";
 * import assert from "node:assert/strict";
 * assert.equal((await openSource("jsonl:fixtures/canonical/sample/source")).kind, "jsonl");
 * ```
 */
export async function openSource(spec: string): Promise<Source> {
  if (/^https?:\/\//.test(spec)) {
    const { HttpSource } = await import("./http.ts");
    return new HttpSource(spec);
  }
  const { JsonlSource } = await import("./jsonl.ts");
  return new JsonlSource(spec.replace(/^jsonl:/, ""));
}
