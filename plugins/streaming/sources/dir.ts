/**
 * The directory adapter of {@linkcode PageSource}, the default source: the
 * `*.md` files under a folder, listed lazily, one directory at a time, with
 * a version taken from `stat` alone (`<size>-<mtimeMs>`), so an unchanged
 * page is never read.
 *
 * Symbolic links are followed only while they stay inside the root; links
 * that leave it, dangling links and links back to an enclosing directory
 * (a cycle) are skipped. An entry that cannot be read (a link that loops on
 * itself, a folder without read permission) is listed with a `problem`, so
 * the sync records it as failed and goes on.
 *
 * A page listed through no link is read at its path under the root's real
 * path, without resolving links again (a `realPath` per page cost more than
 * reading a small file); a page reached through a link is checked again
 * when read.
 *
 * @module
 */
import { join, resolve, sep } from "node:path";
import { PermanentError } from "../../../lib/async/retry.ts";
import { compareKeys } from "../../../lib/objects/mod.ts";
import type { PageRef, PageSource } from "../model.ts";
import { decodePage, DEFAULT_MAX_PAGE_BYTES, tooLarge } from "../page_bytes.ts";
import { isPagePath, normalizePrefix } from "./paths.ts";
import { SourceError } from "./source_error.ts";

/** Options of {@linkcode DirSource}. */
export interface DirSourceOptions {
  /**
   * The folder under the root whose pages are listed (`pages/`); page paths
   * keep it (`pages/Avatar.md`).
   *
   * @default {"" (the whole root)}
   */
  prefix?: string;
  /**
   * Pages larger than this many bytes fail without being read.
   *
   * @default {16 MiB}
   */
  maxPageBytes?: number;
}

/**
 * Pages up to this size are read at once by {@linkcode DirSource.readNow}:
 * for a small local file an asynchronous read costs several times the read
 * itself (a thread hop and promises), and a pool gains nothing from
 * overlapping them.
 */
const SYNC_READ_BYTES = 256 * 1024;

interface Item {
  name: string;
  /** What it sorts by: its name, with a `/` after a folder's. */
  key: string;
  /** The real path of an entry reached through a link (else it is `<folder>/<name>`). */
  real?: string;
  dir: boolean;
  /** Reached through a symbolic link. */
  linked: boolean;
  /** Why the entry cannot be read, when it cannot. */
  problem?: string;
}

