/**
 * The options of the GitHub source, shared by the source and its HTTP layer.
 *
 * @module
 */
/** Options of `GitHubSource.open`. */
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
  /**
   * The largest answer for one page (a blob), in bytes; a larger one fails that page.
   *
   * @default {16_777_216 (16 MiB)}
   */
  maxPageBytes?: number;
  /**
   * The largest answer for the repository, the ref or a tree, in bytes; a larger one fails the source.
   *
   * @default {67_108_864 (64 MiB)}
   */
  maxListingBytes?: number;
  /**
   * The most requests one source (one sync) sends; one more fails the source.
   *
   * @default {100_000}
   */
  maxRequests?: number;
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

/** Why and how long a `GitHubSource` waits. */
export interface GitHubWaitEvent {
  /** `retry_after`, `rate_limit` or `secondary_rate_limit`; `backoff` before a retry. */
  reason: RateLimitWait["reason"] | "backoff";
  /** How long it waits, in milliseconds. */
  waitMs: number;
  /** The request's path, e.g. `/repos/octo/graph/git/trees/<sha>`. */
  path: string;
}

/** What `rateLimitWait` decides. */
export interface RateLimitWait {
  /** Which rule applied. */
  reason: "retry_after" | "rate_limit" | "secondary_rate_limit";
  /** How long to wait before asking again, in milliseconds. */
  waitMs: number;
}
