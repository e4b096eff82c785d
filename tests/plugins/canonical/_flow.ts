/**
 * Runs a canonical job in-process, step by step as `run_job` does, on a
 * test combination's state and store.
 *
 * @module
 */
import { canonicalize, type CanonicalizeResult } from "../../../plugins/canonical/canonicalize.ts";
import { type MappingConfig, mappingFor } from "../../../plugins/canonical/mapping.ts";
import type { ChunkRow } from "../../../plugins/canonical/model.ts";
import { planJob } from "../../../plugins/canonical/plan.ts";
import { type ChunkRun, processChunk } from "../../../plugins/canonical/process_chunk.ts";
import { JsonlSource } from "../../../plugins/canonical/sources/jsonl.ts";
import type { Source } from "../../../plugins/canonical/sources/port.ts";
import type { CanonicalEnv } from "../../helpers/canonical.ts";

/** The committed sample. */
export const SAMPLE = "fixtures/canonical/sample/source";
/** Its mapping. */
export const MAPPING: MappingConfig = JSON.parse(
  Deno.readTextFileSync("fixtures/canonical/sample/mapping.json"),
);

/** Settings of {@linkcode runFlow}. */
export interface FlowOptions {
  job?: string;
  batchSize?: number;
  chunkSize?: number;
  /** The source the processors read (the sample by default). */
  source?: Source;
  /** Which chunks to run (all pending by default). */
  chunks?: number[];
  /** Keys in memory before spilling. */
  memoryRecords?: number;
  /** Legacy mode: a window transform after each batch. */
  perBatch?: boolean;
}

/** Plans (once) and runs a job's chunks, then its pending transforms. */
export async function runFlow(
  env: CanonicalEnv,
  o: FlowOptions = {},
): Promise<{ chunks: ChunkRun[]; transforms: CanonicalizeResult[] }> {
  const job = o.job ?? "j1";
  if (!(await env.state.job(job))) {
    await env.state.createJob(
      await planJob(new JsonlSource(SAMPLE), job, {
        source: `jsonl:${SAMPLE}`,
        batchSize: o.batchSize ?? 25,
        chunkSize: o.chunkSize ?? 60,
      }),
    );
  }
  const row = (await env.state.job(job))!;
  const source = o.source ?? new JsonlSource(SAMPLE);
  const deps = { state: env.state, store: env.store, spillDir: env.spillDir };
  const onBatch = o.perBatch
    ? async (c: ChunkRow) => {
      await canonicalize(deps, {
        tenant: c.tenant,
        service: c.service,
        table: c.table,
        job,
        windowHours: 72,
        trigger: "batch",
        mapping: mappingFor(MAPPING, c),
        memoryRecords: o.memoryRecords ?? 100_000,
      });
    }
    : undefined;
  const todo = o.chunks ??
    (await env.state.chunks(job)).filter((c) => c.status === "pending").map((c) => c.chunk);
  const chunks: ChunkRun[] = [];
  for (const n of todo) {
    const run = await processChunk(
      {
        state: env.state,
        store: env.store,
        source,
        baseDelayMs: 1,
        maxAttempts: 2,
        ...(onBatch ? { onBatch } : {}),
      },
      row,
      n,
    );
    if (run.outcome) await env.state.aggregate(job, n, run.outcome);
    chunks.push(run);
  }
  const transforms: CanonicalizeResult[] = [];
  if (o.perBatch) return { chunks, transforms };
  for (const t of await env.state.transforms(job)) {
    const claimed = await env.state.claimTransform(job, t);
    if (!claimed) continue;
    transforms.push(
      await canonicalize(deps, {
        tenant: t.tenant,
        service: t.service,
        table: t.table,
        job,
        files: claimed.files,
        windowHours: 72,
        trigger: "job",
        mapping: mappingFor(MAPPING, t),
        memoryRecords: o.memoryRecords ?? 100_000,
      }),
    );
  }
  return { chunks, transforms };
}

/** Reads a JSON-lines object as records. */
export async function readJsonl(
  env: CanonicalEnv,
  key: string,
): Promise<Record<string, unknown>[]> {
  const text = await env.store.getText(key);
  if (text === undefined) throw new Error(`object ${key} is missing`);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}
