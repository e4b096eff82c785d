/**
 * The aggregator's rule, shared by both adapters: once every chunk of a job
 * has ended, its status, and which tables get a transform with which files.
 *
 * @module
 */
import { type ChunkRow, type JobStatus, tableKey, type TableRef } from "../model.ts";

/** What {@linkcode decide} concluded. */
export interface Decision {
  /** The job's status. */
  status: JobStatus;
  /** Each fully succeeded table with its files, in chunk order. */
  transforms: (TableRef & { files: string[] })[];
  /** Tables with at least one failed chunk. */
  failedTables: TableRef[];
}

/**
 * Decides a job whose chunks have all ended: `completed` when every chunk
 * succeeded, `failed` when none did, `partial_success` otherwise.
 *
 * @param chunks Every chunk of the job, each succeeded or failed.
 * @returns The decision.
 *
 * @example
 * ```ts
 * import { decide } from "./_decide.ts";
 * import assert from "node:assert/strict";
 * const base = { tenant: "t", service: "s", start: 0, end: 1, attempts: 1, records: 1, error: null };
 * const d = decide([
 *   { ...base, chunk: 0, table: "a", status: "succeeded", files: ["f0"] },
 *   { ...base, chunk: 1, table: "b", status: "failed", files: [] },
 * ]);
 * assert.equal(d.status, "partial_success");
 * assert.deepEqual(d.transforms.map((t) => t.files), [["f0"]]);
 * ```
 */
export function decide(chunks: readonly ChunkRow[]): Decision {
  const tables = new Map<string, { ref: TableRef; files: string[]; failed: boolean }>();
  for (const c of [...chunks].sort((a, b) => a.chunk - b.chunk)) {
    const key = tableKey(c);
    const entry = tables.get(key) ??
      { ref: { tenant: c.tenant, service: c.service, table: c.table }, files: [], failed: false };
    tables.set(key, entry);
    if (c.status === "succeeded") entry.files.push(...c.files);
    else entry.failed = true;
  }
  const ok = [...tables.values()].filter((t) => !t.failed);
  const failedTables = [...tables.values()].filter((t) => t.failed).map((t) => t.ref);
  const succeeded = chunks.filter((c) => c.status === "succeeded").length;
  const status: JobStatus = succeeded === chunks.length
    ? "completed"
    : succeeded === 0
    ? "failed"
    : "partial_success";
  return {
    status,
    transforms: ok.map((t) => ({ ...t.ref, files: t.files })),
    failedTables,
  };
}
