/**
 * Where the canonical plugin's objects live: raw batch files per table and
 * job, and the canonical output with its manifest.
 *
 * @module
 */
import type { TableRef } from "./model.ts";

/**
 * The prefix of every raw batch file of a table.
 *
 * @param t The table.
 * @returns `raw/{tenant}/{service}/{table}/`.
 *
 * @example
 * ```ts
 * import { rawPrefix } from "./keys.ts";
 * import assert from "node:assert/strict";
 * assert.equal(rawPrefix({ tenant: "t1", service: "crm", table: "users" }), "raw/t1/crm/users/");
 * ```
 */
export function rawPrefix(t: TableRef): string {
  return `raw/${t.tenant}/${t.service}/${t.table}/`;
}

/**
 * The key of one batch file.
 *
 * @param t The table.
 * @param job The job.
 * @param chunk The chunk's number.
 * @param batch The batch's number in the chunk.
 * @returns `raw/{tenant}/{service}/{table}/{job}/chunk-{n}-batch-{m}.jsonl`.
 *
 * @example
 * ```ts
 * import { batchKey } from "./keys.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   batchKey({ tenant: "t1", service: "crm", table: "users" }, "j1", 3, 0),
 *   "raw/t1/crm/users/j1/chunk-3-batch-0.jsonl",
 * );
 * ```
 */
export function batchKey(t: TableRef, job: string, chunk: number, batch: number): string {
  return `${rawPrefix(t)}${job}/chunk-${chunk}-batch-${batch}.jsonl`;
}

/**
 * The keys of a table's canonical output for a job and of its manifest.
 *
 * @param t The table.
 * @param job The job.
 * @returns The output and manifest keys.
 *
 * @example
 * ```ts
 * import { canonicalKeys } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const keys = canonicalKeys({ tenant: "t1", service: "crm", table: "users" }, "j1");
 * assert.equal(keys.output, "canonical/t1/crm/users/j1.jsonl");
 * assert.equal(keys.manifest, "canonical/t1/crm/users/j1.manifest.json");
 * ```
 */
export function canonicalKeys(t: TableRef, job: string): { output: string; manifest: string } {
  const base = `canonical/${t.tenant}/${t.service}/${t.table}/${job}`;
  return { output: `${base}.jsonl`, manifest: `${base}.manifest.json` };
}
