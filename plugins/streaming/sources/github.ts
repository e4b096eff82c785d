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
 * - `read` fetches `GET /repos/{owner}/{repo}/git/blobs/{sha}` (base64 JSON).
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
import { dirname } from "node:path";
import {
  delay,
  isRetryable,
  PermanentError,
  retry,
  RetryableError,
} from "../../../kernel/retry.ts";
import { compareKeys } from "../../../kernel/stores/objects.ts";
import { VERSION } from "../../../kernel/version.ts";
import type { PageRef, PageSource } from "../model.ts";
import { DEFAULT_GITHUB_URL, isPagePath, normalizePrefix, SourceError } from "./mod.ts";

/** Options of {@linkcode GitHubSource.open}. */
export interface GitHubSourceOptions {
  /** The repository's owner (user or organization). */
  owner: string;
  /** The repository's name. */
  repo: string;
  /**
   * A branch, tag or commit sha.
   *
   * @default {the repository's default branch}
   */
  ref?: string;
  /**
   * The folder inside the repository whose pages are listed; page paths keep it.
   *
   * @default {"" (the whole tree)}
   */
  prefix?: string;
  /** A token sent as `Authorization: Bearer`; the caller reads it from `GITHUB_TOKEN`. */
  token?: string;
  /**
   * The API's address (GitHub Enterprise: `https://host/api/v3`).
   *
   * @default {"https://api.github.com"}
   */
  baseUrl?: string;
  /**
   * The fetch function; inject one in tests.
   *
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * The clock, in epoch milliseconds, for rate-limit waits.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Waits `ms`, or rejects with the signal's reason as soon as it aborts; used
   * for rate-limit waits. Inject one in tests.
   *
   * @default {a timer}
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Attempts per request for 5xx answers, network failures and timeouts.
   *
   * @default {4}
   */
  maxAttempts?: number;
  /**
   * The cap of the first backoff wait; it doubles per attempt (kernel `retry`).
   *
   * @default {1000}
   */
  baseDelayMs?: number;
  /**
   * The largest backoff wait.
   *
   * @default {30_000}
   */
  maxDelayMs?: number;
  /**
   * Numbers in `[0, 1)` for the backoff's jitter; inject a fixed one in tests.
   *
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * How long one request may take, body included, before it is abandoned and retried.
   *
   * @default {30_000}
   */
  timeoutMs?: number;
  /**
   * The longest rate-limit wait accepted; a longer one fails the request.
   *
   * @default {3_900_000 (65 minutes: the primary limit's window and a margin)}
   */
  maxRateLimitWaitMs?: number;
  /**
   * Rate-limit waits accepted per request before it fails.
   *
   * @default {5}
   */
  maxRateLimitWaits?: number;
  /** A JSON file that keeps ETags between runs (read on open, written on close). */
  etagFile?: string;
  /**
   * The `User-Agent` header, which GitHub requires.
   *
   * @default {"weir/<version>"}
   */
  userAgent?: string;
  /** Told before each wait (rate limit or backoff), for example to log it. */
  onWait?: (event: GitHubWaitEvent) => void;
}

/** Why and how long a {@linkcode GitHubSource} waits. */
export interface GitHubWaitEvent {
  /** `retry_after`, `rate_limit` or `secondary_rate_limit`; `backoff` before a retry. */
  reason: RateLimitWait["reason"] | "backoff";
  /** How long it waits, in milliseconds. */
  waitMs: number;
  /** The request's path, e.g. `/repos/octo/graph/git/trees/<sha>`. */
  path: string;
}

/** What {@linkcode rateLimitWait} decides. */
export interface RateLimitWait {
  /** Which rule applied. */
  reason: "retry_after" | "rate_limit" | "secondary_rate_limit";
  /** How long to wait before asking again, in milliseconds. */
  waitMs: number;
}

const API_VERSION = "2022-11-28";
const JSON_MEDIA = "application/vnd.github+json";
const SHA_MEDIA = "application/vnd.github.sha";
const SHA1 = /^[0-9a-f]{40}$/;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const REPO = /^[A-Za-z0-9._-]+$/;
const SECONDARY_WAIT_MS = 60_000;

