/**
 * The weir CLI with one task registered statically, as main.ts registers
 * weir's own plugins: shared by the cold-start benchmark's entry points.
 *
 * @module
 */
import { runCli } from "../cli/main.ts";
import { definePlugin, lazyTask } from "../kernel/plugin.ts";
import type { AnyTask } from "../kernel/task.ts";

/**
 * Runs the CLI with a `bench` plugin holding `task`, and exits with its code.
 *
 * @param task The task (its id starts with `bench.`).
 */
export async function benchCli(task: AnyTask): Promise<never> {
  const plugin = definePlugin({
    name: "bench",
    version: "0.0.0",
    summary: "Benchmark fixtures",
    tasks: [lazyTask(task.id, task.summary, () => Promise.resolve(task))],
  });
  Deno.exit(await runCli(Deno.args, { plugins: [plugin], pipelines: [] }));
}
