/**
 * The GitHub adapter of {@linkcode PageSource}: the `*.md` blobs of a
 * repository at one commit, through the REST API (no clone).
 *
 * - The ref (or the default branch) is resolved to a commit once, when the
 *   source opens (`GET /repos/{owner}/{repo}/commits/{ref}` with the
 *   `application/vnd.github.sha` media type).
 * - `list` reads the tree with `?recursive=1` (under the prefix's subtree
 *   when there is a prefix); a `truncated` answer is completed by walking
 *   the subtrees one level at a time. A page's version is its blob sha.
 * - `read` fetches `GET /repos/{owner}/{repo}/git/blobs/{sha}` (base64 JSON);
 *   after {@linkcode GitHubSource.preferArchive} (a first sync, `--full`),
 *   pages come from one archive of the commit instead (`_github_tarball.ts`),
 *   each checked against its blob sha; a page the archive lacks, or an
 *   archive that cannot be fetched, falls back to the blob.
 * - Conditional requests: the ref and tree answers are kept with their ETag
 *   (in memory, and in a JSON file when given) and asked for again with
 *   `If-None-Match`; a 304 serves the kept body and costs no rate limit.
 * - Rate limits: a 403 or 429 with `Retry-After` waits that long; with
 *   `X-RateLimit-Remaining: 0` it waits until `X-RateLimit-Reset` plus one
 *   second; a secondary limit without either waits a minute. Other requests
 *   of the source wait too. Waiting uses an injectable clock and sleep.
 * - 5xx answers, network failures and timeouts (30 s per request) are
 *   retried with the kernel's {@linkcode retry} (full-jitter backoff).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { PermanentError } from "../../../lib/async/retry.ts";
import { compareKeys } from "../../../lib/objects/mod.ts";
import type { PageRef, PageSource } from "../model.ts";
import { decodePage } from "../page_bytes.ts";
import { VERSION } from "../../../kernel/version.ts";
import { fetchArchive, gitBlobSha } from "./_github_tarball.ts";
import { EtagCache } from "./_etag_cache.ts";
import { type Ask, GitHubHttp } from "./_github_http.ts";
import { DEFAULT_GITHUB_URL } from "./defaults.ts";
import { isPagePath, normalizePrefix } from "./paths.ts";
import { SourceError } from "./source_error.ts";

export { type RateLimitWait, rateLimitWait } from "./_github_http.ts";
export type { GitHubSourceOptions, GitHubWaitEvent } from "./github_options.ts";
import type { GitHubSourceOptions } from "./github_options.ts";

const JSON_MEDIA = "application/vnd.github+json";
const SHA_MEDIA = "application/vnd.github.sha";
const SHA1 = /^[0-9a-f]{40}$/;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const REPO = /^[A-Za-z0-9._-]+$/;

/**
 * The pages of a GitHub repository at one commit.
 *
 * @example Sync from a public repository (needs the network)
 * ```ts ignore
 * import { GitHubSource } from "./github.ts";
 * const source = await GitHubSource.open({
 *   owner: "logseq",
 *   repo: "docs",
 *   prefix: "pages/",
 *   token: Deno.env.get("GITHUB_TOKEN"),
 *   onWait: (e) => console.error(`waiting ${e.waitMs} ms (${e.reason})`),
 * });
 * for await (const page of source.list()) {
 *   console.log(page.path, page.version, (await source.read(page)).length);
 * }
 * await source.close();
 * ```
 */
export class GitHubSource implements PageSource {
  /** `"github"`. */
  readonly kind = "github";
  /** `github:<owner>/<repo>@<ref>`, then `:<prefix>/` when there is a prefix. */
  readonly location: string;
  /** The repository's owner. */
  readonly owner: string;
  /** The repository's name. */
  readonly repo: string;
  /** The normalized prefix (no slash at either end), `""` for the whole tree. */
  readonly prefix: string;
  #commit = "";
  #options: GitHubSourceOptions;
  #repoPath: string;
  #etags = new EtagCache();
  #http: GitHubHttp;
  #closed = false;
  #archive: Promise<Map<string, Uint8Array>> | undefined;

