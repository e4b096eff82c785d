/**
 * The canonical plugin on one generated job (seeded; 2 tenants x 3 tables,
 * updates and deletes across batches), filesystem store, SQLite state.
 * Measured in the same run, each figure the median of 5 alternating runs
 * with its minimum and maximum:
 * - both trigger modes on the same job: transform invocations per table
 *   and records processed per record ingested (coordinated: exactly 1 and
 *   1.0; per-batch: what the old design does);
 * - transform throughput in MB/s as a ratio to a plain loop that merely
 *   reads and parses the same files from the same store (goal >= 0.5);
 * - peak memory (VmHWM) of one transform in its own process for a table
 *   10x the default size, against the default size.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- the benchmark reports progress on stderr
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSource } from "../fixtures/canonical/generate.ts";
import { pool } from "../lib/async/pool.ts";
import { openObjectStore } from "../lib/objects/open.ts";
import type { ObjectStore } from "../lib/objects/port.ts";
import { canonicalize } from "../plugins/canonical/canonicalize.ts";
import { DEFAULT_MAPPING } from "../plugins/canonical/mapping.ts";
import type { ChunkRow } from "../plugins/canonical/model.ts";
import { planJob } from "../plugins/canonical/plan.ts";
import { processChunk } from "../plugins/canonical/process_chunk.ts";
import { JsonlSource } from "../plugins/canonical/sources/jsonl.ts";
import { SqliteJobState } from "../plugins/canonical/state/sqlite.ts";
import { type BenchResult, freshProcess, median } from "./harness.ts";

const RUNS = 5;
const DEFAULT_TABLE = 20_000;
const round = (x: number) => Math.round(x * 1000) / 1000;

interface Env {
  dir: string;
  store: ObjectStore;
  state: SqliteJobState;
  close(): Promise<void>;
}

async function openEnv(): Promise<Env> {
  const dir = await Deno.makeTempDir({ prefix: "weir-canonical-bench-" });
  const store = await openObjectStore({ kind: "fs", root: join(dir, "objects") });
  const state = SqliteJobState.open(join(dir, "state.db"));
  return {
    dir,
    store,
    state,
    async close() {
      await state.close();
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs a whole job in one mode; returns invocations per table and processed per ingested. */
async function runMode(source: string, perBatch: boolean) {
  const env = await openEnv();
  try {
    const src = new JsonlSource(source);
    const spec = await planJob(src, "bench", {
      source: `jsonl:${source}`,
      batchSize: 250,
      chunkSize: 1000,
    });
    await env.state.createJob(spec);
    const job = (await env.state.job("bench"))!;
    const deps = { state: env.state, store: env.store, spillDir: join(env.dir, "spill") };
    const request = (t: ChunkRow | { tenant: string; service: string; table: string }) => ({
      tenant: t.tenant,
      service: t.service,
      table: t.table,
      job: "bench",
      windowHours: 72,
      mapping: DEFAULT_MAPPING,
      memoryRecords: 100_000,
    });
    const started = performance.now();
    const work = pool(spec.chunks, async (c) => {
      const run = await processChunk(
        {
          state: env.state,
          store: env.store,
          source: src,
          ...(perBatch
            ? {
              onBatch: async (row: ChunkRow) =>
                void await canonicalize(deps, { ...request(row), trigger: "batch" }),
            }
            : {}),
        },
        job,
        c.chunk,
      );
      await env.state.aggregate("bench", c.chunk, run.outcome!);
    }, { concurrency: 4 });
    for await (const r of work) if (r.status === "rejected") throw r.reason;
    if (!perBatch) {
      for (const t of await env.state.transforms("bench")) {
        const claimed = (await env.state.claimTransform("bench", t))!;
        await canonicalize(deps, { ...request(t), files: claimed.files, trigger: "job" });
      }
    }
    const ms = performance.now() - started;
    const runs = await env.state.runs("bench");
    const ingested = (await env.state.chunks("bench")).reduce((n, c) => n + c.records, 0);
    const tables = new Set(spec.chunks.map((c) => `${c.tenant}/${c.service}/${c.table}`)).size;
    return {
      perTable: runs.length / tables,
      processedPerIngested: runs.reduce((n, r) => n + r.recordsRead, 0) / ingested,
      ms,
    };
  } finally {
    await env.close();
  }
}

