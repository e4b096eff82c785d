/**
 * streaming.sync from a directory, 4 workers, over 974 and 10,000 generated
 * pages, each in its own process. Measured in the same run:
 * - pages/s against a bare loop inserting the same rows with the same
 *   per-page transactions (no reading, parsing or pool): goal >= 0.5;
 * - peak memory at 10,000 pages against 974 pages: goal <= 1.3;
 * - per-page commit latency p50/p99 (target < 50 ms);
 * - time to the first committed page when resuming an interrupted
 *   10,000-page run (target < 10 s).
 *
 * @module
 */
// deno-lint-ignore-file no-console -- the benchmark prints the raw sync outputs for the record
import { join } from "node:path";
import { generatePages } from "../fixtures/ontology/generate.ts";
import { parsePage } from "../plugins/streaming/parser.ts";
import { OntologyStore } from "../plugins/streaming/store.ts";
import type { OntologyPage } from "../plugins/streaming/model.ts";
import { sha256Hex } from "../lib/hash.ts";
import { type BenchResult, result } from "./harness.ts";
import { spawnSync } from "../tests/helpers/ontology.ts";

async function writeCorpus(dir: string, count: number): Promise<void> {
  for (const page of generatePages({ count, seed: 1 })) {
    const file = join(dir, page.path);
    await Deno.mkdir(join(file, ".."), { recursive: true });
    await Deno.writeTextFile(file, page.text);
  }
}

interface SyncOutput {
  saved: number;
  skipped: number;
  failed: number;
  unchanged: number;
  pages_per_s: number;
  peak_rss_mb: number;
  duration_ms: number;
  first_commit_ms: number | null;
  commit_ms: { p50: number | null; p99: number | null };
}

/** A sync run as `deno task sync:ontology` runs it (with its V8 flag). */
function sync(home: string, src: string, db: string): Deno.ChildProcess {
  return spawnSync(home, src, db, "--optimize-for-size");
}

async function output(child: Deno.ChildProcess): Promise<SyncOutput> {
  const out = await child.output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).output;
}

/** The engine's limit: the same rows, the same per-page transactions, nothing else. */
function bareInsertRate(pages: { path: string; sha: string; page: OntologyPage }[], db: string) {
  const store = OntologyStore.open(db);
  const source = store.source("dir", "bench");
  const start = performance.now();
  for (const p of pages) {
    store.savePage(source, { path: p.path, version: "v" }, p.sha, p.page, "bench");
  }
  const seconds = (performance.now() - start) / 1000;
  store.close();
  return pages.length / seconds;
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
  try {
    const runs: Record<number, SyncOutput> = {};
    for (const count of [974, 10_000]) {
      const src = join(home, `src-${count}`);
      await writeCorpus(src, count);
      runs[count] = await output(sync(home, src, join(home, `sync-${count}.db`)));

      const parsed = [];
      for (const page of generatePages({ count, seed: 1 })) {
        const r = (() => {
          try {
            return parsePage(page.text);
          } catch {
            return undefined;
          }
        })();
        if (r?.kind === "ontology") {
          parsed.push({ path: page.path, sha: sha256Hex(page.text), page: r.page });
        }
      }
      const bare = bareInsertRate(parsed, join(home, `bare-${count}.db`));
      // Compare like with like: the sync's rate over the pages it saved.
      const syncSavedRate = runs[count].saved / (runs[count].duration_ms / 1000);
      results.push(
        result(
          `streaming.sync ${count} pages: saved pages/s`,
          syncSavedRate,
          "pages/s",
          "bare per-page insert loop",
          bare,
        ),
        result(
          `streaming.sync ${count} pages: commit latency p50`,
          runs[count].commit_ms.p50 ?? 0,
          "ms",
          "target 50 ms",
          50,
        ),
        result(
          `streaming.sync ${count} pages: commit latency p99`,
          runs[count].commit_ms.p99 ?? 0,
          "ms",
          "target 50 ms",
          50,
        ),
      );
    }
    results.push(
      result(
        "streaming.sync peak memory at 10,000 pages",
        runs[10_000].peak_rss_mb,
        "MB",
        "peak memory at 974 pages",
        runs[974].peak_rss_mb,
      ),
    );

    // Interrupt a 10,000-page run halfway (kill -9), then time the resume's first commit.
    const db = join(home, "resume.db");
    const child = sync(home, join(home, "src-10000"), db);
    while (countPages(db) < 5_000) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await child.status;
    const since = new Date().toISOString();
    const started = performance.now();
    const resumed = sync(home, join(home, "src-10000"), db);
    // Wall time from spawning the process to the first page it commits.
    while (countPages(db, since) === 0) await new Promise((r) => setTimeout(r, 5));
    const wall = performance.now() - started;
    const out = await output(resumed);
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
    console.error(JSON.stringify({ runs, resumed: out }, null, 2));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  return results;
}
