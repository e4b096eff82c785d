/**
 * POSIX path operations without Node's compatibility layer.
 *
 * Why not `node:path`: importing the first `node:` module starts Deno's Node
 * compatibility layer, about 9 ms of every start-up (and `node:fs` 18 ms
 * more), which `weir run` and `describe` would pay before any work. `@std/path`
 * is the well-kept alternative but lives on JSR, which this project cannot
 * reach. These are the few operations the kernel needs, with Node's
 * semantics on POSIX systems (Linux, macOS); weir does not run on Windows.
 *
 * @module
 */

/** The path separator. */
export const SEP = "/";

/**
 * Normalizes a path: resolves `.` and `..` segments and repeated slashes.
 *
 * @param path The path.
 * @returns The normalized path (`.` for an empty relative path).
 *
 * @example
 * ```ts
 * import { normalize } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(normalize("/a//b/../c/."), "/a/c");
 * assert.equal(normalize("../a/./b/"), "../a/b/");
 * ```
 */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(segment);
  }
  const body = out.join("/");
  if (absolute) return `/${body}${trailing && body ? "/" : ""}`;
  return body ? `${body}${trailing ? "/" : ""}` : trailing ? "./" : ".";
}

/**
 * Joins path segments and normalizes the result.
 *
 * @param parts The segments; empty ones are skipped.
 * @returns The joined path.
 *
 * @example
 * ```ts
 * import { join } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(join("/home", "weir", "../runs", "r1"), "/home/runs/r1");
 * ```
 */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/**
 * Whether a path is absolute.
 *
 * @param path The path.
 * @returns `true` when it starts with `/`.
 *
 * @example
 * ```ts
 * import { isAbsolute } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isAbsolute("/data"), true);
 * assert.equal(isAbsolute("data"), false);
 * ```
 */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/**
 * Resolves paths right to left into an absolute path, from the current
 * directory when none of them is absolute.
 *
 * @param parts The paths.
 * @returns The absolute, normalized path without a trailing slash.
 *
 * @example
 * ```ts
 * import { resolve } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolve("/data", "in", "../out"), "/data/out");
 * ```
 */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(path); i--) {
    if (parts[i] !== "") path = path ? `${parts[i]}/${path}` : parts[i];
  }
  if (!isAbsolute(path)) path = path ? `${Deno.cwd()}/${path}` : Deno.cwd();
  const out = normalize(path);
  return out.length > 1 && out.endsWith("/") ? out.slice(0, -1) : out;
}

/**
 * The folder part of a path.
 *
 * @param path The path.
 * @returns Everything before the last segment (`.` when there is none).
 *
 * @example
 * ```ts
 * import { dirname } from "./path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(dirname("/home/weir/weir.db"), "/home/weir");
 * assert.equal(dirname("weir.db"), ".");
 * assert.equal(dirname("/weir.db"), "/");
 * ```
 */
export function dirname(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  // From the end: skip trailing slashes, then the last segment; stop at the slash before it.
  let end = -1;
  let inSlashes = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] !== "/") inSlashes = false;
    else if (!inSlashes) {
      end = i;
      break;
    }
  }
  if (end === -1) return rooted ? "/" : ".";
  // Node keeps a leading "//" (POSIX leaves its meaning to the system).
  if (rooted && end === 1) return "//";
  return path.slice(0, end);
}
