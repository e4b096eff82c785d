/**
 * The partition plugin: several instances (processes, or machines sharing
 * PostgreSQL) convert XML source records into the tables of a mapping
 * contract, with zero duplicate attempts (static or leased partitions), a
 * processing log that makes double processing impossible, verification
 * queries that prove it, and a status report per instance and partition.
 *
 * @module
 */
import { definePlugin, lazyTask, type Plugin } from "../../kernel/plugin.ts";
import { defaults, type Options } from "./options.ts";

export { defaults, type Options } from "./options.ts";
export type { Plugin } from "../../kernel/plugin.ts";

/**
 * Creates the partition plugin.
 *
 * @param options Overrides of {@linkcode defaults}.
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import { partitionPlugin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = partitionPlugin({ database: "p/p.db" });
 * assert.deepEqual(plugin.tasks.map((t) => t.id), [
 *   "partition.seed", "partition.process", "partition.verify", "partition.status", "partition.fleet",
 * ]);
 * ```
 */
export function partitionPlugin(options: Partial<Options> = {}): Plugin {
  const opts: Options = { ...defaults, ...options };
  return definePlugin({
    name: "partition",
    version: "0.1.0",
    summary: "Converts XML records in partitions shared by several instances, with leases",
    url: import.meta.url,
    tasks: [
      lazyTask(
        "partition.seed",
        "Fills the source table with generated records or a JSON-lines file",
        async () => (await import("./seed.ts")).seedTask(opts),
      ),
      lazyTask(
        "partition.process",
        "Converts the XML records of this instance's partition into the contract's tables",
        async () => (await import("./process.ts")).processTask(opts),
      ),
      lazyTask(
        "partition.verify",
        "Checks collisions, partition purity and completeness; lists failed records",
        async () => (await import("./verify.ts")).verifyTask(opts),
      ),
      lazyTask(
        "partition.status",
        "Per instance and partition: processed, failed, remaining, rate, lease holder",
        async () => (await import("./status.ts")).statusTask(opts),
      ),
      lazyTask(
        "partition.fleet",
        "Runs several partition.process instances as separate processes on this machine",
        async () => (await import("./fleet.ts")).fleetTask(opts),
      ),
    ],
  });
}

/** The plugin with default options, for `--plugin` and the sandbox. */
export const plugin: Plugin = partitionPlugin();
