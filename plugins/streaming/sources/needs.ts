/**
 * Permission needs: what each adapter needs granted, for a task's
 * `permissions`. {@linkcode sourceNeeds} picks by the spec's kind;
 * {@linkcode dirNeeds}, {@linkcode gitNeeds} and {@linkcode githubNeeds}
 * answer for one adapter each.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { PermissionNeeds } from "../../../lib/permissions.ts";
import { githubEtagFile } from "./_github_etag_file.ts";
import { DEFAULT_GIT_CACHE_DIR, DEFAULT_GITHUB_URL } from "./defaults.ts";
import type { GitSourceOptions } from "./git.ts";
import type { GitHubSourceOptions } from "./github_options.ts";
import { isGitUrl } from "./paths.ts";
import type { SourceSpec } from "./spec.ts";

/**
 * What a source needs: read of the directory; running `git` and reading the
 * repository (or reading and writing the clone cache for a URL); reaching
 * the API host and reading `GITHUB_TOKEN` (plus the ETag cache file).
 *
 * @param spec Which source.
 * @returns The needs, for a task's `permissions`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceNeeds } from "./mod.ts";
 * const needs = sourceNeeds({ kind: "github", owner: "octo", repo: "graph" });
 * assert.deepEqual(needs, { net: ["api.github.com"], env: ["GITHUB_TOKEN"] });
 * ```
 */
export function sourceNeeds(spec: SourceSpec): PermissionNeeds {
  switch (spec.kind) {
    case "dir":
      return dirNeeds(spec.path);
    case "git":
      return gitNeeds(spec);
    case "github":
      return githubNeeds({
        baseUrl: spec.baseUrl,
        token: spec.token,
        etagFile: spec.cacheDir ? githubEtagFile(spec) : undefined,
      });
  }
}

/**
 * What a `DirSource` (`dir.ts`) needs: read of its root.
 *
 * @param root The directory.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirNeeds } from "./mod.ts";
 * assert.deepEqual(dirNeeds("/srv/graph"), { read: ["/srv/graph"] });
 * ```
 */
export function dirNeeds(root: string): PermissionNeeds {
  return { read: [root] };
}

/**
 * What a `GitSource` (`git.ts`) needs: to run `git`, plus read of a local
 * repository, or read and write of the clone cache for a URL. git runs as a
 * subprocess, outside Deno's permissions, so a URL needs no net grant.
 *
 * @param options The repository and cache directory.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gitNeeds } from "./mod.ts";
 * const needs = gitNeeds({ repo: "https://example.com/graph.git", cacheDir: "/var/cache/weir" });
 * assert.deepEqual(needs, { run: ["git"], read: ["/var/cache/weir"], write: ["/var/cache/weir"] });
 * ```
 */
export function gitNeeds(options: Pick<GitSourceOptions, "repo" | "cacheDir">): PermissionNeeds {
  const local = localRepository(options.repo);
  if (local !== undefined) return { run: ["git"], read: [local, ...gitDirsOf(local)] };
  const cache = options.cacheDir ?? DEFAULT_GIT_CACHE_DIR;
  return { run: ["git"], read: [cache], write: [cache] };
}

/**
 * The local path of a repository git reads without Deno's permissions (it
 * runs as a subprocess): a path, or a `file://` URL (also `file:` scp-less
 * forms git takes); `undefined` for a remote URL.
 */
function localRepository(repo: string): string | undefined {
  if (/^file:/i.test(repo)) {
    try {
      return fromFileUrl(new URL(repo));
    } catch {
      return repo.replace(/^file:(\/\/)?/i, "");
    }
  }
  return isGitUrl(repo) ? undefined : repo;
}

function fromFileUrl(url: URL): string {
  return decodeURIComponent(url.pathname);
}

/**
 * Where else git reads a local repository's objects: the folder a `.git`
 * file points to (`gitdir: <path>`, a worktree's or a submodule's), its
 * `commondir`, and the alternates its object store borrows from. Each is a
 * read need of its own: git would reach it whatever Deno granted.
 */
function gitDirsOf(repo: string): string[] {
  const read = (path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined; // Absent, or not granted: the pre-flight names the repository itself.
    }
  };
  const dirs: string[] = [];
  try {
    // A `.git` that is a symbolic link is checked where it leads.
    if (Deno.lstatSync(join(repo, ".git")).isSymlink) dirs.push(join(repo, ".git"));
  } catch { /* absent, or not granted */ }
  const dotGit = read(join(repo, ".git"));
  const pointed = dotGit?.match(/^gitdir:\s*(.+?)\s*$/m)?.[1];
  const gitDir = pointed ? resolve(repo, pointed) : undefined;
  if (gitDir) dirs.push(gitDir);
  for (const dir of [gitDir ?? join(repo, ".git"), repo]) {
    const common = read(join(dir, "commondir"))?.trim();
    if (common) dirs.push(resolve(dir, common));
    for (const line of read(join(dir, "objects", "info", "alternates"))?.split("\n") ?? []) {
      if (line.trim() && !line.startsWith("#")) dirs.push(resolve(dir, "objects", line.trim()));
    }
  }
  return dirs;
}

/**
 * What a `GitHubSource` (`github.ts`) needs: the API host, `GITHUB_TOKEN` when no
 * token is given, and the ETag cache file when there is one.
 *
 * @param options The API address, token and ETag file.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { githubNeeds } from "./mod.ts";
 * const needs = githubNeeds({ baseUrl: "http://127.0.0.1:8080", etagFile: "/tmp/etags.json" });
 * assert.deepEqual(needs, {
 *   net: ["127.0.0.1:8080"], env: ["GITHUB_TOKEN"], read: ["/tmp/etags.json"], write: ["/tmp"],
 * });
 * ```
 */
export function githubNeeds(
  options: Pick<GitHubSourceOptions, "baseUrl" | "token" | "etagFile"> = {},
): PermissionNeeds {
  const needs: PermissionNeeds = { net: [new URL(options.baseUrl ?? DEFAULT_GITHUB_URL).host] };
  if (options.token === undefined) Object.assign(needs, { env: ["GITHUB_TOKEN"] });
  if (options.etagFile) {
    // Written atomically: a temporary file beside it, then a rename.
    Object.assign(needs, { read: [options.etagFile], write: [resolve(options.etagFile, "..")] });
  }
  return needs;
}
