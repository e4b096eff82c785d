/**
 * The streaming plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the streaming plugin. */
export interface Options {
  /** The database, relative to the home directory, when a task is given no `--db`. */
  database: string;
}

/** The defaults, merged under the options given to `streamingPlugin`. */
export const defaults = { database: "streaming/ontology.db" } satisfies Options;
