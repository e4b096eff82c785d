/**
 * A `deno run` child that may load one module's code and touch only the
 * needs it is given: its flags are exactly `--allow-*` for those needs plus
 * read access to the module graph's files inside the folders allowed (never
 * a file elsewhere, even one the module imports statically), no prompt,
 * weir's import map and lock file instead of any config the module's folder
 * holds, no remote modules for a local one. The child's entry imports the
 * module with a computed `import()`, so Deno checks every file of its graph
 * against those grants.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { dirname } from "../path.ts";
import { mergeNeeds, needsToFlags, type PermissionNeeds } from "../permissions.ts";
import { callChild, type ChildCall, denoExecutable } from "./deno_child.ts";
import type { Message } from "./json_lines.ts";
import { type ModuleFiles, moduleFiles } from "./module_files.ts";

/** Options of {@linkcode callDenoSandbox}. */
export interface DenoSandboxCall extends Omit<ChildCall, "args"> {
  /** The module the child may load (a `file:` or `https:` URL). */
  module: string;
  /** The child's entry module (it imports `module` itself). */
  entry: string;
  /** The `deno.json` whose `imports` resolve bare specifiers. */
  importMap: string;
  /** The lock file local modules are checked against (`--frozen`). */
  lock: string;
  /** Folders besides the module's own that its graph may read code from. */
  within: readonly string[];
  /** What the child may touch. */
  needs: PermissionNeeds;
  /**
   * Folders of trusted code the child may read: the entry's own modules load
   * lazily (`--unstable-lazy-dynamic-imports`) from there. @default {[]}
   */
  code?: readonly string[];
}

const graphs = new Map<string, Promise<ModuleFiles>>();

/**
 * The `deno run` arguments for a sandboxed child.
 *
 * @param call The module, entry, resolution files, folders and needs.
 * @returns The arguments after `deno`.
 * @throws {RangeError} When the needs would let the child run deno itself.
 * @throws {Error} When the module graph cannot be read.
 *
 * @example
 * ```ts
 * import { denoSandboxArgs } from "./deno_sandbox.ts";
 * import assert from "node:assert/strict";
 * const module = new URL("./json_lines.ts", import.meta.url).href;
 * const args = await denoSandboxArgs({
 *   module, entry: module, importMap: new URL("../../deno.json", import.meta.url).href,
 *   lock: new URL("../../deno.lock", import.meta.url).pathname,
 *   within: [], needs: { env: ["HOME"] }, request: { type: "x" }, replies: [],
 * });
 * assert.ok(args.includes("--allow-env=HOME") && args.includes("--no-prompt"));
 * assert.ok(args.some((a) => a.startsWith("--allow-read=") && a.endsWith("json_lines.ts")));
 * ```
 */
export async function denoSandboxArgs(call: DenoSandboxCall): Promise<string[]> {
  const deno = call.deno ?? denoExecutable();
  const escape = (call.needs.run ?? []).find((cmd) =>
    cmd === deno || /(^|\/)deno(\.exe)?$/.test(cmd) || cmd === "*"
  );
  if (escape !== undefined) {
    // A child allowed to run deno could start another one with every permission.
    throw new RangeError(
      `Cannot grant the sandbox run access to "${escape}" as that would let it leave the sandbox`,
    );
  }
  const url = new URL(call.module);
  const local = url.protocol === "file:";
  const resolution = [
    "--no-config",
    `--import-map=${call.importMap}`,
    ...(local ? [`--lock=${call.lock}`, "--frozen"] : ["--no-lock"]),
  ];
  const within = [...call.within, ...(local ? [dirname(fileURLToPath(url))] : [])];
  const key = JSON.stringify([url.href, within]);
  if (!graphs.has(key)) {
    graphs.set(key, moduleFiles(url.href, { within, flags: resolution, deno: call.deno }));
  }
  const graph = await graphs.get(key)!;
  return [
    "run",
    "--no-prompt",
    // Only what runs is loaded: not every module the entry could import (a child starts faster).
    "--unstable-lazy-dynamic-imports",
    ...resolution,
    ...(local ? ["--no-remote"] : [`--allow-import=${graph.hosts.join(",")}`]),
    ...needsToFlags(mergeNeeds(call.needs, { read: [...graph.files, ...(call.code ?? [])] })),
    call.entry,
  ];
}

/**
 * Runs the sandboxed child and returns its one answer.
 *
 * @param call The module, entry, needs, request and limits.
 * @returns The answer.
 * @throws {ChildCallError} Why no valid answer came.
 */
export async function callDenoSandbox(call: DenoSandboxCall): Promise<Message> {
  return await callChild({ ...call, args: await denoSandboxArgs(call) });
}