/** UTF-8, keeping a byte-order mark: the text is exactly what is stored. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * How long to wait before asking GitHub again after a 403 or 429, following
 * GitHub's rules: `Retry-After` (seconds or an HTTP date) first; else, when
 * `X-RateLimit-Remaining` is `0`, until `X-RateLimit-Reset` (epoch seconds)
 * plus one second; else, for a 429 or a "secondary rate limit" message, one
 * minute. Any other answer is not a rate limit.
 *
 * @param status The HTTP status.
 * @param headers The answer's headers.
 * @param message The answer's `message`, `""` when none.
 * @param now The current time, in epoch milliseconds.
 * @returns The wait, or undefined when the answer is not a rate limit.
 *
 * @example Wait until the reset, plus a second
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimitWait } from "./github.ts";
 * const headers = new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000030" });
 * const wait = rateLimitWait(403, headers, "API rate limit exceeded", 1_700_000_000_000);
 * assert.deepEqual(wait, { reason: "rate_limit", waitMs: 31_000 });
 * ```
 */
export function rateLimitWait(
  status: number,
  headers: Headers,
  message: string,
  now: number,
): RateLimitWait | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) {
      return { reason: "retry_after", waitMs: seconds * 1000 };
    }
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return { reason: "retry_after", waitMs: Math.max(0, date - now) };
  }
  if (headers.get("x-ratelimit-remaining")?.trim() === "0") {
    const reset = Number(headers.get("x-ratelimit-reset") ?? NaN);
    const waitMs = Number.isFinite(reset)
      ? Math.max(0, reset * 1000 - now) + 1000
      : SECONDARY_WAIT_MS;
    return { reason: "rate_limit", waitMs };
  }
  if (status === 429 || /secondary rate limit|abuse detection/i.test(message)) {
    return { reason: "secondary_rate_limit", waitMs: SECONDARY_WAIT_MS };
  }
  return undefined;
}

/** What one GET is for: how to ask, whether to keep its ETag, how to word a failure. */
interface Ask {
  accept: string;
  /** Keep the answer with its ETag and ask conditionally next time. */
  cache: boolean;
  /** A failure fails the whole source (`SourceError`) or one page (`PermanentError`). */
  level: "source" | "page";
  /** What is read, for messages: `the tree`, `the page "pages/a.md"`. */
  what: string;
}

