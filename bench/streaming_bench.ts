/**
 * streaming.sync from a directory (4 workers, as `deno task sync:ontology`
 * runs it) over 974 and 10,000 generated pages, each run in its own
 * process on a fresh database, against a plain loop
 * (`streaming_plain_loop.ts`) that lists, reads, hashes, parses with the
 * plugin's parser and inserts the same rows into the same schema with
 * prepared statements, WAL and the same grouping (32 pages or 50 ms per
 * transaction, a savepoint per page), also in its own process, with the
 * same V8 flag (`--optimize-for-size`, which keeps a 10,000-page sync
 * under 100 MB and costs both sides alike). The two
 * alternate, run after run; each figure is the median of the runs with its
 * minimum and maximum. Both sides report the pages and commits they made,
 * and their CPU time next to their wall time (both timed inside the
 * process, so start-up is left out of both).
 *
 * Goals (issue 8): saved pages/s >= 1,800 at 10,000 pages, and >= 0.85x the
 * plain loop's; commit p99 < 25 ms; peak memory <= 100 MB, and at 10,000
 * pages <= 1.2x the peak at 974. Also measured: time to the first commit
 * when resuming an interrupted 10,000-page run.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- the benchmark prints the raw runs for the record
import { join } from "node:path";
import { generatePages } from "../fixtures/ontology/generate.ts";
import { OntologyStore } from "../plugins/streaming/store.ts";
import { type BenchResult, freshProcess, median, result } from "./harness.ts";
import { REPO_ROOT, spawnSync, syncArgs } from "../tests/helpers/ontology.ts";

/** Alternating runs per side and corpus. */
const RUNS = Number(Deno.env.get("WEIR_BENCH_RUNS") ?? 5);

async function writeCorpus(dir: string, count: number): Promise<void> {
  for (const page of generatePages({ count, seed: 1 })) {
    const file = join(dir, page.path);
    await Deno.mkdir(join(file, ".."), { recursive: true });
    await Deno.writeTextFile(file, page.text);
  }
}

/** One run of either side, as the benchmark compares them. */
interface Run {
  pages: number;
  saved: number;
  commits: number;
  duration_ms: number;
  cpu_ms: number;
  peak_rss_mb: number;
  commit_p99_ms?: number | null;
  first_commit_ms?: number | null;
}

/** `deno` with these arguments, in a process whose peak memory is its own. */
function deno(args: string[]): Deno.Command {
  return freshProcess(Deno.execPath(), args, {
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  });
}

