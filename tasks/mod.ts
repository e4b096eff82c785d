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
    name: "plan:contracts",
    summary: "Binds contracts to document chunks, plans each question's patterns, matches them",
    load: async () => (await import("./plan_contracts.ts")).planContracts,
  },
  {
    name: "ingest:canonical",
    summary: "Chunked ingestion into object storage, then one canonical transform per table",
    load: async () => (await import("./ingest_canonical.ts")).ingestCanonical,
  },
  {
    name: "graph:upload",
    summary: "Uploads JSON documents into the jsongraph and the hybridgraph, then reports status",
    load: async () => (await import("./graph_upload.ts")).graphUpload,
  },
  {
    name: "graph:sync",
    summary: "Syncs unsynced jsongraph documents into the hybridgraph, then reports status",
    load: async () => (await import("./graph_sync.ts")).graphSync,
  },
  {
    name: "partition:local",
    summary: "Seeds records, converts them with several local instances, then verifies",
    load: async () => (await import("./partition_local.ts")).partitionLocal,
  },
];
