/**
 * The graph plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the graph plugin. */
export interface Options {
  /** A file larger than this many bytes is a failed item, not read. */
  maxBytes: number;
}

/** The defaults, merged under the options given to `graphPlugin`. */
export const defaults = { maxBytes: 1_048_576 } satisfies Options;
