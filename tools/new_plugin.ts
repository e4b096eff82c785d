/**
 * `deno task new:plugin <name>`: scaffolds a plugin in the shape every weir
 * plugin shares (see plugins/example/): `mod.ts` with `Options`, `defaults`
 * and a factory; one file per task; `types.ts` for the task map; a test.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a generator reports what it wrote
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [name, ...rest] = Deno.args;
const rootFlag = rest.indexOf("--root");
const root = rootFlag >= 0 ? rest[rootFlag + 1] : fileURLToPath(new URL("../", import.meta.url));

if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) {
  console.error(
    `error: Cannot scaffold a plugin as its name must be lower-case snake_case: current value is "${
      name ?? ""
    }"`,
  );
  Deno.exit(2);
}
const dir = join(root, "plugins", name);
if (await Deno.stat(dir).then(() => true, () => false)) {
  console.error(`error: Cannot scaffold plugin "${name}" as ${dir} already exists`);
  Deno.exit(2);
}
const Name = name.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

const files: Record<string, string> = {
  [`plugins/${name}/mod.ts`]: `/**
 * The ${name} plugin.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";

/** Options of the ${name} plugin. */
export interface Options {
  /** An example option. */
  greeting: string;
}

/** The defaults, merged under the options given to {@linkcode ${name}Plugin}. */
export const defaults = { greeting: "hello" } satisfies Options;

/**
 * Creates the ${name} plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * \`\`\`ts
 * import { ${name}Plugin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(${name}Plugin().name, "${name}");
 * \`\`\`
 */
export function ${name}Plugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "${name}",
    version: "0.1.0",
    summary: "TODO: one line saying what the ${name} subsystem does",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "${name}.run",
        "TODO: one line saying what this task does",
        async () => (await import("./run.ts")).runTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for \`--plugin\` and the sandbox. */
export const plugin: Plugin = ${name}Plugin();
`,
  [`plugins/${name}/run.ts`]: `/**
 * \`${name}.run\`.
 *
 * @module
 */
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./mod.ts";

const input = z.object({
  who: z.string().default("world").describe("who to greet"),
});

const output = z.object({ text: z.string() });

/**
 * Creates the task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * \`\`\`ts
 * import { runTask } from "./run.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runTask({ greeting: "hi" }).id, "${name}.run");
 * \`\`\`
 */
export function runTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "${name}.run",
    summary: "TODO: one line saying what this task does",
    input,
    output,
    permissions: () => ({}),
    run: (ctx, i) => {
      ctx.counters.add("greeted");
      return Promise.resolve({ text: \`\${options.greeting} \${i.who}\` });
    },
  });
}
`,
  [`plugins/${name}/types.ts`]: `/**
 * The ${name} plugin's entries in the kernel's task map.
 *
 * @module
 */
import type { runTask } from "./run.ts";

declare module "../../kernel/task.ts" {
  interface TaskMap {
    "${name}.run": ReturnType<typeof runTask>;
  }
}
`,
  [`tests/plugins/${name}/run_test.ts`]: `import assert from "node:assert/strict";
import { Kernel } from "../../../kernel/kernel.ts";
import { Registry } from "../../../kernel/registry.ts";
import { Terminal } from "../../../kernel/report/terminal.ts";
import { ${name}Plugin } from "../../../plugins/${name}/mod.ts";

Deno.test("${name}.run greets with the configured greeting", async () => {
  const home = await Deno.makeTempDir();
  const terminal = new Terminal({ writeSync: (b) => b.length }, false);
  const kernel = new Kernel({
    registry: new Registry().add(${name}Plugin({ greeting: "hi" })),
    terminal,
    flags: { home },
    env: {},
  });
  const result = await kernel.runTask("${name}.run", { who: "ada" });
  assert.equal(result.status, "succeeded");
  assert.deepEqual(result.output, { text: "hi ada" });
  kernel.close();
  await Deno.remove(home, { recursive: true });
});
`,
};

for (const [path, text] of Object.entries(files)) {
  const full = join(root, path);
  await Deno.mkdir(join(full, ".."), { recursive: true });
  await Deno.writeTextFile(full, text);
  console.error(`wrote ${path}`);
}
console.error(
  `\nNext: add ${name}Plugin() to main.ts, import "./plugins/${name}/types.ts" where pipelines use it,` +
    ` and give its pipeline a deno task with a permission set. (${Name} is ready for its first task.)`,
);
