/**
 * The partition plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the partition plugin. */
export interface Options {
  /** The SQLite database shared by the instances of one machine, relative to the home. */
  database: string;
  /** The mapping contract used when `--contract` is not given. */
  contract: string;
}

/** The defaults, merged under the options given to `partitionPlugin`. */
export const defaults = {
  database: "partition/partition.db",
  contract: "fixtures/partition/mapping.json",
} satisfies Options;
