/**
 * The ETag cache of a GitHub source (private to `sources/`): answers kept with
 * their ETag, so they can be asked for again with `If-None-Match` and a 304
 * served from the kept body. Kept in memory, and in a JSON file between runs
 * when one is given.
 *
 * @module
 */
import { dirname } from "node:path";

/** One kept answer: its ETag and body. */
export interface EtagEntry {
  /** The `ETag` header, sent back as `If-None-Match`. */
  etag: string;
  /** The answer's body, served again on a 304. */
  body: string;
}

/**
 * Answers by URL with their ETags. The file written on save holds only the
 * answers used by this run (kept anew or served from the cache), so entries
 * for trees no longer asked for drop out.
 */
export class EtagCache {
  #etags = new Map<string, EtagEntry>();
  #used = new Set<string>();
  #changed = false;

  /**
   * Reads the entries of an ETag file. A missing file is an empty cache; a
   * damaged one is ignored and rewritten on save.
   *
   * @param file The JSON file, as {@linkcode EtagCache.save} writes it.
   * @returns When the entries are loaded.
   * @throws {Error} When the file exists but cannot be read.
   */
  async load(file: string): Promise<void> {
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
      this.#changed = true;
    }
  }

  /**
   * The kept answer of a URL.
   *
   * @param url The request's full URL.
   * @returns The entry, or undefined when none is kept.
   */
  get(url: string): EtagEntry | undefined {
    return this.#etags.get(url);
  }

  /**
   * Records that a kept answer was served (a 304), so the file keeps it.
   *
   * @param url The request's full URL.
   */
  reuse(url: string): void {
    this.#used.add(url);
  }

  /**
   * Keeps a new answer with its ETag.
   *
   * @param url The request's full URL.
   * @param entry The answer's ETag and body.
   */
  keep(url: string, entry: EtagEntry): void {
    this.#etags.set(url, entry);
    this.#used.add(url);
    this.#changed = true;
  }

  /**
   * Writes the answers used by this run to the file, sorted by URL, through a
   * temporary file renamed into place; does nothing when nothing changed.
   *
   * @param file The JSON file; its folder is created when missing.
   * @returns When the file is written.
   */
  async save(file: string): Promise<void> {
    if (!this.#changed) return;
    const entries = Object.fromEntries(
      [...this.#used].sort().map((url) => [url, this.#etags.get(url)!]),
    );
    await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.tmp-${crypto.randomUUID()}`;
    try {
      await Deno.writeTextFile(temporary, JSON.stringify({ version: 1, entries }) + "\n", {
        mode: 0o600,
      });
      await Deno.rename(temporary, file);
    } finally {
      await Deno.remove(temporary).catch(() => {});
    }
  }
}
