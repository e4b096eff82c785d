/**
 * CLI cold start: `weir list` against a bare `deno run` of an empty module,
 * both from the repository root (same config and lockfile), interleaved.
 * Goal: at most 1.5x (plugins and tasks load lazily; `list` loads no zod,
 * no SQLite, no Node compat).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type BenchResult, median, result, timeCommands } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs the benchmark. */
export default async function coldStart(): Promise<BenchResult[]> {
  const runs = Number(Deno.env.get("BENCH_RUNS") ?? 30);
  const deno = Deno.execPath();
  const times = await timeCommands({
    bare: { program: deno, args: ["run", "bench/empty.ts"], cwd: ROOT },
    list: { program: deno, args: ["run", "main.ts", "list"], cwd: ROOT },
    help: { program: deno, args: ["run", "main.ts", "--help"], cwd: ROOT },
  }, runs);
  const bare = median(times.bare);
  return [
    result("cold start: weir list", median(times.list), "ms", "bare deno run", bare),
    result("cold start: weir --help", median(times.help), "ms", "bare deno run", bare),
  ];
}