async function syncRun(home: string, src: string, db: string): Promise<Run> {
  // The V8 flag of deno.json's sync:ontology.
  const out = await deno(syncArgs(home, src, db, "--optimize-for-size")).output();
  // Exit 3: the corpus holds malformed pages on purpose.
  if (out.code !== 3) throw new Error(`exit ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  const o = JSON.parse(new TextDecoder().decode(out.stdout)).output;
  return {
    pages: o.saved + o.skipped + o.failed,
    saved: o.saved,
    commits: o.commits,
    duration_ms: o.duration_ms,
    cpu_ms: o.cpu_ms,
    peak_rss_mb: o.peak_rss_mb,
    commit_p99_ms: o.commit_ms.p99,
    first_commit_ms: o.first_commit_ms,
  };
}

async function plainRun(src: string, db: string): Promise<Run> {
  const out = await deno([
    "run",
    // The V8 flag the sync runs with (deno.json's sync:ontology): the ratio is weir's code alone.
    "--v8-flags=--optimize-for-size",
    `--allow-read=${REPO_ROOT},${src},${join(db, "..")}`,
    `--allow-write=${join(db, "..")}`,
    "bench/streaming_plain_loop.ts",
    join(src, "pages"),
    db,
  ]).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function fresh(db: string): Promise<string> {
  for (const f of [db, `${db}-wal`, `${db}-shm`]) await Deno.remove(f).catch(() => {});
  return db;
}

/** A figure from several runs: the median, with min and max, against a baseline's. */
function spread(
  name: string,
  values: number[],
  unit: string,
  baseline: string,
  baselines: number[],
): BenchResult {
  const ratios = values.map((v, i) => v / baselines[i]);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    ...result(name, median(values), unit, baseline, median(baselines)),
    ratio: round(median(ratios)),
    ratio_min: round(Math.min(...ratios)),
    ratio_max: round(Math.max(...ratios)),
    pairs: values.length,
    value_min: round(Math.min(...values)),
    value_max: round(Math.max(...values)),
  };
}

function countPages(db: string, since = ""): number {
  try {
    const store = OntologyStore.open(db);
    try {
      return Number(
        store.db.prepare("SELECT count(*) AS n FROM pages WHERE synced_at > ?").get(since)!.n,
      );
    } finally {
      store.close();
    }
  } catch {
    return 0;
  }
}

/** Runs the benchmark. */
export default async function streaming(): Promise<BenchResult[]> {
  const home = await Deno.makeTempDir({ prefix: "weir-bench-streaming-" });
  const results: BenchResult[] = [];
  const raw: Record<number, { sync: Run[]; plain: Run[] }> = {};
  try {
    for (const count of [974, 10_000]) {
      const src = join(home, `src-${count}`);
      await writeCorpus(src, count);
      const runs = raw[count] = { sync: [] as Run[], plain: [] as Run[] };
      for (let i = 0; i < RUNS; i++) {
        // Alternate which side goes first, so drift in the machine's load hits both.
        const sides = [
          async () => runs.sync.push(await syncRun(home, src, await fresh(join(home, "s.db")))),
          async () => runs.plain.push(await plainRun(src, await fresh(join(home, "p.db")))),
        ];
        if (i % 2) sides.reverse();
        for (const side of sides) await side();
      }
      const rate = (r: Run) => r.saved / (r.duration_ms / 1000);
      const label = `streaming.sync ${count.toLocaleString("en")} pages`;
      results.push(
        spread(
          `${label}: saved pages/s`,
          runs.sync.map(rate),
          "pages/s",
          "plain loop",
          runs.plain.map(rate),
        ),
        spread(
          `${label}: CPU time`,
          runs.sync.map((r) => r.cpu_ms),
          "ms",
          "plain loop",
          runs.plain.map((r) => r.cpu_ms),
        ),
        spread(
          `${label}: wall time`,
          runs.sync.map((r) => r.duration_ms),
          "ms",
          "plain loop",
          runs.plain.map((r) => r.duration_ms),
        ),
        spread(
          `${label}: commits`,
          runs.sync.map((r) => r.commits),
          "commits",
          "plain loop",
          runs.plain.map((r) => r.commits),
        ),
        spread(
          `${label}: peak memory`,
          runs.sync.map((r) => r.peak_rss_mb),
          "MB",
          "plain loop",
          runs.plain.map((r) => r.peak_rss_mb),
        ),
        spread(
          `${label}: commit latency p99`,
          runs.sync.map((r) => r.commit_p99_ms ?? 0),
          "ms",
          "target 25 ms",
          runs.sync.map(() => 25),
        ),
      );
      if (count === 10_000) {
        results.push(
          spread(
            `${label}: saved pages/s against the goal`,
            runs.sync.map(rate),
            "pages/s",
            "goal 1,800 pages/s",
            runs.sync.map(() => 1800),
          ),
        );
      }
    }
    const peak = (count: number) => raw[count].sync.map((r) => r.peak_rss_mb);
    results.push(
      spread(
        "streaming.sync peak memory, 10,000 pages against 974",
        peak(10_000),
        "MB",
        "peak at 974 pages",
        peak(974),
      ),
    );

    // Interrupt a 10,000-page run halfway (kill -9), then time the resume's first commit.
    const db = await fresh(join(home, "resume.db"));
    const child = spawnSync(home, join(home, "src-10000"), db, "--optimize-for-size");
    while (countPages(db) < 5_000) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await child.output();
    const since = new Date().toISOString();
    const started = performance.now();
    const resumed = spawnSync(home, join(home, "src-10000"), db, "--optimize-for-size");
    // Wall time from spawning the process to the first page it commits.
    while (countPages(db, since) === 0) await new Promise((r) => setTimeout(r, 5));
    const wall = performance.now() - started;
    const out = JSON.parse(new TextDecoder().decode((await resumed.output()).stdout)).output;
    results.push(
      result(
        "resume 10,000 pages: first commit (process start)",
        wall,
        "ms",
        "target 10 s",
        10_000,
      ),
      result(
        "resume 10,000 pages: first commit (in task)",
        out.first_commit_ms ?? 0,
        "ms",
        "target 10 s",
        10_000,
      ),
    );
    console.error(JSON.stringify(raw, null, 1));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  return results;
}
