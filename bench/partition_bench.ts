/**
 * partition.process with several instances as separate processes on one
 * SQLite file, a per-record I/O delay added (50 ms, 4 records at a time per
 * instance) so that the work is not CPU-bound on a 2-core machine. Medians
 * of 5 alternating runs, each on a fresh copy of the same seeded records:
 * - records/s of 1 instance, against a plain in-process loop doing the same
 *   work (delay, parse and map, one transaction per record, 4 at a time);
 * - records/s of 3 instances, against 3 x the 1-instance figure of the same
 *   pair: the ratio is the scaling efficiency (goal >= 0.9);
 * - duplicate attempts per mode (none, static, lease), against the record count;
 * - lease mode: the time from an instance's SIGKILL until every partition it
 *   held has a live holder, against the lease ttl + 1 s (goal: ratio < 1).
 * Throughput is measured from the processing log over the window in which
 * every instance was working (the latest first start to the earliest last
 * finish), so process start-up and its skew between instances do not count.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pool } from "../lib/async/pool.ts";
import { delay } from "../lib/async/delay.ts";
import { SqliteLeaseStore } from "../lib/leases/mod.ts";
import { openSqlite } from "../lib/sqlite/open.ts";
import { openBackend } from "../plugins/partition/backend.ts";
import { readContract } from "../plugins/partition/contract.ts";
import { generateRecords } from "../plugins/partition/generator.ts";
import { MappingError, mapRecord } from "../plugins/partition/mapper.ts";
import { type BenchResult, median, result } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CONTRACT = join(ROOT, "fixtures/partition/mapping.json");
const RUNS = 5;
const RECORDS = 900;
const DELAY_MS = 50;
const WORKERS = 4;
const TTL_MS = 2_000;

const contract = await readContract(CONTRACT);

/** Seeds a template database once; every run works on a copy. */
async function template(dir: string, count: number): Promise<string> {
  const db = join(dir, `template-${count}.db`);
  const backend = await openBackend(contract, { dbPath: db, poolSize: 1, connectTimeoutS: 5 });
  const { records } = generateRecords({ count, seed: 11, minBytes: 600, maxBytes: 900 });
  await backend.store.loadSource(records);
  await backend.close();
  return db;
}

async function fresh(templateDb: string, dir: string, name: string): Promise<string> {
  const run = join(dir, name);
  await Deno.mkdir(run, { recursive: true });
  await Deno.copyFile(templateDb, join(run, "p.db"));
  return join(run, "p.db");
}

