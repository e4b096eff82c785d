/**
 * Registers a scaffolded plugin where the application finds it: its
 * `deno task` entry and named permission set in deno.json, its static
 * import and factory call in main.ts. Pure text in, text out; each refuses
 * (rather than overwrites) an entry that already exists.
 *
 * @module
 */
import { type PluginNames, ScaffoldInputError } from "./names.ts";
import { SOURCE_FOLDERS } from "../../kernel/source.ts";

/** The line width `deno fmt` keeps to (deno.json `fmt.lineWidth`). */
const WIDTH = 100;

/** The env vars the kernel's config reads; the rest of weir's are for backends. */
const KERNEL_ENV = ["WEIR_HOME", "WEIR_FEATURES"];

interface DenoJson {
  tasks?: Record<string, string>;
  permissions?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Adds the plugin's `deno task` entry (`<name>:<verb>`, running its task)
 * and its permission set (`<name>-<verb>`: read the fixture, the home and weir's source folders,
 * write the home, the kernel's env vars; nothing else) to deno.json.
 *
 * @param text deno.json's text (plain JSON).
 * @param n The plugin's names.
 * @returns The new text, formatted as `deno fmt` formats it.
 * @throws {ScaffoldInputError} When the task or the permission set exists, or the text is not JSON.
 *
 * @example
 * ```ts
 * import { registerInDenoJson } from "./register.ts";
 * import { pluginNames } from "./names.ts";
 * import assert from "node:assert/strict";
 * const out = JSON.parse(registerInDenoJson('{"tasks":{},"permissions":{}}', pluginNames("tally", "count")));
 * assert.equal(out.tasks["tally:count"], "deno run -P=tally-count main.ts run tally.count");
 * assert.deepEqual(out.permissions["tally-count"].write, [".weir"]);
 * assert.deepEqual(out.permissions["tally-count"].sys, ["hostname"]);
 * ```
 */
export function registerInDenoJson(text: string, n: PluginNames): string {
  let config: DenoJson;
  try {
    config = JSON.parse(text);
  } catch (cause) {
    throw new ScaffoldInputError(
      `Cannot register plugin "${n.name}" in deno.json as it must be plain JSON: current value is unparsable`,
      { cause },
    );
  }
  const tasks = config.tasks ??= {};
  const permissions = config.permissions ??= {};
  const taken = [
    ...(n.denoTask in tasks ? [`task "${n.denoTask}"`] : []),
    ...(n.permissionSet in permissions ? [`permission set "${n.permissionSet}"`] : []),
  ];
  if (taken.length) {
    throw new ScaffoldInputError(
      `Cannot register plugin "${n.name}" in deno.json as nothing may be overwritten: current value is ${
        taken.join(" and ")
      } (exists)`,
    );
  }
  tasks[n.denoTask] = `deno run -P=${n.permissionSet} main.ts run ${n.taskId}`;
  permissions[n.permissionSet] = {
    // weir's own folders: task modules load on demand (kernel/source.ts).
    read: [`fixtures/${n.name}`, ".weir", ...SOURCE_FOLDERS],
    write: [".weir"],
    env: KERNEL_ENV,
    // Run records carry the host name, so an abandoned run can be told apart.
    sys: ["hostname"],
  };
  return JSON.stringify(config, null, 2) + "\n";
}

const PLUGINS_LIST = /^export const plugins(\s*:[^=]+)? = \[([\s\S]*?)\];$/m;

/**
 * Adds the plugin to main.ts: a static import of its `mod.ts` after the
 * last plugin import, and a call of its factory at the end of the
 * `export const plugins = [...]` list (wrapped one per line when it no
 * longer fits, as `deno fmt` would).
 *
 * @param text main.ts's text.
 * @param n The plugin's names.
 * @returns The new text.
 * @throws {ScaffoldInputError} When main.ts already imports the plugin or has no plugins list.
 *
 * @example
 * ```ts
 * import { registerInMain } from "./register.ts";
 * import { pluginNames } from "./names.ts";
 * import assert from "node:assert/strict";
 * const main = 'import { aPlugin } from "./plugins/a/mod.ts";\n\nexport const plugins = [aPlugin()];\n';
 * assert.equal(
 *   registerInMain(main, pluginNames("tally", "count")),
 *   'import { aPlugin } from "./plugins/a/mod.ts";\n' +
 *     'import { tallyPlugin } from "./plugins/tally/mod.ts";\n\n' +
 *     "export const plugins = [aPlugin(), tallyPlugin()];\n",
 * );
 * ```
 */
export function registerInMain(text: string, n: PluginNames): string {
  const specifier = `./plugins/${n.name}/mod.ts`;
  if (text.includes(`"${specifier}"`)) {
    throw new ScaffoldInputError(
      `Cannot register plugin "${n.name}" in main.ts as nothing may be overwritten: current value is an import of "${specifier}" (exists)`,
    );
  }
  const list = text.match(PLUGINS_LIST);
  if (!list || list.index === undefined) {
    throw new ScaffoldInputError(
      `Cannot register plugin "${n.name}" in main.ts as it must hold "export const plugins = [...];": current value has none`,
    );
  }
  const items = list[2].split(",").map((s) => s.trim()).filter(Boolean);
  items.push(`${n.factory}()`);
  const head = `export const plugins${list[1] ?? ""} = [`;
  const oneLine = `${head}${items.join(", ")}];`;
  const wrapped = list[2].includes("\n") || oneLine.length > WIDTH;
  const rendered = wrapped ? `${head}\n${items.map((i) => `  ${i},\n`).join("")}];` : oneLine;
  let out = text.slice(0, list.index) + rendered + text.slice(list.index + list[0].length);

  const importLine = `import { ${n.factory} } from "${specifier}";\n`;
  const imports = [...out.matchAll(/^import [^;]*;\n/gm)];
  const plugins = imports.filter((m) => m[0].includes('"./plugins/'));
  const after = plugins.at(-1) ?? imports.at(-1);
  const at = after ? after.index + after[0].length : 0;
  out = out.slice(0, at) + importLine + out.slice(at);
  return out;
}
