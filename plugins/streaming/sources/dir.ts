/**
 * The directory adapter of {@linkcode PageSource}, the default source: the
 * `*.md` files under a folder, listed lazily, one directory at a time, with
 * a version taken from `stat` alone (`<size>-<mtimeMs>`), so an unchanged
 * page is never read.
 *
 * Symbolic links are followed only while they stay inside the root; links
 * that leave it, dangling links and links back to an enclosing directory
 * (a cycle) are skipped.
 *
 * @module
 */
import { join, resolve, sep } from "node:path";
import { PermanentError } from "../../../lib/async/retry.ts";
import { compareKeys } from "../../../lib/objects/mod.ts";
import type { PageRef, PageSource } from "../model.ts";
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
}

/** Files stat'ed at once while listing one directory. */
const STAT_BATCH = 64;

/** UTF-8, keeping a byte-order mark: the text is exactly what is stored. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

interface Item {
  name: string;
  /** The entry's real path (a link resolved). */
  real: string;
  dir: boolean;
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
    let start = realRoot;
    if (this.prefix) {
      const found = await locate(join(realRoot, this.prefix), realRoot);
      if (found === "missing" || found === "outside") return;
      if (!(await Deno.stat(found)).isDirectory) return;
      start = found;
    }
    yield* this.#walk(start, this.prefix, new Set([realRoot, start]), realRoot, signal);
  }

  /**
   * Reads a page's text, exactly as stored (UTF-8).
   *
   * @param ref The page, as `list` yielded it (only its path is used).
   * @param signal Stops the read; it then rejects with the signal's reason.
   * @returns The page's text.
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
    const found = await locate(join(realRoot, ...path.split("/")), realRoot);
    if (found === "outside") {
      throw new PermanentError(
        `Cannot read the page as it resolves outside ${
          JSON.stringify(this.root)
        }: current value is ${JSON.stringify(path)}`,
      );
    }
    try {
      if (found === "missing") throw new Deno.errors.NotFound(path);
      return utf8.decode(await Deno.readFile(found, { signal }));
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
    signal?: AbortSignal,
  ): AsyncGenerator<PageRef> {
    signal?.throwIfAborted();
    const items: Item[] = [];
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isSymlink) {
        const found = await locate(path, realRoot);
        if (found === "missing" || found === "outside") continue;
        const info = await Deno.stat(found).catch(() => undefined);
        if (info?.isDirectory) items.push({ name: entry.name, real: found, dir: true });
        else if (info?.isFile && isPagePath(entry.name)) {
          items.push({ name: entry.name, real: found, dir: false });
        }
      } else if (entry.isDirectory) items.push({ name: entry.name, real: path, dir: true });
      else if (entry.isFile && isPagePath(entry.name)) {
        items.push({ name: entry.name, real: path, dir: false });
      }
    }
    // A folder sorts as "name/": the walk then yields full paths in byte order.
    const key = (item: Item) => item.dir ? `${item.name}/` : item.name;
    items.sort((a, b) => compareKeys(key(a), key(b)));

    let files: Item[] = [];
    const flush = async function* (): AsyncGenerator<PageRef> {
      for (let i = 0; i < files.length; i += STAT_BATCH) {
        signal?.throwIfAborted();
        const batch = files.slice(i, i + STAT_BATCH);
        const infos = await Promise.all(
          batch.map((f) => Deno.stat(f.real).catch(missingAsUndefined)),
        );
        for (const [j, info] of infos.entries()) {
          if (!info?.isFile) continue; // Removed (or replaced by a folder) since readDir.
          const path = rel ? `${rel}/${batch[j].name}` : batch[j].name;
          yield { path, version: `${info.size}-${info.mtime?.getTime() ?? 0}` };
        }
      }
      files = [];
    };
    for (const item of items) {
      if (!item.dir) {
        files.push(item);
        continue;
      }
      yield* flush();
      if (ancestors.has(item.real)) continue; // A link back up: a cycle.
      const path = rel ? `${rel}/${item.name}` : item.name;
      yield* this.#walk(item.real, path, new Set([...ancestors, item.real]), realRoot, signal);
    }
    yield* flush();
  }
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

function missingAsUndefined(err: unknown): undefined {
  if (err instanceof Deno.errors.NotFound) return undefined;
  throw err;
}