/** Ingests one table of `records` records into a fresh store; returns its files. */
async function ingestTable(records: number): Promise<{ env: Env; files: string[]; bytes: number }> {
  const env = await openEnv();
  const source = join(env.dir, "source");
  await generateSource(source, {
    records,
    seed: 11,
    tenants: ["acme"],
    services: { crm: ["contacts"] },
  });
  const src = new JsonlSource(source);
  const spec = await planJob(src, "big", {
    source: `jsonl:${source}`,
    batchSize: 1000,
    chunkSize: 10_000,
  });
  await env.state.createJob(spec);
  const job = (await env.state.job("big"))!;
  const files: string[] = [];
  for (const c of spec.chunks) {
    files.push(
      ...(await processChunk({ state: env.state, store: env.store, source: src }, job, c.chunk))
        .result.s3_files_written,
    );
  }
  let bytes = 0;
  for (const f of files) bytes += (await env.store.head(f))!.size;
  return { env, files, bytes };
}

/**
 * The baseline: read every file from the store (4 at once, in order) and
 * parse every line, cutting lines as the transform does (`indexOf` and
 * `slice`, a little faster than `split`).
 */
async function readAndParse(store: ObjectStore, files: string[]): Promise<number> {
  const started = performance.now();
  const decoder = new TextDecoder();
  let n = 0;
  for await (const r of pool(files, (key) => store.get(key), { concurrency: 4, ordered: true })) {
    if (r.status !== "fulfilled") throw new Error("read failed");
    const text = decoder.decode(r.value);
    for (let start = 0, end = 0; start < text.length; start = end + 1) {
      end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      if (end > start) n += JSON.parse(text.slice(start, end)) ? 1 : 0;
    }
  }
  if (n === 0) throw new Error("nothing parsed");
  return performance.now() - started;
}

