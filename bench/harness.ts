/**
 * The benchmark harness: each `bench/*_bench.ts` exports a default function
 * returning results, each measured against a baseline in the same run.
 *
 * @module
 */

/** One measured figure and its baseline. */
export interface BenchResult {
  /** What was measured. */
  name: string;
  /** The measured value (median). */
  value: number;
  /** Its unit (`ms`, `pages/s`, `MB`). */
  unit: string;
  /** What it is compared with. */
  baseline: string;
  /** The baseline's value, measured in the same run. */
  baseline_value: number;
  /** value / baseline_value (for paired runs: the median of the per-pair ratios). */
  ratio: number;
  /** Paired runs: the smallest per-pair ratio. */
  ratio_min?: number;
  /** Paired runs: the largest per-pair ratio. */
  ratio_max?: number;
  /** Paired runs: how many pairs. */
  pairs?: number;
  /** Paired runs: the command's fastest and slowest run, in the value's unit. */
  value_min?: number;
  /** Paired runs: the command's slowest run. */
  value_max?: number;
}

/**
 * A command run through a shell that forks it, so that its peak memory
 * (`ru_maxrss`, which `process.resourceUsage().maxRSS` reads) is its own: a
 * process exec'd straight from the benchmark inherits the benchmark's
 * resident size at the fork as its starting peak, since Linux keeps
 * `ru_maxrss` across `exec` (a 10,000-page corpus built in the benchmark
 * once read as every child's peak). `; exit $?` keeps the shell from
 * exec'ing the command itself.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param options As for `Deno.Command` (without `args`).
 * @returns The command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { freshProcess } from "./harness.ts";
 * const out = await freshProcess("echo", ["a b", "c"], { stdout: "piped" }).output();
 * assert.equal(new TextDecoder().decode(out.stdout), "a b c\n");
 * ```
 */
export function freshProcess(
  cmd: string,
  args: readonly string[],
  options: Omit<Deno.CommandOptions, "args"> = {},
): Deno.Command {
  return new Deno.Command("sh", { ...options, args: ["-c", '"$@"; exit $?', "sh", cmd, ...args] });
}

/** A benchmark module's default export. */
export type Bench = () => Promise<BenchResult[]>;

/**
 * The median of some numbers.
 *
 * @param xs The numbers (not empty).
 * @returns The median.
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Times how long commands take to run to exit, interleaving them so that
 * machine noise hits all alike.
 *
 * @param commands Named argument lists for `deno` (or another program).
 * @param runs Timed runs per command, after two warm-up runs.
 * @returns Each command's wall times in milliseconds.
 */
export async function timeCommands(
  commands: Record<string, { program: string; args: string[]; cwd?: string }>,
  runs: number,
): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(commands).map((k) => [k, []]),
  );
  for (let i = -2; i < runs; i++) {
    for (const [name, cmd] of Object.entries(commands)) {
      const start = performance.now();
      const out = await new Deno.Command(cmd.program, {
        args: cmd.args,
        cwd: cmd.cwd,
        stdout: "null",
        stderr: "piped",
      }).output();
      const ms = performance.now() - start;
      if (!out.success) {
        throw new Error(
          `Cannot time "${name}" as it exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
        );
      }
      if (i >= 0) times[name].push(ms);
    }
  }
  return times;
}

/**
 * Builds a result from a value and its baseline.
 *
 * @param name What was measured.
 * @param value The measured value.
 * @param unit Its unit.
 * @param baseline What it is compared with.
 * @param baselineValue The baseline's value.
 * @returns The result, ratio rounded to 3 decimals.
 */
export function result(
  name: string,
  value: number,
  unit: string,
  baseline: string,
  baselineValue: number,
): BenchResult {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    name,
    value: round(value),
    unit,
    baseline,
    baseline_value: round(baselineValue),
    ratio: round(value / baselineValue),
  };
}

/**
 * Builds a result from paired runs (the i-th value was timed right after the
 * i-th baseline): medians of both, and the median, minimum and maximum of
 * the per-pair ratios.
 *
 * @param name What was measured.
 * @param values The command's times, in ms.
 * @param baseline What it is compared with.
 * @param baselines The baseline's times, paired with `values`.
 * @returns The result.
 */
export function pairedResult(
  name: string,
  values: readonly number[],
  baseline: string,
  baselines: readonly number[],
): BenchResult {
  const ratios = values.map((v, i) => v / baselines[i]);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    ...result(name, median(values), "ms", baseline, median(baselines)),
    ratio: round(median(ratios)),
    ratio_min: round(Math.min(...ratios)),
    ratio_max: round(Math.max(...ratios)),
    pairs: ratios.length,
    value_min: round(Math.min(...values)),
    value_max: round(Math.max(...values)),
  };
}