/**
 * The pages of a local directory.
 *
 * @example List and read the pages of a folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { DirSource } from "./dir.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/pages/sub`, { recursive: true });
 * await Deno.writeTextFile(`${root}/pages/sub/Avatar.md`, "- ### OntologyBlock\n");
 * await Deno.writeTextFile(`${root}/pages/logo.png`, "not a page");
 * await Deno.writeTextFile(`${root}/README.md`, "outside the prefix");
 *
 * const source = new DirSource(root, { prefix: "pages" });
 * const pages = await Array.fromAsync(source.list());
 * assert.deepEqual(pages.map((p) => p.path), ["pages/sub/Avatar.md"]);
 * assert.equal(await source.read(pages[0]), "- ### OntologyBlock\n");
 * await source.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class DirSource implements PageSource {
  /** `"dir"`. */
  readonly kind = "dir";
  /** `dir:<absolute root>`, then `:<prefix>/` when there is a prefix. */
  readonly location: string;
  /** The root directory, absolute. */
  readonly root: string;
  /** The normalized prefix (no slash at either end), `""` for the whole root. */
  readonly prefix: string;
  #realRoot: Promise<string> | undefined;
  #closed = false;
  #maxPageBytes: number;
  /** The root's real path, once listed. */
  #listedRoot: string | undefined;
  /** Pages listed through no link: read at their path under the root, links not resolved again. */
  #direct = new Set<string>();

  /**
   * Creates the source; nothing is read until `list` or `read`.
   *
   * @param root The directory, absolute or relative to the working directory.
   * @param options The prefix.
   * @throws {SourceError} When the prefix has a `..`, `.` or empty segment.
   */
  constructor(root: string, options: DirSourceOptions = {}) {
    this.root = resolve(root);
    this.prefix = normalizePrefix(options.prefix);
    this.#maxPageBytes = options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
    this.location = `dir:${this.root}${this.prefix ? `:${this.prefix}/` : ""}`;
  }

  /**
   * Lists the pages under the prefix, sorted by path (UTF-8 byte order),
   * one directory at a time. A missing prefix folder lists nothing.
   *
   * @param signal Stops the listing; it then rejects with the signal's reason.
   * @returns The pages, each with its `<size>-<mtimeMs>` version.
   * @throws {SourceError} When the root does not exist or is not a directory.
   * @throws {Error} When the source is closed.
   */
  async *list(signal?: AbortSignal): AsyncGenerator<PageRef> {
    this.#checkOpen("list the pages");
    signal?.throwIfAborted();
    const realRoot = await this.#root();
    this.#listedRoot = realRoot;
    let start = realRoot;
    if (this.prefix) {
      const found = await locate(join(realRoot, this.prefix), realRoot);
      if (found === "missing" || found === "outside") return;
      if (!(await Deno.stat(found)).isDirectory) return;
      start = found;
    }
    const linked = start !== join(realRoot, this.prefix);
    yield* this.#walk(start, this.prefix, new Set([realRoot, start]), realRoot, linked, signal);
  }

  /**
   * Reads a page's text, exactly as stored (UTF-8).
   *
   * @param ref The page, as `list` yielded it (only its path is used).
   * @param signal Stops the read; it then rejects with the signal's reason.
   * @returns The page's text.
   * @throws {PageBytesError} When it is larger than `maxPageBytes` or not valid UTF-8.
   * @throws {PermanentError} When the page no longer exists, its path is not a
   *   plain relative path, or it resolves outside the root.
   * @throws {SourceError} When the root does not exist.
   * @throws {Error} When the source is closed.
   */
  async read(ref: PageRef, signal?: AbortSignal): Promise<string> {
    this.#checkOpen("read the page");
    signal?.throwIfAborted();
    const { path } = ref;
    if (
      path === "" || path.startsWith("/") || /[\\\0]/.test(path) ||
      path.split("/").some((s) => s === "" || s === "." || s === "..")
    ) {
      throw new PermanentError(
        `Cannot read the page as its path is not a plain relative path: current value is ${
          JSON.stringify(path)
        }`,
      );
    }
    const realRoot = await this.#root();
    const at = join(realRoot, ...path.split("/"));
    const found = this.#direct.has(path) ? at : await locate(at, realRoot);
    if (found === "outside") {
      throw new PermanentError(
        `Cannot read the page as it resolves outside ${
          JSON.stringify(this.root)
        }: current value is ${JSON.stringify(path)}`,
      );
    }
    try {
      if (found === "missing") throw new Deno.errors.NotFound(path);
      const size = sizeOf(ref);
      if (size > this.#maxPageBytes) throw tooLarge(size, this.#maxPageBytes);
      const bytes = await Deno.readFile(found, { signal });
      if (bytes.length > this.#maxPageBytes) throw tooLarge(bytes.length, this.#maxPageBytes);
      return decodePage(bytes);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory)) {
        throw err;
      }
      throw new PermanentError(
        `Cannot read the page as it no longer exists in ${
          JSON.stringify(this.root)
        }: current value is ${JSON.stringify(path)}`,
        { cause: err },
      );
    }
  }

  /**
   * Reads a small page listed through no link at once, on this thread: the
   * sync's fast path for local pages, which a read timeout cannot interrupt
   * (a local read of a small file does not hang). Anything else (a larger
   * page, a page reached through a link or not listed yet, any error) is
   * left to {@linkcode DirSource.read}, which handles and reports it.
   *
   * @param ref The page, as `list` yielded it.
   * @returns The page's text, or undefined when `read` must read it.
   */
  readNow(ref: PageRef): string | undefined {
    const root = this.#listedRoot;
    const size = sizeOf(ref);
    if (
      this.#closed || root === undefined || !this.#direct.has(ref.path) ||
      !(size <= SYNC_READ_BYTES && size <= this.#maxPageBytes)
    ) return undefined;
    try {
      const bytes = Deno.readFileSync(join(root, ref.path));
      return bytes.length <= this.#maxPageBytes ? decodePage(bytes) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Closes the source; later calls to `list` and `read` throw. A directory
   * holds nothing open between calls, so this only marks it closed.
   *
   * @returns When closed.
   */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #checkOpen(what: string): void {
    if (this.#closed) {
      throw new Error(
        `Cannot ${what} as the source is closed: current value is "${this.location}"`,
      );
    }
  }

  /** The root's real path, checked once to be a directory. */
  #root(): Promise<string> {
    this.#realRoot ??= (async () => {
      try {
        const real = await Deno.realPath(this.root);
        if ((await Deno.stat(real)).isDirectory) return real;
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
        throw new SourceError(
          this.location,
          `Cannot open the directory source as the directory does not exist: current value is "${this.root}"`,
          { cause: err },
        );
      }
      throw new SourceError(
        this.location,
        `Cannot open the directory source as it is not a directory: current value is "${this.root}"`,
      );
    })().catch((err) => {
      this.#realRoot = undefined; // It may exist on the next call.
      throw err;
    });
    return this.#realRoot;
  }

  async *#walk(
    dir: string,
    rel: string,
    ancestors: ReadonlySet<string>,
    realRoot: string,
    linked: boolean,
    signal?: AbortSignal,
  ): AsyncGenerator<PageRef> {
    signal?.throwIfAborted();
    const child = (name: string) => rel ? `${rel}/${name}` : name;
    const items: Item[] = [];
    try {
      // Synchronous, as the stats below: a local folder is listed at once,
      // where the asynchronous listing idled on a thread hop per batch.
      for (const entry of Deno.readDirSync(dir)) {
        const { name } = entry;
        if (entry.isSymlink) {
          let found: string;
          try {
            found = await locate(`${dir}${sep}${name}`, realRoot);
          } catch (err) {
            const problem = unreadable(child(name), err);
            items.push({ name, key: name, dir: false, linked, problem });
            continue;
          }
          if (found === "missing" || found === "outside") continue;
          const info = await Deno.stat(found).catch(() => undefined);
          if (info?.isDirectory) {
            items.push({ name, key: `${name}/`, real: found, dir: true, linked: true });
          } else if (info?.isFile && isPagePath(name)) {
            items.push({ name, key: name, real: found, dir: false, linked: true });
          }
        } else if (entry.isDirectory) {
          items.push({ name, key: `${name}/`, dir: true, linked });
        } else if (entry.isFile && isPagePath(name)) {
          items.push({ name, key: name, dir: false, linked });
        }
      }
    } catch (err) {
      if (rel === this.prefix || err instanceof Deno.errors.NotFound) throw err;
      // A folder that cannot be listed: that entry fails, the sync goes on.
      yield { path: rel, version: "", problem: unreadable(rel, err) };
      return;
    }
    // A folder sorts as "name/": the walk then yields full paths in byte order.
    items.sort((a, b) => compareKeys(a.key, b.key));

    const direct = this.#direct;
    for (const item of items) {
      signal?.throwIfAborted();
      const path = child(item.name);
      if (item.problem) {
        yield { path, version: "", problem: item.problem };
      } else if (item.dir) {
        const real = item.real ?? `${dir}${sep}${item.name}`;
        if (ancestors.has(real)) continue; // A link back up: a cycle.
        const inner = new Set([...ancestors, real]);
        yield* this.#walk(real, path, inner, realRoot, item.linked, signal);
      } else {
        // Synchronous: a stat of a local file costs less than the hop to a thread.
        const info = statOrUndefined(item.real ?? `${dir}${sep}${item.name}`);
        if (!info?.isFile) continue; // Removed (or replaced by a folder) since the listing.
        if (!item.linked) direct.add(path);
        yield { path, version: `${info.size}-${info.mtime?.getTime() ?? 0}` };
      }
    }
  }
}

/** A listed page's size, from its `<size>-<mtimeMs>` version. */
function sizeOf(ref: PageRef): number {
  return Number(ref.version.slice(0, ref.version.indexOf("-")));
}

/** The reason an entry that cannot be read fails. */
function unreadable(path: string, err: unknown): string {
  const why = err instanceof Deno.errors.FilesystemLoop
    ? "its symbolic links loop"
    : err instanceof Deno.errors.PermissionDenied
    ? "permission to read it is denied"
    : `reading it failed (${(err as Error)?.message ?? String(err)})`;
  return `Cannot read the entry as ${why}: current value is ${JSON.stringify(path)}`;
}

/**
 * Resolves a path's links and tells whether it stays inside the root.
 *
 * @returns The real path, `"missing"` (nothing there, or a dangling link) or `"outside"`.
 */
async function locate(path: string, realRoot: string): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    throw err;
  }
  const inside = real === realRoot ||
    real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  return inside ? real : "outside";
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}
