/**
 * A local HTTP server that answers like the GitHub REST API, for tests of the
 * GitHub page source: `Deno.serve` on `127.0.0.1` with port 0 (a free port),
 * serving an in-memory repository given as `{ path: content }`.
 *
 * It answers the documented shapes of the endpoints a source uses: the
 * repository, commits (JSON or the `application/vnd.github.sha` media type),
 * `git/ref`, `git/commits`, `git/trees` (recursive, and truncated after
 * `truncateAt` entries), `git/blobs` (base64 JSON, or raw bytes), `tarball`
 * (the commit's files as a gzipped tar, answered directly rather than
 * through GitHub's redirect to codeload). Object ids
 * are real git ids (a blob's sha is `git hash-object`'s), so the same files
 * give the same versions as a git repository. Every 200 answer carries an
 * ETag, and a matching `If-None-Match` gets a 304. Every answer carries the
 * `X-RateLimit-*` headers.
 *
 * Failures are scripted per request ({@linkcode FakeGitHub.script}) with
 * {@linkcode answers}: rate limits, `Retry-After`, 5xx, a hang (for
 * timeouts), a slow answer, 404, 401. Every request is recorded with its
 * headers and the status it got.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { tarball } from "./fake_tarball.ts";

/** A file of the fake repository: text, bytes, or a symbolic link. */
export type FakeFile = string | Uint8Array | { symlink: string };

/** Options of {@linkcode startFakeGitHub}. */
export interface FakeGitHubOptions {
  /**
   * The repository's owner.
   *
   * @default {"octo"}
   */
  owner?: string;
  /**
   * The repository's name.
   *
   * @default {"graph"}
   */
  repo?: string;
  /**
   * The default branch, which holds the first commit.
   *
   * @default {"main"}
   */
  branch?: string;
  /** The first commit's files; no commit (an empty repository) when absent. */
  files?: Record<string, FakeFile>;
  /** When set, a request with any other `Authorization` gets 401 "Bad credentials". */
  token?: string;
  /** Answer 404 to requests without the token, as GitHub does for a private repository. */
  private?: boolean;
  /** Recursive tree answers hold at most this many entries, with `truncated: true`. */
  truncateAt?: number;
  /**
   * The clock for the `X-RateLimit-Reset` header, in epoch milliseconds.
   *
   * @default {Date.now}
   */
  now?: () => number;
}

/** One request the server received. */
export interface RecordedRequest {
  /** `GET`, ... */
  method: string;
  /** The URL's path, e.g. `/repos/octo/graph/git/trees/<sha>`. */
  path: string;
  /** The URL's query, `""` or `?recursive=1`. */
  search: string;
  /** The request headers, names in lower case. */
  headers: Record<string, string>;
  /** The status it was answered with (0 while in progress, or for a hang). */
  status: number;
}

/** A scripted answer: a status with headers and a JSON body, a hang, or a delay. */
export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { hang: true }
  | { delayMs: number };

const DOCS = "https://docs.github.com/rest";

function error(status: number, message: string, headers: Record<string, string> = {}) {
  return { status, headers, body: { message, documentation_url: DOCS, status: String(status) } };
}

/**
 * Ready-made scripted answers, in GitHub's documented shapes.
 *
 * @example Script a rate limit, then a server error
 * ```ts
 * import { answers, startFakeGitHub } from "./fake_github.ts";
 * const github = await startFakeGitHub({ files: { "a.md": "a" } });
 * github.script("/git/trees/", answers.rateLimited(1_700_000_030), answers.serverError(503));
 * await github.close();
 * ```
 */
