/**
 * The kernel's home directory: made on first use, refused with one clear
 * line when it is a file or cannot be written.
 *
 * @module
 */
import { dirname } from "../lib/path.ts";
import { HomeError } from "./errors.ts";

/**
 * Creates the home directory, or says in one line why it cannot be used.
 *
 * @param home The home directory.
 * @throws {HomeError} When it is a file, under a file, or cannot be created.
 *
 * @example
 * ```ts
 * import { makeHome } from "./home.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * try {
 *   makeHome(`${dir}/a/b`);
 *   assert.ok(Deno.statSync(`${dir}/a/b`).isDirectory);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function makeHome(home: string): void {
  try {
    Deno.mkdirSync(home, { recursive: true, mode: 0o700 }); // Its owner's alone: run records, caches.
  } catch (err) {
    const code = (err as { code?: string }).code;
    let reason = `it cannot be created (${(err as Error).message})`;
    if (code === "EEXIST" || code === "ENOTDIR") {
      let file = home;
      while (isDirectory(file) === undefined && dirname(file) !== file) file = dirname(file);
      if (isDirectory(file) === false) {
        reason = file === home
          ? "it is a file, not a directory"
          : `a parent of it is a file, not a directory ("${file}")`;
      }
    } else if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      reason = `it is not writable (${code})`;
    }
    throw new HomeError(home, reason, undefined, { cause: err });
  }
}

/** `true` for a directory, `false` for another file, `undefined` when absent. */
function isDirectory(path: string): boolean | undefined {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return undefined;
  }
}
