/**
 * weir's own source folders: task modules load only when a task runs, and
 * Deno asks for read access to a module loaded late, so the kernel declares
 * that need like any other. A compiled binary needs no such grant.
 *
 * @module
 */
import type { PermissionNeeds } from "../lib/permissions.ts";

/** The folders under weir's root that it loads modules from on demand. */
export const SOURCE_FOLDERS: readonly string[] = ["cli", "kernel", "lib", "plugins", "tasks"];

const root = new URL("../", import.meta.url);

/**
 * The source folders to read, or none when weir runs from a compiled binary
 * (whose modules are embedded) or from a remote URL.
 *
 * @returns The read needs.
 *
 * @example
 * ```ts
 * import { weirSourceNeeds } from "./source.ts";
 * import assert from "node:assert/strict";
 * const needs = weirSourceNeeds();
 * assert.ok(needs.read?.some((p) => p.endsWith("/kernel")));
 * ```
 */
export function weirSourceNeeds(): PermissionNeeds {
  // `deno compile` serves embedded modules from a virtual folder of this name.
  if (root.protocol !== "file:" || root.pathname.includes("/deno-compile-")) return {};
  const base = decodeURIComponent(root.pathname).replace(/\/$/, "");
  return { read: SOURCE_FOLDERS.map((folder) => `${base}/${folder}`) };
}

/**
 * Whether an error is Deno refusing to load one of weir's own modules for
 * want of read access.
 *
 * @param err Anything thrown by an `import()`.
 * @returns `true` for a refused read of a file under weir's source folders.
 *
 * @example
 * ```ts
 * import { isSourceReadRefused } from "./source.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isSourceReadRefused(new Error("boom")), false);
 * ```
 */
export function isSourceReadRefused(err: unknown): boolean {
  const match = err instanceof Error &&
    /^Requires read access to "([^"]+)"/.exec(err.message);
  if (!match) return false;
  return (weirSourceNeeds().read ?? []).some((dir) => match[1].startsWith(`${dir}/`));
}