  private constructor(options: GitHubSourceOptions) {
    const { owner, repo, token } = options;
    this.owner = owner;
    this.repo = repo;
    this.prefix = normalizePrefix(options.prefix);
    const ref = options.ref ?? "HEAD";
    this.location = `github:${owner}/${repo}@${ref}${this.prefix ? `:${this.prefix}/` : ""}`;
    const refuse = (why: string, value: string) => {
      throw new SourceError(
        this.location,
        `Cannot open the GitHub source as ${why}: current value is ${JSON.stringify(value)}`,
      );
    };
    if (!OWNER.test(owner)) refuse("the owner is not a GitHub user or organization name", owner);
    if (!REPO.test(repo)) refuse("the repository is not a GitHub repository name", repo);
    if (options.ref !== undefined && !/^[^\s:\-\0][^\s:\0]*$/.test(options.ref)) {
      refuse("the ref is not a valid name", options.ref);
    }
    const base = options.baseUrl ?? DEFAULT_GITHUB_URL;
    if (!/^https?:\/\//.test(base) || !URL.canParse(base)) {
      refuse("baseUrl is not an http(s) URL", base);
    }
    if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
      // The value is a secret: never quote it.
      throw new SourceError(
        this.location,
        "Cannot use the GitHub token as it is empty or holds characters an HTTP header cannot carry",
      );
    }
    this.#options = options;
    this.#repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    this.#http = new GitHubHttp(options, this.location, this.#etags);
  }

  /** The commit the ref resolved to when the source opened. */
  get commit(): string {
    return this.#commit;
  }

  /**
   * Opens a repository: loads the ETag file, then resolves the ref (or the
   * default branch) to a commit.
   *
   * @param options The repository, ref, prefix, token and HTTP settings.
   * @param signal Stops the requests and any wait.
   * @returns The open source; call `close()` when done.
   * @throws {SourceError} When the repository or ref is not found (404, 422),
   *   the token is missing or invalid (401), access is forbidden (403), the
   *   repository is empty (409), or an option is invalid.
   * @throws {RetryError} When every attempt failed with a 5xx, a network failure or a timeout.
   * @throws {PermanentError} When a rate-limit wait would be longer than `maxRateLimitWaitMs`.
   */
  static async open(options: GitHubSourceOptions, signal?: AbortSignal): Promise<GitHubSource> {
    const source = new GitHubSource(options);
    if (options.etagFile) await source.#etags.load(options.etagFile);
    let ref = options.ref;
    if (ref === undefined) {
      const body = await source.#http.get(source.#repoPath, {
        accept: JSON_MEDIA,
        cache: true,
        level: "source",
        what: "the repository",
      }, signal);
      ref = source.#json<{ default_branch?: string }>(body, "the repository", "source")
        .default_branch;
      if (!ref) source.#malformed("the repository", "source");
    }
    const ask: Ask = { accept: SHA_MEDIA, cache: true, level: "source", what: "the ref" };
    const path = `${source.#repoPath}/commits/${ref!.split("/").map(encodeURIComponent).join("/")}`;
    const sha = (await source.#http.get(path, ask, signal)).trim();
    if (!SHA1.test(sha)) source.#malformed("the ref", "source");
    source.#commit = sha;
    return source;
  }

  /**
   * Lists the page blobs under the prefix at the commit, sorted by path
   * (UTF-8 byte order). Symbolic links and submodules are not pages.
   *
   * @param signal Stops the requests and any wait; it then rejects with the signal's reason.
   * @returns The pages, each with its blob sha as version.
   * @throws {SourceError} When GitHub refuses the listing (401, 403, 404).
   * @throws {RetryError} When every attempt failed with a 5xx, a network failure or a timeout.
   * @throws {Error} When the source is closed.
   */
  async *list(signal?: AbortSignal): AsyncGenerator<PageRef> {
    this.#checkOpen("list the pages");
    signal?.throwIfAborted();
    let tree = this.#commit;
    let base = "";
    for (const segment of this.prefix ? this.prefix.split("/") : []) {
      const entries = (await this.#tree(tree, false, signal)).tree;
      const next = entries.find((e) => e.path === segment && e.type === "tree");
      if (!next) return; // No such folder: no pages.
      tree = next.sha;
      base = base ? `${base}/${segment}` : segment;
    }
    const pages: PageRef[] = [];
    const listing = await this.#tree(tree, true, signal);
    if (listing.truncated) await this.#walk(tree, base, pages, signal);
    else collect(listing.tree, base, pages);
    pages.sort((a, b) => compareKeys(a.path, b.path));
    yield* pages;
  }

  /**
   * Asks for every page at once: the archive of the commit is fetched now
   * (one request), and `read` serves pages from it. For a first sync or
   * `--full`, when every page is read anyway.
   */
  preferArchive(): void {
    this.#archive ??= fetchArchive({
      baseUrl: this.#options.baseUrl ?? DEFAULT_GITHUB_URL,
      repoPath: this.#repoPath,
      commit: this.#commit,
      token: this.#options.token,
      fetch: this.#options.fetch ?? fetch,
      userAgent: this.#options.userAgent ?? `weir/${VERSION}`,
      // Decompressed, under the listing cap; a larger archive is read blob by blob instead.
      maxBytes: this.#options.maxListingBytes ?? 64 << 20,
    }).catch(() => new Map()); // Then each page is read from its blob.
  }

  /**
   * Reads a page's blob.
   *
   * @param ref The page, as `list` yielded it (its version is the blob sha).
   * @param signal Stops the request and any wait; it then rejects with the signal's reason.
   * @returns The page's text, exactly as stored (UTF-8).
   * @throws {PermanentError} When the blob is not found (404) or the version is not a blob sha.
   * @throws {SourceError} When the token is missing or invalid (401) or access is forbidden (403).
   * @throws {RetryError} When every attempt failed with a 5xx, a network failure or a timeout.
   * @throws {Error} When the source is closed.
   */
  async read(ref: PageRef, signal?: AbortSignal): Promise<string> {
    this.#checkOpen("read the page");
    signal?.throwIfAborted();
    if (!SHA1.test(ref.version)) {
      throw new PermanentError(
        `Cannot read the page as its version is not a blob sha: current value is ${
          JSON.stringify(ref.version)
        }`,
      );
    }
    const archived = (await this.#archive)?.get(ref.path);
    if (archived) {
      this.#archive!.then((pages) => pages.delete(ref.path)); // Read once: free it.
      if (gitBlobSha(archived) === ref.version) return decodePage(archived);
    }
    const what = `the page ${JSON.stringify(ref.path)}`;
    const body = await this.#http.get(`${this.#repoPath}/git/blobs/${ref.version}`, {
      accept: JSON_MEDIA,
      cache: false,
      level: "page",
      what,
    }, signal);
    const blob = this.#json<{ content?: string; encoding?: string }>(body, what, "page");
    if (typeof blob.content !== "string") this.#malformed(what, "page");
    if (blob.encoding === "base64") return decodePage(Buffer.from(blob.content!, "base64"));
    return blob.content!;
  }

  /**
   * Writes the ETag file (when one was given) with the answers used by this
   * run. Later calls to `list` and `read` throw; closing twice is harmless.
   *
   * @returns When the file is written.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const file = this.#options.etagFile;
    if (file) await this.#etags.save(file);
  }

  #checkOpen(what: string): void {
    if (this.#closed) {
      throw new Error(
        `Cannot ${what} as the source is closed: current value is "${this.location}"`,
      );
    }
  }

  #tree(sha: string, recursive: boolean, signal?: AbortSignal): Promise<TreeAnswer> {
    const path = `${this.#repoPath}/git/trees/${sha}${recursive ? "?recursive=1" : ""}`;
    const ask: Ask = { accept: JSON_MEDIA, cache: true, level: "source", what: "the tree" };
    return this.#http.get(path, ask, signal).then((body) => {
      const tree = this.#json<TreeAnswer>(body, "the tree", "source");
      if (!Array.isArray(tree.tree)) this.#malformed("the tree", "source");
      return tree;
    });
  }

  /**
   * Lists a truncated tree one level at a time. A subtree that is one of its
   * own ancestors (which git cannot hold, but a hostile server can answer)
   * fails the source rather than walking for ever.
   */
  async #walk(
    sha: string,
    base: string,
    out: PageRef[],
    signal?: AbortSignal,
    ancestors: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    if (ancestors.has(sha)) {
      throw new SourceError(
        this.location,
        `Cannot list the pages as the tree at ${JSON.stringify(base)} contains itself ` +
          `(a cycle through tree ${sha}): current value is ${JSON.stringify(this.location)}`,
      );
    }
    const within = new Set(ancestors).add(sha);
    const { tree } = await this.#tree(sha, false, signal);
    collect(tree, base, out);
    for (const entry of tree) {
      if (entry.type !== "tree") continue;
      await this.#walk(entry.sha, base ? `${base}/${entry.path}` : entry.path, out, signal, within);
    }
  }

  #json<T>(body: string, what: string, level: Ask["level"]): T {
    try {
      return JSON.parse(body) as T;
    } catch {
      return this.#malformed(what, level);
    }
  }

  #malformed(what: string, level: Ask["level"]): never {
    const text = `Cannot read ${what} from GitHub as its answer is not in the documented shape: ` +
      `current value is ${JSON.stringify(this.location)}`;
    throw level === "source" ? new SourceError(this.location, text) : new PermanentError(text);
  }
}

interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
}

interface TreeAnswer {
  sha: string;
  tree: TreeEntry[];
  truncated: boolean;
}

/** Adds a tree's page blobs (not links: mode 120000) to `out`, under `base`. */
function collect(entries: readonly TreeEntry[], base: string, out: PageRef[]): void {
  for (const entry of entries) {
    if (entry.type !== "blob" || entry.mode === "120000" || !isPagePath(entry.path)) continue;
    out.push({ path: base ? `${base}/${entry.path}` : entry.path, version: entry.sha });
  }
}