const CHILD = fileURLToPath(new URL("./canonical_transform_child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function peakRun(
  env: Env,
  files: string[],
): Promise<{ peak_rss_mb: number; spilled: boolean; ms: number }> {
  const list = join(env.dir, "files.json");
  await Deno.writeTextFile(list, JSON.stringify(files));
  const out = await freshProcess(Deno.execPath(), [
    "run",
    `--allow-read=${ROOT},${env.dir}`,
    `--allow-write=${env.dir}`,
    "--v8-flags=--optimize-for-size",
    CHILD,
    join(env.dir, "objects"),
    join(env.dir, "state.db"),
    "acme/crm/contacts",
    list,
  ], { stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

function spread(
  name: string,
  values: number[],
  unit: string,
  baseline: string,
  baselineValue: number,
): BenchResult {
  const value = median(values);
  return {
    name,
    value: round(value),
    unit,
    baseline,
    baseline_value: round(baselineValue),
    ratio: round(value / baselineValue),
    value_min: round(Math.min(...values)),
    value_max: round(Math.max(...values)),
    pairs: values.length,
  };
}

/** Runs the canonical benchmark. */
export default async function canonicalBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = await Deno.makeTempDir({ prefix: "weir-canonical-bench-src-" });
  try {
    // 1. Both modes on the same generated job, alternating.
    await generateSource(dir, { records: 2_000, seed: 3 });
    const coordinated: Awaited<ReturnType<typeof runMode>>[] = [];
    const perBatch: Awaited<ReturnType<typeof runMode>>[] = [];
    for (let i = 0; i < RUNS; i++) {
      console.error(`canonical: modes run ${i + 1}/${RUNS}`);
      coordinated.push(await runMode(dir, false));
      perBatch.push(await runMode(dir, true));
    }
    results.push(
      spread(
        "canonical coordinated: transforms per table",
        coordinated.map((r) => r.perTable),
        "runs",
        "exactly 1",
        1,
      ),
      spread(
        "canonical per-batch: transforms per table",
        perBatch.map((r) => r.perTable),
        "runs",
        "coordinated",
        median(coordinated.map((r) => r.perTable)),
      ),
      spread(
        "canonical coordinated: processed per ingested",
        coordinated.map((r) => r.processedPerIngested),
        "records",
        "exactly 1.0",
        1,
      ),
      spread(
        "canonical per-batch: processed per ingested",
        perBatch.map((r) => r.processedPerIngested),
        "records",
        "coordinated",
        median(coordinated.map((r) => r.processedPerIngested)),
      ),
      spread(
        "canonical per-batch: job wall time",
        perBatch.map((r) => r.ms),
        "ms",
        "coordinated",
        median(coordinated.map((r) => r.ms)),
      ),
    );

    // 2. Transform MB/s against reading and parsing the same files, paired.
    const table = await ingestTable(DEFAULT_TABLE * 5);
    try {
      const mb = table.bytes / 1e6;
      const deps = {
        state: table.env.state,
        store: table.env.store,
        spillDir: join(table.env.dir, "spill"),
      };
      const transform: number[] = [];
      const baseline: number[] = [];
      const measureBaseline = async () =>
        baseline.push(mb / ((await readAndParse(table.env.store, table.files)) / 1000));
      for (let i = 0; i < RUNS; i++) {
        // Alternate which side goes first: the second pays for the first's garbage.
        if (i % 2 === 0) await measureBaseline();
        const started = performance.now();
        await canonicalize(deps, {
          tenant: "acme",
          service: "crm",
          table: "contacts",
          job: `t${i}`,
          files: table.files,
          windowHours: 72,
          trigger: "batch",
          mapping: DEFAULT_MAPPING,
          memoryRecords: 1_000_000,
        });
        transform.push(mb / ((performance.now() - started) / 1000));
        if (i % 2 === 1) await measureBaseline();
      }
      const ratios = transform.map((t, i) => t / baseline[i]);
      results.push({
        ...spread(
          `canonical transform MB/s (${DEFAULT_TABLE * 5} records, ${round(mb)} MB)`,
          transform,
          "MB/s",
          "read+parse MB/s",
          median(baseline),
        ),
        ratio: round(median(ratios)),
        ratio_min: round(Math.min(...ratios)),
        ratio_max: round(Math.max(...ratios)),
      });
    } finally {
      await table.env.close();
    }

    // 3. Peak memory: a table 10x the default, against the default, each transform in its own process.
    const small = await ingestTable(DEFAULT_TABLE);
    const large = await ingestTable(DEFAULT_TABLE * 10);
    try {
      const peaks = { small: [] as number[], large: [] as number[] };
      let spilled = false;
      for (let i = 0; i < RUNS; i++) {
        console.error(`canonical: peak memory run ${i + 1}/${RUNS}`);
        peaks.small.push((await peakRun(small.env, small.files)).peak_rss_mb);
        const l = await peakRun(large.env, large.files);
        peaks.large.push(l.peak_rss_mb);
        spilled ||= l.spilled;
      }
      results.push(spread(
        `canonical transform peak RSS, ${DEFAULT_TABLE * 10} records (10x, ${
          round(large.bytes / 1e6)
        } MB${spilled ? ", spilled" : ""})`,
        peaks.large,
        "MB",
        `${DEFAULT_TABLE} records (${round(small.bytes / 1e6)} MB)`,
        median(peaks.small),
      ));
    } finally {
      await small.env.close();
      await large.env.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}

if (import.meta.main) {
  console.log(JSON.stringify(await canonicalBench(), null, 2));
}
