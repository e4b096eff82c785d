/**
 * The graph plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the graph plugin. */
export interface Options {
  /** The embedded jsongraph, relative to the home directory. */
  jsonDatabase: string;
  /** The embedded hybridgraph, relative to the home directory. */
  hybridDatabase: string;
  /** The plugin's state (leases, migration checkpoints), relative to the home. */
  stateDatabase: string;
  /** Where `graph.setup_auto_sync` writes its files, relative to the home. */
  autoSyncDir: string;
}

/** The defaults, merged under the options given to `graphPlugin`. */
export const defaults = {
  jsonDatabase: "graph/jsongraph.db",
  hybridDatabase: "graph/hybridgraph.db",
  stateDatabase: "graph/state.db",
  autoSyncDir: "graph/auto_sync",
} satisfies Options;
