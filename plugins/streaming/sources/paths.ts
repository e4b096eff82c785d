/**
 * The path rules every adapter shares: which files are pages
 * ({@linkcode isPagePath}), how a folder prefix is checked and written
 * ({@linkcode normalizePrefix}), and whether a repository is a URL or a
 * local path ({@linkcode isGitUrl}).
 *
 * @module
 */
import { prefixProblem } from "./_prefix.ts";
import { SourceError } from "./source_error.ts";

/**
 * Tells whether a path names a page: a file whose name ends in `.md`
 * (lower case, as Logseq writes them).
 *
 * @param path A `/`-separated path inside a source.
 * @returns True for a page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPagePath } from "./mod.ts";
 * assert.equal(isPagePath("pages/Avatar.md"), true);
 * assert.equal(isPagePath("pages/logo.png"), false);
 * ```
 */
export function isPagePath(path: string): boolean {
  return path.endsWith(".md");
}

/**
 * Normalizes a folder prefix: leading and trailing `/` removed, `""` for
 * the whole source. Page paths keep the prefix (`pages/Avatar.md`).
 *
 * @param prefix The prefix as given (`"pages/"`, `"/pages"`, `undefined`).
 * @returns The prefix without slashes at either end.
 * @throws {SourceError} When it has a `..`, `.` or empty segment, a backslash or a NUL byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizePrefix } from "./mod.ts";
 * assert.equal(normalizePrefix("/pages/sub/"), "pages/sub");
 * assert.equal(normalizePrefix(), "");
 * ```
 */
export function normalizePrefix(prefix = ""): string {
  const problem = prefixProblem(prefix);
  if (problem) {
    throw new SourceError(
      prefix,
      `Cannot use the prefix as ${problem}: current value is ${JSON.stringify(prefix)}`,
    );
  }
  return prefix.replace(/^\/+|\/+$/g, "");
}

/**
 * Tells whether a repository location is a URL that git fetches from
 * (`https://`, `ssh://`, `git://`, `file://`, or scp-like `user@host:path`)
 * rather than a local path.
 *
 * @param repo The location.
 * @returns True for a URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isGitUrl } from "./mod.ts";
 * assert.equal(isGitUrl("git@github.com:o/r.git"), true);
 * assert.equal(isGitUrl("/srv/graph"), false);
 * ```
 */
export function isGitUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/:@]+@[^/:]+:/.test(repo);
}