export const answers = {
  /**
   * The primary rate limit: 403 with `X-RateLimit-Remaining: 0` and the reset time.
   *
   * @param resetEpochSeconds When the limit resets, in epoch seconds.
   * @param status 403 or 429.
   * @returns The answer.
   */
  rateLimited(resetEpochSeconds: number, status = 403): ScriptedAnswer {
    return error(status, "API rate limit exceeded for 127.0.0.1.", {
      "x-ratelimit-limit": "60",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-used": "60",
      "x-ratelimit-reset": String(resetEpochSeconds),
      "x-ratelimit-resource": "core",
    });
  },
  /**
   * A secondary rate limit with `Retry-After`.
   *
   * @param seconds The `Retry-After` value.
   * @param status 429 or 403.
   * @returns The answer.
   */
  retryAfter(seconds: number, status = 429): ScriptedAnswer {
    return error(status, "You have exceeded a secondary rate limit.", {
      "retry-after": String(seconds),
    });
  },
  /**
   * A secondary rate limit without any header: wait a minute.
   *
   * @returns The answer.
   */
  secondaryRateLimit(): ScriptedAnswer {
    return error(403, "You have exceeded a secondary rate limit. Please wait a few minutes.");
  },
  /**
   * A server error.
   *
   * @param status 500, 502, 503 or 504.
   * @returns The answer.
   */
  serverError(status = 500): ScriptedAnswer {
    const messages: Record<number, string> = {
      500: "Internal Server Error",
      502: "Bad Gateway",
      503: "Service Unavailable",
      504: "Gateway Timeout",
    };
    return error(status, messages[status] ?? "Server Error");
  },
  /**
   * 404 Not Found.
   *
   * @returns The answer.
   */
  notFound(): ScriptedAnswer {
    return error(404, "Not Found");
  },
  /**
   * 401 Bad credentials.
   *
   * @returns The answer.
   */
  unauthorized(): ScriptedAnswer {
    return error(401, "Bad credentials");
  },
  /**
   * Never answers, until the server closes (the client times out first).
   *
   * @returns The answer.
   */
  hang(): ScriptedAnswer {
    return { hang: true };
  },
  /**
   * Answers normally after a delay.
   *
   * @param delayMs The delay, in milliseconds.
   * @returns The answer.
   */
  slow(delayMs: number): ScriptedAnswer {
    return { delayMs };
  },
};

/**
 * The git object id of a blob, as `git hash-object` computes it.
 *
 * @param content The blob's content (text as UTF-8).
 * @returns 40 hex digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gitBlobSha } from "./fake_github.ts";
 * assert.ok(gitBlobSha("") === "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
 * ```
 */
export function gitBlobSha(content: string | Uint8Array): string {
  return gitObject("blob", bytesOf(content)).sha;
}

interface TreeItem {
  name: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
  size?: number;
}

interface Commit {
  tree: string;
  parent?: string;
  message: string;
  files: Map<string, FakeFile>;
}

/**
 * A running fake GitHub API. Make one with {@linkcode startFakeGitHub}.
 */
export class FakeGitHub {
  /** The server's base URL, `http://127.0.0.1:<port>`: pass it as `baseUrl`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The repository's owner. */
  readonly owner: string;
  /** The repository's name. */
  readonly repo: string;
  /** The default branch. */
  readonly defaultBranch: string;
  #options: FakeGitHubOptions;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #closing = new AbortController();
  #blobs = new Map<string, Uint8Array>();
  #trees = new Map<string, TreeItem[]>();
  #commits = new Map<string, Commit>();
  #refs = new Map<string, string>();
  #script: { match: string | RegExp; answer: ScriptedAnswer }[] = [];
  #remaining = 5000;

