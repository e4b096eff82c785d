/**
 * The files a module graph loads, found without running any of its code
 * (`deno info --json`): what a sandboxed child must be allowed to read for
 * its code to load, kept to the folders given.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { SEP as sep } from "../path.ts";
import { denoExecutable } from "./deno_child.ts";

/** Options of {@linkcode moduleFiles}. */
export interface ModuleFilesOptions {
  /** Folders (or single files) the files may be; a file elsewhere is left out (and listed in `outside`). */
  within: readonly string[];
  /** Flags for `deno info` that settle resolution (import map, lock file). @default {[]} */
  flags?: readonly string[];
  /** The executable. @default {denoExecutable()} */
  deno?: string;
}

/** What a module graph loads. */
export interface ModuleFiles {
  /** Local files inside the folders given. */
  files: string[];
  /** Local files outside them. */
  outside: string[];
  /** Hosts of remote modules (`host` or `host:port`). */
  hosts: string[];
}

/**
 * Lists the files and hosts a module's graph loads, statically imported or
 * imported with a literal `import()`.
 *
 * @param url The module.
 * @param options The folders allowed, `deno info` flags.
 * @returns Files inside and outside the folders, and remote hosts.
 * @throws {Error} When `deno info` cannot build the graph, with its message.
 *
 * @example
 * ```ts
 * import { moduleFiles } from "./module_files.ts";
 * import { fileURLToPath } from "node:url";
 * import assert from "node:assert/strict";
 * const here = fileURLToPath(new URL(".", import.meta.url));
 * const graph = await moduleFiles(new URL("./json_lines.ts", import.meta.url).href, { within: [here] });
 * assert.deepEqual(graph.files, [fileURLToPath(new URL("./json_lines.ts", import.meta.url))]);
 * assert.deepEqual(graph.outside, []);
 * ```
 */
export async function moduleFiles(url: string, options: ModuleFilesOptions): Promise<ModuleFiles> {
  const out = await new Deno.Command(options.deno ?? denoExecutable(), {
    args: ["info", "--json", ...(options.flags ?? []), url],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!out.success) {
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
    throw new Error(`Cannot read the module graph of "${url}": ${lines.at(-1)}`);
  }
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules?: { specifier: string; error?: string }[];
  };
  const result: ModuleFiles = { files: [], outside: [], hosts: [] };
  for (const { specifier, error } of graph.modules ?? []) {
    if (error) throw new Error(`Cannot read the module graph of "${url}": ${error}`);
    const u = new URL(specifier);
    if (u.protocol === "file:") {
      const path = fileURLToPath(u);
      const inside = options.within.some((dir) =>
        path === dir || path.startsWith(dir.replace(/\/$/, "") + sep)
      );
      (inside ? result.files : result.outside).push(path);
    } else if (
      (u.protocol === "https:" || u.protocol === "http:") && !result.hosts.includes(u.host)
    ) {
      result.hosts.push(u.host);
    }
  }
  return result;
}
