/**
 * The weir CLI with one trivial built-in plugin, registered statically as
 * main.ts registers weir's own: what `weir describe` and `weir run` cost
 * when the task itself costs nothing, for the cold-start benchmark.
 *
 * @module
 */
import { z } from "zod";
import { benchCli } from "./_bench_cli.ts";
import { defineTask } from "../kernel/task.ts";

const noop = defineTask({
  id: "bench.noop",
  summary: "Does nothing and says so",
  input: z.object({ note: z.string().default("nothing") }),
  output: z.object({ note: z.string() }),
  permissions: () => ({}),
  run: (_ctx, input) => Promise.resolve({ note: input.note }),
});

if (import.meta.main) await benchCli(noop);
