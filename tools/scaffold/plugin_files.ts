/**
 * The source files of a scaffolded plugin, `plugins/<name>/`: `mod.ts`,
 * `options.ts`, the task file, `types.ts` and `README.md`, in the shape of
 * `plugins/example/`. Every line stays within `deno fmt`'s width for names
 * up to the limits of `names.ts`, so the output is already formatted.
 *
 * @module
 */
import type { PluginNames } from "./names.ts";

const SUMMARY = "Counts the files, lines and bytes of a directory";

function mod(n: PluginNames): string {
  return `/**
 * The ${n.name} plugin. ${SUMMARY}: its one task, \`${n.taskId}\`, is the
 * starting point of the plugin's real work.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the ${n.name} plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * \`\`\`ts
 * import { ${n.factory} } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = ${n.factory}({ maxBytes: 1024 });
 * assert.deepEqual(plugin.tasks.map((t) => t.id), ["${n.taskId}"]);
 * \`\`\`
 */
export function ${n.factory}(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "${n.name}",
    version: "0.1.0",
    summary: "${SUMMARY}",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "${n.taskId}",
        "${SUMMARY}",
        async () => (await import("./${n.verb}.ts")).${n.taskFactory}(opts),
      ),
    ],
  });
}

/** The plugin with default options, for \`--plugin\` and the sandbox. */
export const plugin: Plugin = ${n.factory}();
`;
}

function options(n: PluginNames): string {
  return `/**
 * The ${n.name} plugin's options and their defaults, apart from \`mod.ts\` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the ${n.name} plugin. */
export interface Options {
  /** A file larger than this many bytes is a failed item, not read. */
  maxBytes: number;
}

/** The defaults, merged under the options given to \`${n.factory}\`. */
export const defaults = { maxBytes: 1_048_576 } satisfies Options;
`;
}

function task(n: PluginNames): string {
  return `/**
 * \`${n.taskId}\`: counts the files, lines and bytes of a directory (the
 * plugin's fixture by default). A file larger than \`maxBytes\` is a failed
 * item (partial success, exit 3) and the rest goes on.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";

const FIXTURE = "fixtures/${n.name}";

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
 * Creates the \`${n.taskId}\` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * \`\`\`ts
 * import { ${n.taskFactory} } from "./${n.verb}.ts";
 * import assert from "node:assert/strict";
 * assert.equal(${n.taskFactory}({ maxBytes: 1024 }).id, "${n.taskId}");
 * \`\`\`
 */
export function ${n.taskFactory}(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "${n.taskId}",
    summary: "${SUMMARY}",
    input,
    output,
    permissions: (i) => ({ read: [i.dir] }),
    async run(ctx, i) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(i.dir)) if (entry.isFile) names.push(entry.name);
      names.sort();
      const progress = ctx.progress(\`${n.verb} \${i.dir}\`, names.length);
      for (const name of names) {
        if (ctx.signal.aborted) break; // SIGINT: stop after the current file
        const path = join(i.dir, name);
        const { size } = await Deno.stat(path);
        if (size > options.maxBytes) {
          ctx.failures.add(name, \`larger than maxBytes (\${options.maxBytes}): \${size} bytes\`);
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
`;
}

function types(n: PluginNames): string {
  return `/**
 * The ${n.name} plugin's entries in the kernel's task map, so pipelines get
 * typed inputs and outputs from its task ids.
 *
 * @module
 */
import type { ${n.taskFactory} } from "./${n.verb}.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "${n.taskId}": ReturnType<typeof ${n.taskFactory}>;
  }
}
`;
}

function readme(n: PluginNames): string {
  return `# The ${n.name} plugin

Scaffolded by \`deno task new:plugin ${n.name}\` in the shape every weir plugin shares.

- \`mod.ts\`: the plugin factory \`${n.factory}\`, with \`Options\` and \`defaults\`
- \`options.ts\`: \`Options\` and \`defaults\`, which task files import instead of \`mod.ts\`
- \`${n.verb}.ts\`: the task \`${n.taskId}\`; add one file per task
- \`types.ts\`: the tasks' entries in the kernel's \`TaskMap\`, for typed pipelines
- fixture: \`fixtures/${n.name}/\`
- test: \`tests/plugins/${n.name}/${n.verb}_test.ts\`
- task entry: \`deno task ${n.denoTask}\`
- its permission set in deno.json: \`${n.permissionSet}\`

\`\`\`sh
deno task ${n.denoTask}
deno task weir run ${n.taskId} --dir fixtures/${n.name}
deno test -P=test tests/plugins/${n.name}/
\`\`\`
`;
}

/**
 * Renders the files of `plugins/<name>/`.
 *
 * @param n The plugin's names.
 * @returns File texts by path relative to the repository root.
 *
 * @example
 * ```ts
 * import { pluginFiles } from "./plugin_files.ts";
 * import { pluginNames } from "./names.ts";
 * import assert from "node:assert/strict";
 * const files = pluginFiles(pluginNames("tally", "count"));
 * assert.deepEqual(Object.keys(files).sort(), [
 *   "plugins/tally/README.md",
 *   "plugins/tally/count.ts",
 *   "plugins/tally/mod.ts",
 *   "plugins/tally/options.ts",
 *   "plugins/tally/types.ts",
 * ]);
 * ```
 */
export function pluginFiles(n: PluginNames): Record<string, string> {
  const dir = `plugins/${n.name}`;
  return {
    [`${dir}/mod.ts`]: mod(n),
    [`${dir}/options.ts`]: options(n),
    [`${dir}/${n.verb}.ts`]: task(n),
    [`${dir}/types.ts`]: types(n),
    [`${dir}/README.md`]: readme(n),
  };
}
