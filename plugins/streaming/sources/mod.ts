/**
 * Page sources: where the streaming plugin's pages come from. One port,
 * {@linkcode PageSource} (in `../model.ts`), three adapters, each imported on
 * demand by {@linkcode openSource}:
 *
 * - `dir.ts`: a local directory (the default);
 * - `git.ts`: a git repository at a ref, a local path or a URL, read through
 *   the `git` CLI without a checkout;
 * - `github.ts`: the GitHub REST API.
 *
 * Every adapter lists the `*.md` files under an optional folder prefix,
 * sorted by path in UTF-8 byte order, and reads a page's text exactly as
 * stored (a byte-order mark and CRLF line ends are kept).
 *
 * This module also holds what the adapters share: the page and prefix
 * rules, {@linkcode SourceError}, and each adapter's permission needs.
 *
 * ## The compact form (CLI)
 *
 * A source can be written as one string, for `--source` or a params file:
 *
 * | form | meaning |
 * | --- | --- |
 * | `./graph` or `dir:./graph` | a local directory |
 * | `git:<repo>` | a git repository's `HEAD`; `<repo>` is a path or a URL |
 * | `git:<repo>@<ref>` | the repository at a branch, tag or commit |
 * | `git:<repo>@<ref>:<prefix>` | only the pages under a folder (`@:pages/` keeps `HEAD`) |
 * | `github:<owner>/<repo>[@<ref>][:<prefix>]` | a GitHub repository (default branch when no ref) |
 * | `{"kind": ...}` | the object form, as JSON |
 *
 * For git, the ref starts at the last `@`, and the prefix at the first `:`
 * after it (a ref cannot hold a `:`). An `@` that belongs to the repository
 * (`https://user@host/r.git`, `git@host:r.git`) is recognised; a relative
 * path without a `/` followed by `@ref:prefix` reads as `user@host:path`,
 * so write it `./repo@ref:prefix`. A ref or prefix holding `@` needs the
 * object form.
 *
 * @example Open a directory source from its compact form
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSource, sourceSpec } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/Avatar.md`, "- ### OntologyBlock\n");
 * const source = await openSource(sourceSpec.parse(`dir:${root}`));
 * const pages = await Array.fromAsync(source.list());
 * assert.deepEqual(pages.map((p) => p.path), ["Avatar.md"]);
 * await source.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { ExitCode } from "../../../kernel/errors.ts";
import type { PermissionNeeds } from "../../../kernel/permissions.ts";
import { PermanentError } from "../../../kernel/retry.ts";
import type { PageSource } from "../model.ts";
import type { GitSourceOptions } from "./git.ts";
import type { GitHubSourceOptions } from "./github.ts";

export type { PageRef, PageSource } from "../model.ts";

/** Where a git source keeps its clones of remote repositories, unless told otherwise. */
export const DEFAULT_GIT_CACHE_DIR = ".weir/cache/git";

/** The GitHub REST API's address, unless told otherwise. */
export const DEFAULT_GITHUB_URL = "https://api.github.com";

/**
 * A source cannot be opened as given: the directory or repository does not
 * exist, the ref names no commit, the token is missing or refused. It is a
 * {@linkcode PermanentError} (another attempt cannot cure it) whose exit
 * code is 2, as for any invalid input.
 *
 * @example Catch a bad source and read what it was
 * ```ts
 * import assert from "node:assert/strict";
 * import { SourceError } from "./mod.ts";
 * const open = () => {
 *   throw new SourceError("git:/srv/graph@main", 'Cannot open the git source as the ref does not name a commit: current value is "main"');
 * };
 * assert.throws(open, { name: "SourceError", code: "invalid_source", exitCode: 2, source: "git:/srv/graph@main" });
 * ```
 */
export class SourceError extends PermanentError {
  /** `"invalid_source"`. */
  override readonly code: string = "invalid_source";
  /** 2: the source given is invalid input. */
  override readonly exitCode: ExitCode = ExitCode.usage;
  /** The source's location (secrets removed), as in {@linkcode PageSource.location}. */
  readonly source: string;

  /**
   * Creates the error.
   *
   * @param source The source's location, without secrets.
   * @param message What failed, in the project's error voice.
   * @param options The standard error options (`cause`).
   */
  constructor(source: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SourceError";
    this.source = source;
  }
}

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
 * Why a prefix is refused, or undefined when it is fine.
 *
 * @param prefix The prefix as given.
 * @returns A reason phrased to follow "as", or undefined.
 */