  /**
   * Starts the server; use {@linkcode startFakeGitHub}.
   *
   * @param options The repository and behaviour.
   */
  constructor(options: FakeGitHubOptions = {}) {
    this.#options = options;
    this.owner = options.owner ?? "octo";
    this.repo = options.repo ?? "graph";
    this.defaultBranch = options.branch ?? "main";
    if (options.files) this.commit(options.files, { replace: true });
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {}, signal: this.#closing.signal },
      (request) => this.#handle(request),
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /**
   * Adds a commit on a branch (created when new): the branch's files with
   * `changes` applied (`null` deletes a file), or exactly `changes` with
   * `replace`.
   *
   * @param changes Files to add, change (content) or delete (`null`).
   * @param options The branch (default: the default branch), a message, `replace`.
   * @returns The new commit's sha.
   */
  commit(
    changes: Record<string, FakeFile | null>,
    options: { branch?: string; message?: string; replace?: boolean } = {},
  ): string {
    const branch = options.branch ?? this.defaultBranch;
    const parent = this.#refs.get(`heads/${branch}`);
    const files = new Map(options.replace || !parent ? [] : this.#commits.get(parent)!.files);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    const tree = this.#writeTree(files);
    const message = options.message ?? `commit ${this.#commits.size + 1}`;
    const text = `tree ${tree}\n${parent ? `parent ${parent}\n` : ""}` +
      `author Fake <fake@example.com> ${1_700_000_000 + this.#commits.size} +0000\n` +
      `committer Fake <fake@example.com> ${
        1_700_000_000 + this.#commits.size
      } +0000\n\n${message}\n`;
    const { sha } = gitObject("commit", new TextEncoder().encode(text));
    this.#commits.set(sha, { tree, parent, message, files });
    this.#refs.set(`heads/${branch}`, sha);
    return sha;
  }

  /**
   * Points a tag at a commit.
   *
   * @param name The tag's name.
   * @param ref A branch, tag or commit sha; the default branch when absent.
   * @returns The commit's sha.
   */
  tag(name: string, ref = this.defaultBranch): string {
    const sha = this.#resolve(ref);
    if (!sha) {
      throw new RangeError(`Cannot tag as the ref does not exist: current value is "${ref}"`);
    }
    this.#refs.set(`tags/${name}`, sha);
    return sha;
  }

  /**
   * Queues scripted answers for the next requests whose path and query
   * contain `match` (or match it, for a RegExp), one request each, in order.
   *
   * @param match A substring or pattern of `path + search`.
   * @param scripted The answers, used once each.
   */
  script(match: string | RegExp, ...scripted: ScriptedAnswer[]): void {
    for (const answer of scripted) this.#script.push({ match, answer });
  }

  /**
   * The requests whose path and query contain `match`.
   *
   * @param match A substring or pattern of `path + search`.
   * @returns The matching requests, in order.
   */
  requestsTo(match: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => matches(match, r.path + r.search));
  }

  /**
   * Stops the server, ending any hanging answer.
   *
   * @returns When the server has stopped.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#server.finished;
  }

  #writeTree(files: Map<string, FakeFile>): string {
    const children = new Map<string, Map<string, FakeFile>>();
    const items: TreeItem[] = [];
    for (const [path, content] of files) {
      const slash = path.indexOf("/");
      if (slash >= 0) {
        const name = path.slice(0, slash);
        if (!children.has(name)) children.set(name, new Map());
        children.get(name)!.set(path.slice(slash + 1), content);
        continue;
      }
      const link = typeof content === "object" && "symlink" in content;
      const bytes = link ? bytesOf(content.symlink) : bytesOf(content as string | Uint8Array);
      const { sha } = gitObject("blob", bytes);
      this.#blobs.set(sha, bytes);
      items.push({
        name: path,
        mode: link ? "120000" : "100644",
        type: "blob",
        sha,
        size: bytes.length,
      });
    }
    for (const [name, sub] of children) {
      items.push({ name, mode: "040000", type: "tree", sha: this.#writeTree(sub) });
    }
    // git's order: names as bytes, a tree's name compared as if it ended in "/".
    const key = (item: TreeItem) => Buffer.from(item.type === "tree" ? `${item.name}/` : item.name);
    items.sort((a, b) => Buffer.compare(key(a), key(b)));
    const parts: Uint8Array[] = [];
    for (const item of items) {
      parts.push(bytesOf(`${item.mode.replace(/^0/, "")} ${item.name}\0`));
      parts.push(Buffer.from(item.sha, "hex"));
    }
    const { sha } = gitObject("tree", Buffer.concat(parts));
    this.#trees.set(sha, items);
    return sha;
  }

  /** A ref (`HEAD`, branch, tag, `heads/x`, `refs/tags/x`, a commit sha) to its commit. */
  #resolve(ref: string): string | undefined {
    if (ref === "HEAD") return this.#refs.get(`heads/${this.defaultBranch}`);
    if (this.#commits.has(ref)) return ref;
    const name = ref.replace(/^refs\//, "");
    return this.#refs.get(name) ?? this.#refs.get(`heads/${name}`) ??
      this.#refs.get(`tags/${name}`);
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const record: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
      status: 0,
    };
    this.requests.push(record);
    this.#remaining = Math.max(0, this.#remaining - 1);
    let answer: ScriptedAnswer | undefined;
    const at = this.#script.findIndex((s) => matches(s.match, url.pathname + url.search));
    if (at >= 0) answer = this.#script.splice(at, 1)[0].answer;
    if (answer && "hang" in answer) {
      // Until the server closes: the client gives up first. (Listening to
      // request.signal would trip Deno.serve's legacy-abort warning.)
      await new Promise<void>((resolve) => {
        this.#closing.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return new Response(null, { status: 504 });
    }
    if (answer && "delayMs" in answer) {
      const { delayMs } = answer;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.#closing.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      answer = undefined;
    }
    const result = answer ?? this.#answer(request, url);
    record.status = result.status;
    return this.#respond(request, result, record);
  }

  #respond(
    request: Request,
    result: { status: number; headers?: Record<string, string>; body?: unknown },
    record: RecordedRequest,
  ): Response {
    const reset = Math.floor((this.#options.now ?? Date.now)() / 1000) + 3600;
    const headers = new Headers({
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(this.#remaining),
      "x-ratelimit-used": String(5000 - this.#remaining),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-resource": "core",
      "x-github-api-version-selected": "2022-11-28",
    });
    for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, value);
    let body: BodyInit | null = null;
    if (result.body instanceof Uint8Array || typeof result.body === "string") {
      body = result.body as BodyInit;
    } else if (result.body !== undefined) {
      body = JSON.stringify(result.body);
      if (!headers.has("content-type")) {
        headers.set("content-type", "application/json; charset=utf-8");
      }
    }
    if (result.status === 200 && body !== null) {
      const etag = `W/"${
        createHash("sha256").update(body as string | Uint8Array).digest("hex").slice(0, 40)
      }"`;
      headers.set("etag", etag);
      const asked = request.headers.get("if-none-match");
      if (asked && asked.split(",").map((s) => s.trim()).includes(etag)) {
        record.status = 304;
        return new Response(null, { status: 304, headers });
      }
    }
    return new Response(body, { status: result.status, headers });
  }

  #answer(
    request: Request,
    url: URL,
  ): { status: number; headers?: Record<string, string>; body?: unknown } {
    const auth = request.headers.get("authorization");
    const { token } = this.#options;
    if (
      token !== undefined && auth !== null && auth !== `Bearer ${token}` &&
      auth !== `token ${token}`
    ) {
      return answers.unauthorized() as { status: number };
    }
    if (this.#options.private && auth === null) return error(404, "Not Found");
    const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const [repos, owner, repo, ...rest] = parts;
    if (
      request.method !== "GET" || repos !== "repos" ||
      owner?.toLowerCase() !== this.owner.toLowerCase() ||
      repo?.toLowerCase() !== this.repo.toLowerCase()
    ) {
      return error(404, "Not Found");
    }
    const base = `${this.url}/repos/${this.owner}/${this.repo}`;
    const accept = request.headers.get("accept") ?? "";
    if (rest.length === 0) {
      return {
        status: 200,
        body: {
          id: 1,
          node_id: "R_1",
          name: this.repo,
          full_name: `${this.owner}/${this.repo}`,
          private: Boolean(this.#options.private),
          owner: { login: this.owner, type: "User" },
          default_branch: this.defaultBranch,
          url: base,
        },
      };
    }
    if (this.#commits.size === 0 && rest[0] !== "git") {
      return error(409, "Git Repository is empty.");
    }
    if (rest[0] === "commits" && rest.length > 1) {
      const ref = rest.slice(1).join("/");
      const sha = this.#resolve(ref);
      if (!sha) return error(422, `No commit found for SHA: ${ref}`);
      if (accept.includes("application/vnd.github.sha")) {
        return {
          status: 200,
          headers: { "content-type": "application/vnd.github.sha; charset=utf-8" },
          body: sha,
        };
      }
      const commit = this.#commits.get(sha)!;
      return {
        status: 200,
        body: {
          sha,
          node_id: `C_${sha}`,
          url: `${base}/commits/${sha}`,
          commit: {
            message: commit.message,
            tree: { sha: commit.tree, url: `${base}/git/trees/${commit.tree}` },
          },
          parents: commit.parent
            ? [{ sha: commit.parent, url: `${base}/commits/${commit.parent}` }]
            : [],
          files: [],
        },
      };
    }
    if (rest[0] === "tarball") return this.#tarball(rest.slice(1).join("/"));
    if (rest[0] !== "git" || rest.length < 3) return error(404, "Not Found");
    const [, kind, ...names] = rest;
    const name = names.join("/");
    if (kind === "ref") {
      const sha = this.#refs.get(name.replace(/^refs\//, ""));
      if (!sha) return error(404, "Not Found");
      return {
        status: 200,
        body: {
          ref: `refs/${name.replace(/^refs\//, "")}`,
          node_id: `REF_${sha}`,
          url: `${base}/git/refs/${name}`,
          object: { type: "commit", sha, url: `${base}/git/commits/${sha}` },
        },
      };
    }
    if (kind === "commits") {
      const commit = this.#commits.get(name);
      if (!commit) return error(404, "Not Found");
      return {
        status: 200,
        body: {
          sha: name,
          node_id: `C_${name}`,
          url: `${base}/git/commits/${name}`,
          message: commit.message,
          tree: { sha: commit.tree, url: `${base}/git/trees/${commit.tree}` },
          parents: commit.parent ? [{ sha: commit.parent }] : [],
        },
      };
    }
    if (kind === "trees") {
      const treeSha = this.#trees.has(name)
        ? name
        : this.#commits.get(this.#resolve(name) ?? "")?.tree;
      if (!treeSha) return error(404, "Not Found");
      const recursive = url.searchParams.has("recursive");
      let tree = this.#listTree(treeSha, recursive, "", base);
      const truncated = recursive && this.#options.truncateAt !== undefined &&
        tree.length > this.#options.truncateAt;
      if (truncated) tree = tree.slice(0, this.#options.truncateAt);
      return {
        status: 200,
        body: { sha: treeSha, url: `${base}/git/trees/${treeSha}`, tree, truncated },
      };
    }
    if (kind === "blobs") {
      const bytes = this.#blobs.get(name);
      if (!bytes) return error(404, "Not Found");
      if (accept.includes("application/vnd.github.raw")) {
        return {
          status: 200,
          headers: { "content-type": "application/vnd.github.raw" },
          body: bytes,
        };
      }
      const base64 = Buffer.from(bytes).toString("base64").replace(/.{60}/g, "$&\n");
      return {
        status: 200,
        body: {
          sha: name,
          node_id: `B_${name}`,
          size: bytes.length,
          url: `${base}/git/blobs/${name}`,
          content: base64.endsWith("\n") ? base64 : `${base64}\n`,
          encoding: "base64",
        },
      };
    }
    return error(404, "Not Found");
  }

  /** `GET /repos/{owner}/{repo}/tarball/{ref}`: the commit's files as a gzipped tar. */
  #tarball(ref: string): { status: number; headers?: Record<string, string>; body?: unknown } {
    const sha = this.#resolve(ref || this.defaultBranch);
    if (!sha) return error(404, "Not Found");
    const items = this.#listTree(this.#commits.get(sha)!.tree, true, "", "") as {
      path: string;
      mode: string;
      type: string;
      sha: string;
    }[];
    const entries = items.filter((i) => i.type === "blob").map((i) => {
      const bytes = this.#blobs.get(i.sha)!;
      return {
        path: i.path,
        content: i.mode === "120000" ? { symlink: new TextDecoder().decode(bytes) } : bytes,
      };
    });
    return {
      status: 200,
      headers: { "content-type": "application/x-gzip" },
      body: tarball(`${this.owner}-${this.repo}-${sha.slice(0, 7)}`, sha, entries),
    };
  }

  #listTree(sha: string, recursive: boolean, prefix: string, base: string): unknown[] {
    const out: unknown[] = [];
    for (const item of this.#trees.get(sha)!) {
      const path = prefix + item.name;
      out.push({
        path,
        mode: item.mode,
        type: item.type,
        sha: item.sha,
        ...(item.type === "blob" ? { size: item.size } : {}),
        url: `${base}/git/${item.type}s/${item.sha}`,
      });
      if (recursive && item.type === "tree") {
        out.push(...this.#listTree(item.sha, true, `${path}/`, base));
      }
    }
    return out;
  }
}

/**
 * Starts a fake GitHub API on a free loopback port.
 *
 * @param options The repository and behaviour.
 * @returns The running server; call `close()` when done.
 *
 * @example Serve a repository and read its tree
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeGitHub } from "./fake_github.ts";
 * const github = await startFakeGitHub({ files: { "pages/a.md": "hello" } });
 * const res = await fetch(`${github.url}/repos/octo/graph/git/trees/main?recursive=1`);
 * const { tree } = await res.json();
 * assert.ok(tree.map((e: { path: string }) => e.path).join() === "pages,pages/a.md");
 * assert.ok(github.requests[0].headers["if-none-match"] === undefined);
 * await github.close();
 * ```
 */
export function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return Promise.resolve(new FakeGitHub(options));
}

function matches(match: string | RegExp, text: string): boolean {
  return typeof match === "string" ? text.includes(match) : match.test(text);
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

function gitObject(type: string, content: Uint8Array): { sha: string } {
  const hash = createHash("sha1").update(`${type} ${content.length}\0`).update(content);
  return { sha: hash.digest("hex") };
}
