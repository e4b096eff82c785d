/**
 * The git adapter of {@linkcode PageSource}: the `*.md` blobs of a
 * repository at one commit, read through the `git` CLI without a checkout.
 *
 * - The ref is resolved to a commit once, when the source opens, so a run
 *   sees one consistent tree even while the branch moves.
 * - `list` streams `git ls-tree -r -z`; a page's version is its blob id, so
 *   an unchanged page is never read.
 * - `read` goes through one long-lived `git cat-file --batch` process shared
 *   by every concurrent read: requests are written in order and answers come
 *   back in the same order, so a queue pairs them.
 * - A URL is cloned once (`git clone --bare`) into a cache directory and
 *   fetched again on each later open. A plain bare clone rather than a
 *   partial one (`--filter=blob:none`): a partial clone fetches each missing
 *   blob on its own the first time `cat-file` asks for it, one round trip per
 *   page, which is far slower for a first sync than one pack.
 *
 * @module
 */
import { resolve } from "node:path";
import { PermanentError } from "../../../lib/async/retry.ts";
import type { PageRef, PageSource } from "../model.ts";
import { decodePage } from "../page_bytes.ts";
import { CatFileBatch } from "./_cat_file.ts";
import { git, spawn } from "./_git_command.ts";
import { cloneOrFetch, findGitDir, withoutCredentials } from "./_git_repo.ts";
import { DEFAULT_GIT_CACHE_DIR } from "./defaults.ts";
import { isGitUrl, isPagePath, normalizePrefix } from "./paths.ts";
import { SourceError } from "./source_error.ts";

/** Options of {@linkcode GitSource.open}. */
export interface GitSourceOptions {
  /** A local repository (a working tree or a bare repository) or a URL git can fetch. */
  repo: string;
  /**
   * A branch, tag or commit (anything `git rev-parse` takes).
   *
   * @default {"HEAD"}
   */
  ref?: string;
  /**
   * The folder inside the repository whose pages are listed; page paths keep it.
   *
   * @default {"" (the whole tree)}
   */
  prefix?: string;
  /**
   * Where clones of URLs are kept (one bare repository per URL).
   *
   * @default {".weir/cache/git"}
   */
  cacheDir?: string;
  /**
   * How long one git command (a clone, a fetch, resolving the ref) may run
   * before it is killed and the source fails.
   *
   * @default {600_000 (10 minutes)}
   */
  timeoutMs?: number;
}

/** A SHA-1 or SHA-256 object id. */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** UTF-8, keeping a byte-order mark: the text is exactly what is stored. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const ascii = new TextDecoder("latin1");

/**
 * The pages of a git repository at one commit.
 *
 * @example List and read the pages of a repository
 * ```ts
 * import assert from "node:assert/strict";
 * import { GitSource } from "./git.ts";
 * const repo = await Deno.makeTempDir();
 * const git = (...args: string[]) => new Deno.Command("git", { args: ["-C", repo, ...args] }).output();
 * await git("init", "--quiet");
 * await Deno.mkdir(`${repo}/pages`);
 * await Deno.writeTextFile(`${repo}/pages/Avatar.md`, "- ### OntologyBlock\n");
 * await git("add", ".");
 * await git("-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "--quiet", "-m", "first");
 *
 * const source = await GitSource.open({ repo, prefix: "pages/" });
 * const pages = await Array.fromAsync(source.list());
 * assert.deepEqual(pages.map((p) => p.path), ["pages/Avatar.md"]);
 * assert.equal(await source.read(pages[0]), "- ### OntologyBlock\n");
 * await source.close();
 * await Deno.remove(repo, { recursive: true });
 * ```
 */
export class GitSource implements PageSource {
  /** `"git"`. */
  readonly kind = "git";
  /** `git:<path or URL without credentials>@<ref>`, then `:<prefix>/` when there is a prefix. */
  readonly location: string;
  /** The commit the ref resolved to when the source opened. */
  readonly commit: string;
  /** The repository's git directory (for a URL, the bare clone in the cache). */
  readonly gitDir: string;
  /** The normalized prefix (no slash at either end), `""` for the whole tree. */
  readonly prefix: string;
  #batch: CatFileBatch | undefined;
  #closed = false;

  private constructor(location: string, gitDir: string, commit: string, prefix: string) {
    this.location = location;
    this.gitDir = gitDir;
    this.commit = commit;
    this.prefix = prefix;
  }

  /**
   * Opens a repository: clones or fetches a URL into the cache, then resolves
   * the ref to a commit.
   *
   * @param options The repository, ref, prefix and cache directory.
   * @param signal Stops a clone or fetch in progress.
   * @returns The open source; call `close()` when done.
   * @throws {SourceError} When the repository does not exist or is not a git
   *   repository, the ref names no commit, the prefix is invalid, git is not
   *   installed, or a clone or fetch was refused.
   * @throws {RetryableError} When a clone or fetch failed for a network reason.
   */
  static async open(options: GitSourceOptions, signal?: AbortSignal): Promise<GitSource> {
    const ref = options.ref ?? "HEAD";
    const url = isGitUrl(options.repo);
    const repo = url ? options.repo : resolve(options.repo);
    const shown = url ? withoutCredentials(repo) : repo;
    const prefix = normalizePrefix(options.prefix);
    const location = `git:${shown}@${ref}${prefix ? `:${prefix}/` : ""}`;
    if (ref === "" || ref.startsWith("-") || /[\0\n\r]/.test(ref)) {
      throw new SourceError(
        location,
        `Cannot open the git source as the ref is not a valid name: current value is ${
          JSON.stringify(ref)
        }`,
      );
    }
    signal?.throwIfAborted();
    const gitDir = url
      ? await cloneOrFetch(
        repo,
        resolve(options.cacheDir ?? DEFAULT_GIT_CACHE_DIR),
        location,
        signal,
        options.timeoutMs,
      )
      : await findGitDir(repo, location, signal);
    const found = await git(
      [
        "--git-dir",
        gitDir,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        `${ref}^{commit}`,
      ],
      location,
      signal,
    );
    const commit = ascii.decode(found.stdout).trim();
    if (found.code !== 0 || !OBJECT_ID.test(commit)) {
      throw new SourceError(
        location,
        `Cannot open the git source as the ref does not name a commit in ${
          JSON.stringify(shown)
        }: current value is ${JSON.stringify(ref)}`,
        found.stderr ? { cause: new Error(found.stderr) } : undefined,
      );
    }
    return new GitSource(location, gitDir, commit, prefix);
  }

