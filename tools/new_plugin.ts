/**
 * `deno task new:plugin <name> [--verb <verb>]`: scaffolds a plugin in the
 * shape every weir plugin shares (see plugins/example/), registered and
 * runnable at once:
 *
 * - `plugins/<name>/`: `mod.ts`, `options.ts`, `<verb>.ts` (one task,
 *   `<name>.<verb>`; the verb defaults to `count`), `types.ts`, `README.md`
 * - `fixtures/<name>/`: a tiny sample the task reads by default
 * - `tests/plugins/<name>/<verb>_test.ts`: runs `weir run <name>.<verb>`
 *   through the shared CLI helper
 * - deno.json: the `deno task <name>:<verb>` entry and its permission set
 * - main.ts: the plugin's static import and registration
 *
 * It never overwrites: if any of these exists, it writes nothing and exits
 * 2, as it does for a name or verb it refuses. Messages go to stderr.
 *
 * ```sh
 * deno task new:plugin tally
 * deno run -P=scaffold tools/new_plugin.ts tally --verb count --root /path/to/repo
 * ```
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pluginNames, ScaffoldInputError } from "./scaffold/names.ts";
import { pluginFiles } from "./scaffold/plugin_files.ts";
import { testFiles } from "./scaffold/test_files.ts";
import { registerInDenoJson, registerInMain } from "./scaffold/register.ts";

/** What {@linkcode scaffold} did. */
export interface Scaffolded {
  /** Files created, relative to the root. */
  created: string[];
  /** Files changed, relative to the root. */
  changed: string[];
  /** The new task's id. */
  taskId: string;
  /** The new `deno task` entry. */
  denoTask: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Scaffolds a plugin under `root`. Every check runs before the first write:
 * a refused name, an existing folder or file, or an existing deno.json or
 * main.ts entry leaves the tree as it was.
 *
 * @param root The repository root (holding deno.json and main.ts).
 * @param name The plugin's name (snake_case).
 * @param verb The first task's verb (snake_case, not `run`).
 * @returns What was created and changed.
 * @throws {ScaffoldInputError} When the name or verb is refused or anything would be overwritten.
 *
 * @example Scaffold into a fresh tree
 * ```ts
 * import { scaffold } from "./new_plugin.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${root}/deno.json`, "{}\n");
 *   await Deno.writeTextFile(`${root}/main.ts`, "export const plugins = [];\n");
 *   const done = await scaffold(root, "tally", "count");
 *   assert.equal(done.taskId, "tally.count");
 *   assert.deepEqual(done.changed, ["deno.json", "main.ts"]);
 *   await assert.rejects(scaffold(root, "tally", "count"), /nothing may be overwritten/);
 * } finally {
 *   await Deno.remove(root, { recursive: true });
 * }
 * ```
 */
export async function scaffold(root: string, name: string, verb: string): Promise<Scaffolded> {
  const n = pluginNames(name, verb);
  const files = { ...pluginFiles(n), ...testFiles(n) };
  // Every file lives in one of these folders, so a fresh folder means fresh files.
  const folders = [`plugins/${name}/`, `fixtures/${name}/`, `tests/plugins/${name}/`];
  const taken = [];
  for (const path of folders) if (await exists(join(root, path.slice(0, -1)))) taken.push(path);
  if (taken.length) {
    throw new ScaffoldInputError(
      `Cannot scaffold plugin "${name}" as nothing may be overwritten: current value is ${
        taken.join(", ")
      } (exists)`,
    );
  }
  const denoJson = registerInDenoJson(await Deno.readTextFile(join(root, "deno.json")), n);
  const main = registerInMain(await Deno.readTextFile(join(root, "main.ts")), n);

  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text, { createNew: true });
  }
  await Deno.writeTextFile(join(root, "deno.json"), denoJson);
  await Deno.writeTextFile(join(root, "main.ts"), main);
  return {
    created: Object.keys(files),
    changed: ["deno.json", "main.ts"],
    taskId: n.taskId,
    denoTask: n.denoTask,
  };
}

const USAGE = "usage: deno task new:plugin <name> [--verb <verb>] [--root <dir>]";

function say(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text + "\n"));
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        verb: { type: "string", default: "count" },
        root: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    say(`error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    say(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    say(
      `error: Cannot scaffold a plugin as exactly one name must be given: current value is ${
        JSON.stringify(parsed.positionals)
      }\n${USAGE}`,
    );
    return 2;
  }
  const root = parsed.values.root ?? fileURLToPath(new URL("../", import.meta.url));
  try {
    const done = await scaffold(root, parsed.positionals[0], parsed.values.verb);
    for (const path of done.created) say(`created ${path}`);
    for (const path of done.changed) say(`changed ${path}`);
    say(
      `\nRun it:  deno task ${done.denoTask}   (or: deno task weir run ${done.taskId})` +
        `\nTest it: deno test -P=test tests/plugins/${parsed.positionals[0]}/`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ScaffoldInputError)) throw err;
    say(`error: ${err.message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
