/**
 * The pipelines weir ships, loaded on demand. Each has a `deno task` entry
 * of the same name with its own permission set.
 *
 * @module
 */
import type { PipelineEntry } from "../kernel/registry.ts";

/** The built-in pipelines. */
export const pipelines: readonly PipelineEntry[] = [
  {
    name: "demo",
    summary: "Showcase over the committed fixtures: every plugin in turn, embedded defaults",
    load: async () => (await import("./demo.ts")).demo,
  },
  {
    name: "sync:ontology",
    summary: "Syncs ontology pages into SQLite, resumable, then checks the database",
    load: async () => (await import("./sync_ontology.ts")).syncOntology,
  },
  {
    name: "partition:local",
    summary: "Seeds records, converts them with several local instances, then verifies",
    load: async () => (await import("./partition_local.ts")).partitionLocal,
  },
];
