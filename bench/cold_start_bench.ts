/**
 * Cold start of the commands that scripts and cron call, each against a
 * bare `deno run` of an empty module from the same folder (same config and
 * lockfile), run in alternation so machine noise hits both alike. Each
 * ratio is taken per pair (command, then baseline) and reported as the
 * median with the minimum and maximum over the pairs. Goals: `weir list`
 * at most 1.3x, `weir describe <task>` and `weir run` of a trivial task at
 * most 2x.
 *
 * For scale, the same pairs time a script that only imports zod and parses
 * one object (the floor of any command that loads a task's zod schema), and
 * `weir run` of the same trivial task with a hand-written schema (what the
 * kernel and CLI cost without zod).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type BenchResult, median, pairedResult, timeCommands } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs the benchmark. */
export default async function coldStart(): Promise<BenchResult[]> {
  const runs = Number(Deno.env.get("BENCH_RUNS") ?? 25);
  const deno = Deno.execPath();
  const home = await Deno.makeTempDir({ prefix: "weir-bench-cold-" });
  try {
    const run = (...args: string[]) => ({ program: deno, args: ["run", ...args], cwd: ROOT });
    const times = await timeCommands({
      bare: run("bench/empty.ts"),
      list: run("main.ts", "list"),
      describe: run("-R", "bench/trivial_main.ts", "describe", "bench.noop"),
      run: run(
        `-R=${home},${ROOT}`,
        `-W=${home}`,
        "bench/trivial_main.ts",
        "--home",
        home,
        "--quiet",
        "run",
        "bench.noop",
      ),
      plain: run(
        `-R=${home},${ROOT}`,
        `-W=${home}`,
        "bench/plain_main.ts",
        "--home",
        home,
        "--quiet",
        "run",
        "bench.plain",
      ),
      zod: run("bench/zod_floor.ts"),
    }, runs);
    const bare = "bare deno run";
    return [
      pairedResult("cold start: weir list", times.list, bare, times.bare),
      pairedResult("cold start: weir describe <trivial task>", times.describe, bare, times.bare),
      pairedResult("cold start: weir run <trivial task>", times.run, bare, times.bare),
      pairedResult("cold start: weir run <trivial task, no zod>", times.plain, bare, times.bare),
      pairedResult("cold start: import zod, parse once (floor)", times.zod, bare, times.bare),
    ];
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

export { median };