function prefixProblem(prefix: string): string | undefined {
  if (prefix.includes("\0")) return "it contains a NUL byte";
  if (prefix.includes("\\")) return "it contains a backslash";
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return undefined;
  for (const segment of trimmed.split("/")) {
    if (segment === "") return 'it has an empty segment ("//")';
    if (segment === "." || segment === "..") return `it has a "${segment}" segment`;
  }
  return undefined;
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

const prefixField = z.string()
  .refine((p) => prefixProblem(p) === undefined, {
    message: 'expected a folder inside the source such as "pages/" (no "..", "." or "//")',
  })
  .optional()
  .describe("folder whose *.md pages are read; the whole source when absent");

const refField = z.string()
  .regex(/^[^\s:\-\0][^\s:\0]*$/, {
    message: 'expected a branch, tag or commit (no spaces or ":", not starting with "-")',
  })
  .optional()
  .describe("branch, tag or commit; HEAD (or GitHub's default branch) when absent");

const dirSpec = z.object({
  kind: z.literal("dir"),
  path: z.string().min(1).describe("the directory"),
  prefix: prefixField,
});

const gitSpec = z.object({
  kind: z.literal("git"),
  repo: z.string().min(1).describe("a local repository path or a URL git can fetch"),
  ref: refField,
  prefix: prefixField,
  cacheDir: z.string().min(1).optional().describe(
    `where clones of URLs are kept; ${DEFAULT_GIT_CACHE_DIR} when absent`,
  ),
});

const githubSpec = z.object({
  kind: z.literal("github"),
  owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, {
    message: "expected a GitHub user or organization name",
  }),
  repo: z.string().regex(/^[A-Za-z0-9._-]+$/, { message: "expected a GitHub repository name" }),
  ref: refField,
  prefix: prefixField,
  token: z.string().min(1).optional().describe("a GitHub token; GITHUB_TOKEN when absent"),
  baseUrl: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
    message: "expected an http(s) URL",
  }).optional().describe(`the API's address; ${DEFAULT_GITHUB_URL} when absent`),
  cacheDir: z.string().min(1).optional().describe(
    "where the ETag cache is kept between runs; memory only when absent",
  ),
});

const specObject = z.discriminatedUnion("kind", [dirSpec, gitSpec, githubSpec]);

/** A source in its object form: which adapter, and its settings. */
export type SourceSpec = z.output<typeof specObject>;

/**
 * Parses a source from its compact form (see the module documentation):
 * `dir:<path>` or a bare path, `git:<repo>[@<ref>[:<prefix>]]`,
 * `github:<owner>/<repo>[@<ref>][:<prefix>]`, or a JSON object.
 *
 * @param text The compact form.
 * @returns The object form; not yet validated (see {@linkcode sourceSpec}).
 * @throws {SyntaxError} When the text is empty, the JSON is malformed or `github:` lacks `owner/repo`.
 *
 * @example Read each form
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSourceSpec } from "./mod.ts";
 * assert.deepEqual(parseSourceSpec("./pages"), { kind: "dir", path: "./pages" });
 * assert.deepEqual(parseSourceSpec("git:https://example.com/graph.git@v2:pages/"), {
 *   kind: "git", repo: "https://example.com/graph.git", ref: "v2", prefix: "pages/",
 * });
 * assert.deepEqual(parseSourceSpec("github:octo/graph:pages/"), {
 *   kind: "github", owner: "octo", repo: "graph", ref: undefined, prefix: "pages/",
 * });
 * ```
 */
export function parseSourceSpec(text: string): SourceSpec {
  const fail = (why: string): never => {
    throw new SyntaxError(
      `Cannot parse the source as ${why}: current value is ${JSON.stringify(text)}`,
    );
  };
  if (text.trim() === "") fail("it is empty");
  if (text.trimStart().startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new SyntaxError(
        `Cannot parse the source as its JSON is malformed: current value is ${
          JSON.stringify(text)
        }`,
        { cause },
      );
    }
  }
  if (text.startsWith("github:")) {
    const rest = text.slice("github:".length);
    const colon = rest.indexOf(":");
    const head = colon < 0 ? rest : rest.slice(0, colon);
    const at = head.indexOf("@");
    const [owner, repo, ...more] = (at < 0 ? head : head.slice(0, at)).split("/");
    if (!owner || !repo || more.length) fail('"github:" must be followed by <owner>/<repo>');
    return {
      kind: "github",
      owner,
      repo,
      ref: at < 0 ? undefined : head.slice(at + 1) || undefined,
      prefix: colon < 0 ? undefined : rest.slice(colon + 1) || undefined,
    };
  }
  if (text.startsWith("git:")) {
    const rest = text.slice("git:".length);
    if (rest === "") fail('"git:" must be followed by a repository');
    const at = rest.lastIndexOf("@");
    const head = rest.slice(0, at);
    const tail = rest.slice(at + 1);
    const userinfo = at < 0 || /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i.test(head) ||
      (/^[^/:]+$/.test(head) && tail.includes(":"));
    if (userinfo) return { kind: "git", repo: rest };
    const colon = tail.indexOf(":");
    return {
      kind: "git",
      repo: head,
      ref: (colon < 0 ? tail : tail.slice(0, colon)) || undefined,
      prefix: colon < 0 ? undefined : tail.slice(colon + 1) || undefined,
    };
  }
  return { kind: "dir", path: text.startsWith("dir:") ? text.slice("dir:".length) : text };
}