interface EtagEntry {
  etag: string;
  body: string;
}

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
  #ref: string;
  #options: GitHubSourceOptions;
  #base: string;
  #repoPath: string;
  #fetch: typeof fetch;
  #now: () => number;
  #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #etags = new Map<string, EtagEntry>();
  #used = new Set<string>();
  #etagsChanged = false;
  #blockedUntil = 0;
  #closed = false;

  private constructor(options: GitHubSourceOptions) {
    const { owner, repo, token } = options;
    this.owner = owner;
    this.repo = repo;
    this.prefix = normalizePrefix(options.prefix);
    this.#ref = options.ref ?? "HEAD";
    this.location = `github:${owner}/${repo}@${this.#ref}${this.prefix ? `:${this.prefix}/` : ""}`;
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
    this.#base = base.replace(/\/+$/, "");
    this.#repoPath = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? delay;
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
    await source.#loadEtags();
    let ref = options.ref;
    if (ref === undefined) {
      const body = await source.#get(source.#repoPath, {
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
    const sha = (await source.#get(path, ask, signal)).trim();
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
    const what = `the page ${JSON.stringify(ref.path)}`;
    const body = await this.#get(`${this.#repoPath}/git/blobs/${ref.version}`, {
      accept: JSON_MEDIA,
      cache: false,
      level: "page",
      what,
    }, signal);
    const blob = this.#json<{ content?: string; encoding?: string }>(body, what, "page");
    if (typeof blob.content !== "string") this.#malformed(what, "page");
    if (blob.encoding === "base64") return utf8.decode(Buffer.from(blob.content!, "base64"));
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
    if (!file || !this.#etagsChanged) return;
    const entries = Object.fromEntries(
      [...this.#used].sort().map((url) => [url, this.#etags.get(url)!]),
    );
    await Deno.mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.tmp-${crypto.randomUUID()}`;
    try {
      await Deno.writeTextFile(temporary, JSON.stringify({ version: 1, entries }) + "\n");
      await Deno.rename(temporary, file);
    } finally {
      await Deno.remove(temporary).catch(() => {});
    }
  }

  #checkOpen(what: string): void {
    if (this.#closed) {
      throw new Error(
        `Cannot ${what} as the source is closed: current value is "${this.location}"`,
      );
    }
  }

  async #loadEtags(): Promise<void> {
    const file = this.#options.etagFile;
    if (!file) return;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    try {
      const data = JSON.parse(text) as { version?: number; entries?: Record<string, EtagEntry> };
      for (const [url, entry] of Object.entries(data.entries ?? {})) {
        if (typeof entry?.etag === "string" && typeof entry.body === "string") {
          this.#etags.set(url, entry);
        }
      }
    } catch {
      // A damaged cache is only a cache: start afresh, and rewrite it on close.
      this.#etagsChanged = true;
    }
  }

  #tree(sha: string, recursive: boolean, signal?: AbortSignal): Promise<TreeAnswer> {
    const path = `${this.#repoPath}/git/trees/${sha}${recursive ? "?recursive=1" : ""}`;
    const ask: Ask = { accept: JSON_MEDIA, cache: true, level: "source", what: "the tree" };
    return this.#get(path, ask, signal).then((body) => {
      const tree = this.#json<TreeAnswer>(body, "the tree", "source");
      if (!Array.isArray(tree.tree)) this.#malformed("the tree", "source");
      return tree;
    });
  }

  /** Lists a truncated tree one level at a time. */
  async #walk(sha: string, base: string, out: PageRef[], signal?: AbortSignal): Promise<void> {
    const { tree } = await this.#tree(sha, false, signal);
    collect(tree, base, out);
    for (const entry of tree) {
      if (entry.type !== "tree") continue;
      await this.#walk(entry.sha, base ? `${base}/${entry.path}` : entry.path, out, signal);
    }
  }

  /** One GET, retried on 5xx, network failures and timeouts; rate limits are waited out inside an attempt. */
  #get(path: string, ask: Ask, signal?: AbortSignal): Promise<string> {
    const { maxAttempts = 4, baseDelayMs = 1000, maxDelayMs = 30_000, random } = this.#options;
    return retry((_attempt, attemptSignal) => this.#attempt(path, ask, attemptSignal), {
      maxAttempts,
      baseDelayMs,
      maxDelayMs,
      random,
      signal,
      onRetry: ({ delayMs }) =>
        this.#options.onWait?.({ reason: "backoff", waitMs: delayMs, path }),
    });
  }

  async #attempt(path: string, ask: Ask, signal?: AbortSignal): Promise<string> {
    const { maxRateLimitWaits = 5, maxRateLimitWaitMs = 3_900_000 } = this.#options;
    const url = this.#base + path;
    for (let waits = 0;; waits++) {
      const blocked = this.#blockedUntil - this.#now();
      if (blocked > 0) await this.#sleep(blocked, signal); // Another request hit the limit.
      const kept = ask.cache ? this.#etags.get(url) : undefined;
      const headers = new Headers({
        "Accept": ask.accept,
        "User-Agent": this.#options.userAgent ?? `weir/${VERSION}`,
        "X-GitHub-Api-Version": API_VERSION,
      });
      if (this.#options.token) headers.set("Authorization", `Bearer ${this.#options.token}`);
      if (kept) headers.set("If-None-Match", kept.etag);
      const answer = await this.#send(url, path, headers, signal);
      if (answer.status === 304 && kept) {
        this.#used.add(url);
        return kept.body;
      }
      if (answer.status >= 200 && answer.status < 300) {
        const etag = answer.headers.get("etag");
        if (ask.cache && etag) {
          this.#etags.set(url, { etag, body: answer.body });
          this.#used.add(url);
          this.#etagsChanged = true;
        }
        return answer.body;
      }
      const message = messageOf(answer.body);
      const wait = rateLimitWait(answer.status, answer.headers, message, this.#now());
      if (!wait) throw this.#failure(answer.status, message, path, ask);
      if (waits >= maxRateLimitWaits || wait.waitMs > maxRateLimitWaitMs) {
        throw new PermanentError(
          `Cannot read ${ask.what} from GitHub as it is still rate-limited (${answer.status}, ` +
            `next wait ${wait.waitMs} ms after ${waits} waits; limits: ${maxRateLimitWaits} waits ` +
            `of at most ${maxRateLimitWaitMs} ms): GET ${path}`,
        );
      }
      this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + wait.waitMs);
      this.#options.onWait?.({ ...wait, path });
      await this.#sleep(wait.waitMs, signal);
    }
  }

  /** Sends one GET with a timeout that covers the body. */
  async #send(
    url: string,
    path: string,
    headers: Headers,
    signal?: AbortSignal,
  ): Promise<{ status: number; headers: Headers; body: string }> {
    const { timeoutMs = 30_000 } = this.#options;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new DOMException("The request timed out", "TimeoutError")),
      timeoutMs,
    );
    try {
      const response = await this.#fetch(url, { headers, signal: controller.signal });
      return { status: response.status, headers: response.headers, body: await response.text() };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted) {
        throw new RetryableError(
          `Cannot reach GitHub as the request timed out after ${timeoutMs} ms: GET ${path}`,
          { cause: err },
        );
      }
      if (isRetryable(err)) {
        throw new RetryableError(`Cannot reach GitHub as the connection failed: GET ${path}`, {
          cause: err,
        });
      }
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The error for an answer that is neither a success nor a rate limit. */
  #failure(status: number, message: string, path: string, ask: Ask): Error {
    const repo = JSON.stringify(`${this.owner}/${this.repo}`);
    const detail = message ? `${status} ${JSON.stringify(message)}` : `${status}`;
    const at = JSON.stringify(`${this.owner}/${this.repo}@${this.#ref}`);
    const fail = (text: string) =>
      ask.level === "source" ? new SourceError(this.location, text) : new PermanentError(text);
    switch (status) {
      case 401:
        return new SourceError(
          this.location,
          `Cannot read ${repo} from GitHub as the token is missing or invalid (${detail}): ` +
            "set GITHUB_TOKEN to a token that can read the repository",
        );
      case 403:
        return new SourceError(
          this.location,
          `Cannot read ${repo} from GitHub as access is forbidden (${detail}): ` +
            "check that the token can read the repository",
        );
      case 404:
        if (ask.level === "page") {
          return new PermanentError(
            `Cannot read ${ask.what} from GitHub as its blob is not in ${at} (${detail}): GET ${path}`,
          );
        }
        return new SourceError(
          this.location,
          `Cannot open the GitHub source as the repository, ref or tree was not found (${detail}): ` +
            `current value is ${at}${
              this.#options.token ? "" : " (a private repository needs GITHUB_TOKEN)"
            }`,
        );
      case 409:
        return fail(
          `Cannot read ${ask.what} from GitHub as the repository is empty (${detail}): ` +
            `current value is ${repo}`,
        );
      case 422:
        if (ask.what === "the ref") {
          return new SourceError(
            this.location,
            `Cannot open the GitHub source as the ref does not name a commit in ${repo} (${detail}): ` +
              `current value is ${JSON.stringify(this.#ref)}`,
          );
        }
    }
    if (status === 408 || status === 429 || status >= 500) {
      return new RetryableError(
        `Cannot read ${ask.what} from GitHub as the server answered ${detail}: GET ${path}`,
      );
    }
    return fail(`Cannot read ${ask.what} from GitHub as it answered ${detail}: GET ${path}`);
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

/** The `message` of a GitHub error answer, shortened; `""` when there is none. */
function messageOf(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === "string" ? message.slice(0, 200) : "";
  } catch {
    return "";
  }
}
