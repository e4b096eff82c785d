/**
 * The weir CLI with one trivial task whose input schema is written by hand
 * (the kernel's `Schema` shape) instead of zod: what the kernel itself costs
 * for `weir run`, apart from the schema library, for the cold-start
 * benchmark.
 *
 * @module
 */
import { benchCli } from "./_bench_cli.ts";
import type { Schema } from "../lib/schema.ts";
import { defineTask } from "../kernel/task.ts";

/** An object schema with one optional string field, the shape zod's would have. */
function note(): Schema<{ note: string }, { note?: string }> {
  return {
    _zod: { output: { note: "" }, input: {} },
    safeParse(data: unknown) {
      const value = (data ?? {}) as { note?: unknown };
      if (value.note === undefined || typeof value.note === "string") {
        return { success: true, data: { note: value.note ?? "nothing" } };
      }
      return {
        success: false,
        error: { issues: [{ path: ["note"], message: "expected string" }] },
      };
    },
  };
}

const noop = defineTask({
  id: "bench.plain",
  summary: "Does nothing; its schema is not zod",
  input: note(),
  output: note(),
  permissions: () => ({}),
  run: (_ctx, input) => Promise.resolve({ note: input.note }),
});

if (import.meta.main) await benchCli(noop);