/**
 * The schema of a task's `source` input: the object form, or the compact
 * form as a string (parsed with {@linkcode parseSourceSpec}). Either way
 * the output is the object form; `describe` shows both.
 *
 * @example Validate both forms
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceSpec } from "./mod.ts";
 * const a = sourceSpec.parse("github:octo/graph@main:pages/");
 * const b = sourceSpec.parse({ kind: "github", owner: "octo", repo: "graph", ref: "main", prefix: "pages/" });
 * assert.deepEqual(a, b);
 * assert.equal(sourceSpec.safeParse("git:/srv/graph@main:../etc").success, false);
 * ```
 */
export const sourceSpec: z.ZodType<SourceSpec, SourceSpec | string> = z.union([
  z.string().transform((text, ctx) => {
    let parsed: unknown;
    try {
      parsed = parseSourceSpec(text);
    } catch (err) {
      ctx.issues.push({
        code: "custom",
        message: (err as Error).message,
        input: text,
        continue: true,
      });
      return z.NEVER;
    }
    const result = specObject.safeParse(parsed);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      // `continue` keeps these issues from counting as a type mismatch, so the
      // union reports them instead of a bare "Invalid input".
      ctx.issues.push({
        code: "custom",
        message: issue.message,
        path: issue.path,
        input: text,
        continue: true,
      });
    }
    return z.NEVER;
  }),
  specObject,
], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? 'expected a path, "dir:...", "git:...", "github:..." or an object whose kind is "dir", "git" or "github"'
      : undefined,
}).describe(
  "where pages come from: a directory path, dir:<path>, git:<repo>[@<ref>[:<prefix>]], " +
    "github:<owner>/<repo>[@<ref>][:<prefix>], or an object with kind dir, git or github",
);

/** Options of {@linkcode openSource}. */
export interface OpenSourceOptions {
  /** Stops opening (a clone, a fetch, resolving the ref). */
  signal?: AbortSignal;
  /**
   * Reads an environment variable (`GITHUB_TOKEN` when the spec has no token).
   *
   * @default {Deno.env.get, or nothing when env permission is not granted}
   */
  env?: (name: string) => string | undefined;
  /** Further GitHub options: an injected `fetch`, timeouts, `onWait`. */
  github?: Omit<Partial<GitHubSourceOptions>, "owner" | "repo" | "ref" | "prefix">;
}

/**
 * Opens the adapter a spec names. Adapters are imported on demand.
 *
 * @param spec Which source, as {@linkcode sourceSpec} outputs it.
 * @param options Abort signal, environment, further GitHub options.
 * @returns The open source; call `close()` when done.
 * @throws {SourceError} When the source cannot be opened as given (missing repository, bad ref or token).
 * @throws {TypeError} When `spec.kind` is unknown.
 *
 * @example Open a directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSource } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * const source = await openSource({ kind: "dir", path: root });
 * assert.equal(source.kind, "dir");
 * await source.close();
 * await Deno.remove(root);
 * ```
 */
export async function openSource(
  spec: SourceSpec,
  options: OpenSourceOptions = {},
): Promise<PageSource> {
  const { signal, env = readEnv } = options;
  switch (spec.kind) {
    case "dir": {
      const { DirSource } = await import("./dir.ts");
      return new DirSource(spec.path, { prefix: spec.prefix });
    }
    case "git": {
      const { GitSource } = await import("./git.ts");
      return await GitSource.open(spec, signal);
    }
    case "github": {
      const { GitHubSource } = await import("./github.ts");
      return await GitHubSource.open({
        ...options.github,
        owner: spec.owner,
        repo: spec.repo,
        ref: spec.ref,
        prefix: spec.prefix,
        token: spec.token ?? options.github?.token ?? env("GITHUB_TOKEN"),
        baseUrl: spec.baseUrl ?? options.github?.baseUrl,
        etagFile: spec.cacheDir ? githubEtagFile(spec) : options.github?.etagFile,
      }, signal);
    }
    default:
      throw new TypeError(
        `Cannot open the source as its kind is not "dir", "git" or "github": current value is "${
          (spec as { kind?: unknown })?.kind
        }"`,
      );
  }
}

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
  if (!isGitUrl(options.repo)) return { run: ["git"], read: [options.repo] };
  const cache = options.cacheDir ?? DEFAULT_GIT_CACHE_DIR;
  return { run: ["git"], read: [cache], write: [cache] };
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

function githubEtagFile(spec: Extract<SourceSpec, { kind: "github" }>): string {
  const host = new URL(spec.baseUrl ?? DEFAULT_GITHUB_URL).host.replace(/[^A-Za-z0-9.-]/g, "_");
  return join(spec.cacheDir!, `github-${host}-${spec.owner}-${spec.repo}.etags.json`);
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // No env permission: the variable is simply absent.
  }
}
