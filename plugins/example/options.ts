/**
 * The example plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the example plugin. */
export interface Options {
  /** Object-key prefix snapshots are written under. */
  prefix: string;
  /** The plugin's database (its checkpoints), relative to the home directory. */
  database: string;
}

/** The defaults, merged under the options given to `examplePlugin`. */
export const defaults = {
  prefix: "snapshots",
  database: "example/example.db",
} satisfies Options;
