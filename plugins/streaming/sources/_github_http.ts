/**
 * The HTTP layer of a GitHub source (private to `sources/`): one GET at a
 * time, with the API's headers, conditional requests from the
 * {@linkcode EtagCache}, rate-limit waits shared by every request of the
 * source, a timeout per request, retries with the kernel's
 * {@linkcode retry}, and GitHub's answers turned into the source's errors.
 *
 * @module
 */
import {
  delay,
  isRetryable,
  PermanentError,
  retry,
  RetryableError,
} from "../../../lib/async/retry.ts";
import { VERSION } from "../../../kernel/version.ts";
import type { EtagCache } from "./_etag_cache.ts";
import type { GitHubSourceOptions, RateLimitWait } from "./github_options.ts";

export type { RateLimitWait } from "./github_options.ts";
import { DEFAULT_GITHUB_URL } from "./defaults.ts";
import { BodyTooLargeError, readBoundedText } from "../../../lib/http/bounded_body.ts";
import { SourceError } from "./source_error.ts";

/** What one GET is for: how to ask, whether to keep its ETag, how to word a failure. */
export interface Ask {
  /** The `Accept` header. */
  accept: string;
  /** Keep the answer with its ETag and ask conditionally next time. */
  cache: boolean;
  /** A failure fails the whole source (`SourceError`) or one page (`PermanentError`). */
  level: "source" | "page";
  /** What is read, for messages: `the tree`, `the page "pages/a.md"`. */
  what: string;
}

/** How large an answer may be, and the error when it is larger (a page's or the source's). */
interface BodyCap {
  max: number;
  fail: (error: BodyTooLargeError) => Error;
}

const API_VERSION = "2022-11-28";
const SECONDARY_WAIT_MS = 60_000;

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

/**
 * The GETs of one GitHub source. A rate limit met by one request makes every
 * other request of the source wait too.
 */
export class GitHubHttp {
  #options: GitHubSourceOptions;
  #location: string;
  #owner: string;
  #repo: string;
  #ref: string;
  #base: string;
  #fetch: typeof fetch;
  #now: () => number;
  #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #etags: EtagCache;
  #blockedUntil = 0;
  #requests = 0;

  /**
   * Prepares the requests of a source; nothing is sent yet.
   *
   * @param options The source's options (already checked): repository, token and HTTP settings.
   * @param location The source's location, for errors.
   * @param etags Where answers asked with `cache: true` are kept.
   */
  constructor(options: GitHubSourceOptions, location: string, etags: EtagCache) {
    this.#options = options;
    this.#location = location;
    this.#owner = options.owner;
    this.#repo = options.repo;
    this.#ref = options.ref ?? "HEAD";
    this.#base = (options.baseUrl ?? DEFAULT_GITHUB_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? delay;
    this.#etags = etags;
  }

  /**
   * One GET, retried on 5xx, network failures and timeouts; rate limits are
   * waited out inside an attempt.
   *
   * @param path The API path, e.g. `/repos/octo/graph/git/trees/<sha>`.
   * @param ask How to ask and how to word a failure.
   * @param signal Stops the request and any wait; it then rejects with the signal's reason.
   * @returns The answer's body (the kept one on a 304).
   * @throws {SourceError} When GitHub refuses a source-level request, or any request with 401 or 403.
   * @throws {PermanentError} When GitHub refuses a page, or a rate-limit wait is over the limits.
   * @throws {RetryError} When every attempt failed with a 5xx, a network failure or a timeout.
   */
  get(path: string, ask: Ask, signal?: AbortSignal): Promise<string> {
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
      const answer = await this.#send(url, path, headers, this.#cap(path, ask), signal);
      if (answer.status === 304 && kept) {
        this.#etags.reuse(url);
        return kept.body;
      }
      if (answer.status >= 200 && answer.status < 300) {
        const etag = answer.headers.get("etag");
        if (ask.cache && etag) this.#etags.keep(url, { etag, body: answer.body });
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

  /**
   * Counts a request against `maxRequests` and says how large its answer may
   * be: a cap per page, a larger one for the repository, the ref and trees.
   */
  #cap(path: string, ask: Ask): BodyCap {
    const { maxRequests = 100_000, maxPageBytes = 16 << 20, maxListingBytes = 64 << 20 } =
      this.#options;
    if (++this.#requests > maxRequests) {
      throw new SourceError(
        this.#location,
        `Cannot read ${ask.what} from GitHub as this source has sent its ${maxRequests} requests ` +
          `(maxRequests): GET ${path}`,
      );
    }
    if (ask.level === "page") {
      return { max: maxPageBytes, fail: (e) => new PermanentError(e.message, { cause: e }) };
    }
    const fail = (e: Error) => new SourceError(this.#location, e.message, { cause: e });
    return { max: maxListingBytes, fail };
  }

  /** Sends one GET with a timeout that covers the body, and a cap on the body's size. */
  async #send(
    url: string,
    path: string,
    headers: Headers,
    cap: BodyCap,
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
      const body = await readBoundedText(response, cap.max, `the answer to GET ${path}`);
      return { status: response.status, headers: response.headers, body };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof BodyTooLargeError) throw cap.fail(err);
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
    const repo = JSON.stringify(`${this.#owner}/${this.#repo}`);
    const detail = message ? `${status} ${JSON.stringify(message)}` : `${status}`;
    const at = JSON.stringify(`${this.#owner}/${this.#repo}@${this.#ref}`);
    const fail = (text: string) =>
      ask.level === "source" ? new SourceError(this.#location, text) : new PermanentError(text);
    switch (status) {
      case 401:
        return new SourceError(
          this.#location,
          `Cannot read ${repo} from GitHub as the token is missing or invalid (${detail}): ` +
            "set GITHUB_TOKEN to a token that can read the repository",
        );
      case 403:
        return new SourceError(
          this.#location,
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
          this.#location,
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
            this.#location,
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