/** Starts one instance as its own process. */
function instance(db: string, home: string, params: Record<string, unknown>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-sys=hostname",
      "--allow-env",
      join(ROOT, "main.ts"),
      "--home",
      home,
      "--quiet",
      "run",
      "partition.process",
      "--params",
      JSON.stringify({
        backend: "sqlite",
        contract: CONTRACT,
        db,
        workers: WORKERS,
        delayMs: DELAY_MS,
        ...params,
      }),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

interface RunOutcome {
  recordsPerS: number;
  duplicates: number;
}

/** Runs `n` instances to the end; throughput while all of them were working. */
async function runInstances(
  db: string,
  home: string,
  n: number,
  mode: string,
): Promise<RunOutcome> {
  const children = Array.from(
    { length: n },
    (_, k) => instance(db, home, { instanceId: k, instanceCount: n, mode, leaseTtlMs: TTL_MS }),
  );
  let duplicates = 0;
  for (const child of children) {
    const out = await child.output();
    if (out.code !== 0 && out.code !== 3) {
      throw new Error(`instance exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
    }
    duplicates += JSON.parse(new TextDecoder().decode(out.stdout)).output.duplicates;
  }
  const conn = openSqlite(db);
  const window = conn.prepare(
    `SELECT max(a) AS a, min(b) AS b FROM (SELECT session_id, min(started_at) AS a,
       max(finished_at) AS b FROM partition_log GROUP BY session_id)`,
  ).get()!;
  const row = conn.prepare(
    "SELECT count(*) AS n FROM partition_log WHERE started_at >= ? AND finished_at <= ?",
  ).get(String(window.a), String(window.b))!;
  conn.close();
  const seconds = (Date.parse(String(window.b)) - Date.parse(String(window.a))) / 1000;
  return { recordsPerS: Number(row.n) / seconds, duplicates };
}

/** The plain loop: the same work in-process, no kernel, no claims, no partitions. */
async function plainLoop(db: string): Promise<number> {
  const backend = await openBackend(contract, { dbPath: db, poolSize: 1, connectTimeoutS: 5 });
  const records = await backend.store.claim({
    by: "modulo",
    partitions: 1,
    mine: null,
    afterId: -1,
    retryFailed: false,
    sessionId: "plain",
    limit: 1_000_000,
  });
  const start = performance.now();
  await pool(records, async (r) => {
    const startedAt = new Date();
    await delay(DELAY_MS);
    let rows = null;
    let error: string | null = null;
    try {
      rows = mapRecord(contract, r.appId, r.xml);
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      error = err.message;
    }
    const status = error === null ? "success" as const : "failed" as const;
    const entry = {
      appId: r.appId,
      status,
      sessionId: "plain",
      instanceId: 0,
      error,
      startedAt,
      finishedAt: new Date(),
    };
    await backend.store.commit(entry, rows, false);
  }, { concurrency: WORKERS }).settle();
  const rate = records.length / ((performance.now() - start) / 1000);
  await backend.close();
  return rate;
}

/** Kills one of three lease-mode instances once it holds partitions; ms until they all have live holders. */
async function takeover(templateDb: string, dir: string, run: number): Promise<number> {
  const db = await fresh(templateDb, dir, `takeover-${run}`);
  const home = join(dir, `takeover-${run}`);
  const children = [0, 1, 2].map((k) =>
    instance(db, home, {
      instanceId: k,
      instanceCount: 3,
      mode: "lease",
      leaseTtlMs: TTL_MS,
      partitions: 9,
    })
  );
  const leaseDb = openSqlite(db);
  const leases = new SqliteLeaseStore(leaseDb, { table: "partition_leases" });
  const held = async () => {
    const out = new Map<number, string>();
    for (let k = 0; k < 9; k++) {
      const c = await leases.current(`partition-${k}`);
      if (c) out.set(k, c.owner);
    }
    return out;
  };
  try {
    const victim = `:${children[0].pid}:0`;
    let mine: number[] = [];
    const deadline = performance.now() + 60_000;
    while (mine.length === 0 || (await held()).size < 9) {
      if (performance.now() > deadline) throw new Error("instances did not take the partitions");
      await delay(50);
      mine = [...(await held())].filter(([, o]) => o.endsWith(victim)).map(([k]) => k);
    }
    await delay(1_000); // midway: the victim works under its leases
    mine = [...(await held())].filter(([, o]) => o.endsWith(victim)).map(([k]) => k);
    children[0].kill("SIGKILL");
    const killed = performance.now();
    for (;;) {
      const now = await held();
      if (mine.every((k) => now.has(k) && !now.get(k)!.endsWith(victim))) break;
      await delay(10);
    }
    return performance.now() - killed;
  } finally {
    for (const c of children) {
      try {
        c.kill("SIGKILL");
      } catch { /* already gone */ }
      await c.output();
    }
    await leases.close();
    leaseDb.close();
  }
}

/** The benchmark. */
export default async function partition(): Promise<BenchResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "weir-partition-bench-" });
  try {
    const base = await template(dir, RECORDS);
    const one: number[] = [];
    const three: number[] = [];
    const plain: number[] = [];
    const dups: Record<string, number[]> = { none: [], static: [], lease: [] };
    for (let i = 0; i < RUNS; i++) {
      plain.push(await plainLoop(await fresh(base, dir, `plain-${i}`)));
      one.push(
        (await runInstances(await fresh(base, dir, `one-${i}`), join(dir, `h1-${i}`), 1, "static"))
          .recordsPerS,
      );
      for (const mode of ["static", "lease", "none"] as const) {
        const r = await runInstances(
          await fresh(base, dir, `${mode}-${i}`),
          join(dir, `h3${mode}-${i}`),
          3,
          mode,
        );
        if (mode === "static") three.push(r.recordsPerS);
        dups[mode].push(r.duplicates);
      }
    }
    const big = await template(dir, 3_000);
    const takeovers: number[] = [];
    for (let i = 0; i < RUNS; i++) takeovers.push(await takeover(big, dir, i));
    const spread = (values: number[]) => ({
      value_min: Math.round(Math.min(...values) * 10) / 10,
      value_max: Math.round(Math.max(...values) * 10) / 10,
      pairs: values.length,
    });
    const efficiency = three.map((t, i) => t / (3 * one[i]));
    return [
      {
        ...result(
          "partition 1 instance (records/s)",
          median(one),
          "records/s",
          "plain loop, same work",
          median(plain),
        ),
        ...spread(one),
      },
      {
        ...result(
          "partition 3 instances static (records/s)",
          median(three),
          "records/s",
          "3 x 1 instance",
          3 * median(one),
        ),
        ratio: Math.round(median(efficiency) * 1000) / 1000,
        ratio_min: Math.round(Math.min(...efficiency) * 1000) / 1000,
        ratio_max: Math.round(Math.max(...efficiency) * 1000) / 1000,
        ...spread(three),
      },
      ...(["none", "static", "lease"] as const).map((mode) => ({
        ...result(
          `partition 3 instances ${mode}: duplicate attempts`,
          median(dups[mode]),
          "attempts",
          "records",
          RECORDS,
        ),
        ...spread(dups[mode]),
      })),
      {
        ...result(
          "partition lease takeover after SIGKILL",
          median(takeovers),
          "ms",
          "lease ttl + 1 s",
          TTL_MS + 1_000,
        ),
        ...spread(takeovers),
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  // deno-lint-ignore no-console -- a benchmark run on its own prints its figures
  console.log(JSON.stringify(await partition(), null, 2));
}
