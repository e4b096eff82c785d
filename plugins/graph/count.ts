/**
 * `graph.count`: counts the files, lines and bytes of a directory (the
 * plugin's fixture by default). A file larger than `maxBytes` is a failed
 * item (partial success, exit 3) and the rest goes on.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";

const FIXTURE = "fixtures/graph";

const input = z.object({
  dir: z.string().min(1).default(FIXTURE).describe("directory to count"),
});

const output = z.object({
  dir: z.string(),
  files: z.number().int(),
  lines: z.number().int(),
  bytes: z.number().int(),
});

/**
 * Counts the lines of a text: its newlines, plus one for a last line
 * without a newline.
 */
function lineCount(bytes: Uint8Array): number {
  const newlines = bytes.reduce((sum, b) => sum + (b === 10 ? 1 : 0), 0);
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? newlines + 1 : newlines;
}

/**
 * Creates the `graph.count` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { countTask } from "./count.ts";
 * import assert from "node:assert/strict";
 * assert.equal(countTask({ maxBytes: 1024 }).id, "graph.count");
 * ```
 */
export function countTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.count",
    summary: "Counts the files, lines and bytes of a directory",
    input,
    output,
    permissions: (i) => ({ read: [i.dir] }),
    async run(ctx, i) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(i.dir)) if (entry.isFile) names.push(entry.name);
      names.sort();
      const progress = ctx.progress(`count ${i.dir}`, names.length);
      for (const name of names) {
        if (ctx.signal.aborted) break; // SIGINT: stop after the current file
        const path = join(i.dir, name);
        const { size } = await Deno.stat(path);
        if (size > options.maxBytes) {
          ctx.failures.add(name, `larger than maxBytes (${options.maxBytes}): ${size} bytes`);
        } else {
          const bytes = await Deno.readFile(path);
          ctx.counters.add("files");
          ctx.counters.add("lines", lineCount(bytes));
          ctx.counters.add("bytes", bytes.length);
        }
        progress.tick();
      }
      progress.done();
      return {
        dir: i.dir,
        files: ctx.counters.get("files"),
        lines: ctx.counters.get("lines"),
        bytes: ctx.counters.get("bytes"),
      };
    },
  });
}
