/**
 * The contracts plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the contracts plugin. */
export interface Options {
  /** Contract files read at once while loading (the memory bound). */
  concurrency: number;
  /** The matches database, relative to the home directory. */
  database: string;
  /** Where plans are written, relative to the home directory. */
  plans: string;
}

/** The defaults, merged under the options given to `contractsPlugin`. */
export const defaults = {
  concurrency: 16,
  database: "contracts/matches.db",
  plans: "artifacts/plans",
} satisfies Options;
