/**
 * The flags every graph task shares: which backend holds the graphs, how
 * Neo4j lays them out, and the batch size.
 *
 * @module
 */
import { z } from "zod";
import { NAMESPACE } from "./neo4j_connection.ts";

/**
 * The shared flags, to spread into a task's input schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { graphFlags } from "./flags.ts";
 * const flags = z.object(graphFlags).parse({});
 * assert.equal(flags.backend, "embedded");
 * assert.equal(flags.batch_size, 5_000);
 * ```
 */
export const graphFlags = {
  backend: z.enum(["embedded", "neo4j"]).default("embedded").describe(
    "where the graphs live: embedded SQLite files, or Neo4j (NEO4J_URI, NEO4J_HYBRID_URI)",
  ),
  layout: z.enum(["auto", "servers", "databases", "labels"]).default("auto").describe(
    "Neo4j: two servers (NEO4J_URI, NEO4J_HYBRID_URI), two databases on one, or one database with distinct labels; auto picks servers when NEO4J_HYBRID_URI differs",
  ),
  namespace: z.string().regex(NAMESPACE, "letters, digits and _, starting with a letter")
    .default("").describe(
      "Neo4j: a prefix for every label, so several graph sets share a database",
    ),
  json_database: z.string().min(1).default("jsongraph").describe(
    "Neo4j, layout databases: the jsongraph's database",
  ),
  hybrid_database: z.string().min(1).default("hybridgraph").describe(
    "Neo4j, layout databases: the hybridgraph's database",
  ),
  json_db: z.string().min(1).optional().describe(
    "embedded: the jsongraph's SQLite file (default <home>/graph/jsongraph.db)",
  ),
  hybrid_db: z.string().min(1).optional().describe(
    "embedded: the hybridgraph's SQLite file (default <home>/graph/hybridgraph.db)",
  ),
  batch_size: z.number().int().min(1).max(100_000).default(5_000).describe(
    "rows per UNWIND statement (Neo4j) and nodes per transaction",
  ),
};

/** The shared flags as parsed. */
export type GraphFlags = z.output<z.ZodObject<typeof graphFlags>>;