  /**
   * Lists the page blobs under the prefix at the commit, sorted by path
   * (git's tree order, which is UTF-8 byte order), streaming `git ls-tree`.
   * Symbolic links and submodules are not pages.
   *
   * @param signal Stops the listing (the git process is killed); it then rejects with the signal's reason.
   * @returns The pages, each with its blob id as version.
   * @throws {Error} When `git ls-tree` fails, or the source is closed.
   */
  async *list(signal?: AbortSignal): AsyncGenerator<PageRef> {
    this.#checkOpen("list the pages");
    signal?.throwIfAborted();
    const args = [
      "--git-dir",
      this.gitDir,
      "--literal-pathspecs",
      "ls-tree",
      "-r",
      "-z",
      "--full-tree",
      this.commit,
    ];
    if (this.prefix) args.push("--", `${this.prefix}/`);
    const child = spawn(args, { stdout: "piped", stderr: "piped", signal }, this.location);
    const stderr = new Response(child.stderr).text().catch(() => "");
    const reader = child.stdout.getReader();
    let complete = false;
    let status: Deno.CommandStatus;
    let errors: string;
    try {
      let rest = new Uint8Array(0);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const data = rest.length ? concat(rest, value) : value;
        let start = 0;
        for (let nul = data.indexOf(0); nul >= 0; nul = data.indexOf(0, start)) {
          const page = parseTreeEntry(data.subarray(start, nul));
          start = nul + 1;
          if (page) yield page;
        }
        rest = data.slice(start);
      }
      complete = true;
    } finally {
      if (!complete) {
        // The consumer stopped early, or reading failed: end git and its pipe.
        try {
          child.kill();
        } catch { /* already exited */ }
        await reader.cancel().catch(() => {});
      }
      reader.releaseLock();
      [status, errors] = await Promise.all([child.status, stderr]);
    }
    if (signal?.aborted) throw signal.reason;
    if (!status.success) {
      throw new Error(
        `Cannot list the pages as git ls-tree exited with code ${status.code}: ${errors.trim()}`,
      );
    }
  }

  /**
   * Reads a page's blob through the shared `git cat-file --batch` process
   * (started on the first read). Concurrent reads are answered in order.
   *
   * @param ref The page, as `list` yielded it (its version is the blob id).
   * @param signal Stops waiting for this read only; it then rejects with the signal's reason.
   * @returns The page's text, exactly as stored (UTF-8).
   * @throws {PermanentError} When the blob is missing from the repository, is not a blob, or the version is not an object id.
   * @throws {RetryableError} When the `cat-file` process exited before answering (the next read starts a new one).
   * @throws {Error} When the source is closed.
   */
  async read(ref: PageRef, signal?: AbortSignal): Promise<string> {
    this.#checkOpen("read the page");
    signal?.throwIfAborted();
    const id = ref.version;
    if (!OBJECT_ID.test(id)) {
      throw new PermanentError(
        `Cannot read the page as its version is not a git object id: current value is ${
          JSON.stringify(id)
        }`,
      );
    }
    if (!this.#batch?.alive) this.#batch = new CatFileBatch(this.gitDir, this.location);
    const answer = await this.#batch.request(id, signal);
    if (answer.type === "missing") {
      throw new PermanentError(
        `Cannot read the page as its blob ${id} is missing from the repository: current value is ${
          JSON.stringify(ref.path)
        }`,
      );
    }
    if (answer.type !== "blob") {
      throw new PermanentError(
        `Cannot read the page as ${id} is a ${answer.type}, not a blob: current value is ${
          JSON.stringify(ref.path)
        }`,
      );
    }
    return decodePage(answer.content);
  }

  /**
   * Ends the `cat-file` process after it has answered the reads in flight.
   * Later calls to `list` and `read` throw; closing twice is harmless.
   *
   * @returns When the process has exited.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const batch = this.#batch;
    this.#batch = undefined;
    await batch?.close();
  }

  #checkOpen(what: string): void {
    if (this.#closed) {
      throw new Error(
        `Cannot ${what} as the source is closed: current value is "${this.location}"`,
      );
    }
  }
}

/** One `<mode> <type> <id>\t<path>` record of `ls-tree -z`, when it is a page. */
function parseTreeEntry(record: Uint8Array): PageRef | undefined {
  const tab = record.indexOf(9);
  if (tab < 0) return undefined;
  const [mode, type, id] = ascii.decode(record.subarray(0, tab)).split(" ");
  // 120000 is a symbolic link: its blob holds the link's target, not a page.
  if (type !== "blob" || mode === "120000") return undefined;
  const path = utf8.decode(record.subarray(tab + 1));
  return isPagePath(path) ? { path, version: id } : undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
