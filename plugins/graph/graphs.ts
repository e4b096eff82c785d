/**
 * Opening the two graphs a task works on, as its flags and the
 * configuration say, and what that needs: folders for the embedded files,
 * the Neo4j hosts for the server. The hybridgraph opens on first use, so a
 * task can still write the jsongraph when the hybridgraph is unreachable.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import type { TaskContext, TaskDatabase } from "../../kernel/context.ts";
import type { WeirConfig } from "../../kernel/config.ts";
import { UsageError } from "../../lib/errors.ts";
import { mergeNeeds, type PermissionNeeds } from "../../lib/permissions.ts";
import type { GraphFlags } from "./flags.ts";
import type { Neo4jTarget } from "./neo4j_connection.ts";
import type { Options } from "./options.ts";
import type { HybridGraphStore, JsonGraphStore } from "./port.ts";
import { HYBRID_MIGRATIONS, JSON_MIGRATIONS } from "./schema.ts";

/** The graphs a task holds; `await using` closes what it opened. */
export interface Graphs extends AsyncDisposable {
  /** The jsongraph. */
  json: JsonGraphStore;
  /** The hybridgraph, opened on first call (a failure is thrown on each call). */
  hybrid(): Promise<HybridGraphStore>;
  /** Names both graphs: the periodic sync's lease is per identity. */
  identity: string;
}

/**
 * Where each graph lives on Neo4j under the flags and configuration.
 *
 * @param flags The task's graph flags.
 * @param config The configuration (NEO4J_*).
 * @returns The jsongraph's and the hybridgraph's targets.
 * @throws {UsageError} When NEO4J_URI is unset, or the layout needs NEO4J_HYBRID_URI.
 *
 * @example Two servers when NEO4J_HYBRID_URI differs
 * ```ts
 * import assert from "node:assert/strict";
 * import { neo4jTargets } from "./graphs.ts";
 * const [json, hybrid] = neo4jTargets(
 *   { layout: "auto", namespace: "", json_database: "j", hybrid_database: "h" } as never,
 *   { neo4j: { uri: "bolt://a:1", hybridUri: "bolt://b:2" } } as never,
 * );
 * assert.deepEqual([json.uri, hybrid.uri], ["bolt://a:1", "bolt://b:2"]);
 * ```
 */
export function neo4jTargets(flags: GraphFlags, config: WeirConfig): [Neo4jTarget, Neo4jTarget] {
  const { uri, hybridUri, user, password } = config.neo4j;
  if (!uri) {
    throw new UsageError(
      "Cannot use --backend neo4j as NEO4J_URI is not set: set it to the jsongraph server's bolt URI",
    );
  }
  const layout = flags.layout === "auto"
    ? (hybridUri && hybridUri !== uri ? "servers" : "labels")
    : flags.layout;
  if (layout === "servers" && !hybridUri) {
    throw new UsageError(
      "Cannot use --layout servers as NEO4J_HYBRID_URI is not set: set it to the hybridgraph server's bolt URI",
    );
  }
  const base = { user, password, namespace: flags.namespace };
  const json: Neo4jTarget = { ...base, uri };
  const hybrid: Neo4jTarget = { ...base, uri: layout === "servers" ? hybridUri! : uri };
  if (layout === "databases") {
    json.database = flags.json_database;
    hybrid.database = flags.hybrid_database;
  }
  return [json, hybrid];
}

/** The embedded files under the flags and the home. */
export function embeddedPaths(
  flags: GraphFlags,
  home: string,
  options: Options,
): { json: string; hybrid: string } {
  return {
    json: resolve(home, flags.json_db ?? options.jsonDatabase),
    hybrid: resolve(home, flags.hybrid_db ?? options.hybridDatabase),
  };
}

/**
 * The identity of embedded graphs (what leases and sync records are keyed by).
 *
 * @param paths The two files.
 * @returns The identity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddedIdentity, syncLeaseName } from "./graphs.ts";
 * const id = embeddedIdentity({ json: "/h/j.db", hybrid: "/h/h.db" });
 * assert.equal(syncLeaseName(id), "graph.sync sqlite:/h/j.db + sqlite:/h/h.db");
 * ```
 */
export function embeddedIdentity(paths: { json: string; hybrid: string }): string {
  return `sqlite:${paths.json} + sqlite:${paths.hybrid}`;
}

/**
 * The name of the lease a sync round holds on some graphs.
 *
 * @param identity The graphs' identity.
 * @returns The lease name.
 */
export function syncLeaseName(identity: string): string {
  return `graph.sync ${identity}`;
}

/** The state database (leases, checkpoints) under the home. */
export function statePath(home: string, options: Options): string {
  return resolve(home, options.stateDatabase);
}

/**
 * What opening the graphs and the state database needs.
 *
 * @param flags The task's graph flags.
 * @param config The configuration.
 * @param options The plugin's options.
 * @returns The needs: the folders of the files; the Neo4j hosts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { graphNeeds } from "./graphs.ts";
 * import { defaults } from "./options.ts";
 * const needs = graphNeeds({ backend: "embedded" } as never, { home: "/h" } as never, defaults);
 * assert.deepEqual(needs.write, ["/h/graph"]);
 * ```
 */
export function graphNeeds(
  flags: GraphFlags,
  config: WeirConfig,
  options: Options,
): PermissionNeeds {
  const folders = (paths: string[]): PermissionNeeds => {
    const dirs = [...new Set(paths.map((p) => dirname(p)))];
    return { read: dirs, write: dirs };
  };
  const state = statePath(config.home, options);
  if (flags.backend === "embedded") {
    const { json, hybrid } = embeddedPaths(flags, config.home, options);
    return folders([state, json, hybrid]);
  }
  const hosts = neo4jTargets(flags, config).map((t) => {
    const url = new URL(t.uri);
    return `${url.hostname}:${url.port || "7687"}`;
  });
  // neo4j-driver reads the OS release for its user agent.
  return mergeNeeds(folders([state]), { net: [...new Set(hosts)], sys: ["osRelease"] });
}

/**
 * Opens the graphs for a task: the jsongraph now, the hybridgraph on
 * first use. Embedded files are the task's databases (closed with it).
 *
 * @param ctx The task's context.
 * @param flags The task's graph flags.
 * @param options The plugin's options.
 * @returns The graphs.
 * @throws {UsageError} When the Neo4j settings are missing.
 */
export async function openGraphs(
  ctx: TaskContext,
  flags: GraphFlags,
  options: Options,
): Promise<Graphs> {
  if (flags.backend === "embedded") {
    const paths = embeddedPaths(flags, ctx.config.home, options);
    const jdb = await ctx.database({ path: paths.json, migrations: JSON_MIGRATIONS });
    const { SqliteJsonGraph } = await import("./sqlite_json.ts");
    const json = new SqliteJsonGraph(jdb.db, paths.json);
    let hybrid: Promise<HybridGraphStore> | undefined;
    return {
      json,
      identity: embeddedIdentity(paths),
      hybrid: () =>
        hybrid ??= (async () => {
          const hdb = await ctx.database({ path: paths.hybrid, migrations: HYBRID_MIGRATIONS });
          const { SqliteHybridGraph } = await import("./sqlite_hybrid.ts");
          return new SqliteHybridGraph(hdb.db, paths.hybrid);
        })(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  const [jsonTarget, hybridTarget] = neo4jTargets(flags, ctx.config);
  const [{ Neo4jConnection }, { Neo4jJsonGraph }, { Neo4jHybridGraph }] = await Promise.all([
    import("./neo4j_connection.ts"),
    import("./neo4j_json.ts"),
    import("./neo4j_hybrid.ts"),
  ]);
  const json = await Neo4jJsonGraph.open(await Neo4jConnection.open(jsonTarget), flags.batch_size);
  let hybrid: Promise<HybridGraphStore> | undefined;
  const identity = `${json.identity} + ${hybridTarget.uri}${
    hybridTarget.database ? `/${hybridTarget.database}` : ""
  }`;
  return {
    json,
    identity,
    hybrid: () =>
      hybrid ??= (async () =>
        await Neo4jHybridGraph.open(await Neo4jConnection.open(hybridTarget), flags.batch_size))(),
    async [Symbol.asyncDispose]() {
      await json.close();
      const opened = await hybrid?.catch(() => undefined);
      await opened?.close();
    },
  };
}

/** The checkpoint scope where syncs record their last run, per graph identity. */
export const SYNC_SCOPE = "graph.sync";

/** What a sync records about its last run. */
export interface LastSync {
  /** The kernel's run id. */
  run_id: string;
  /** When it ended (ISO 8601). */
  at: string;
  /** Documents it synced. */
  documents_synced: number;
  /** Documents that failed. */
  errors: number;
}

/**
 * Opens the plugin's state database (checkpoints, leases) for a task.
 *
 * @param ctx The task's context.
 * @param options The plugin's options.
 * @param scope Whose checkpoints to read and write.
 * @returns The database and its checkpoints.
 */
export async function openState(
  ctx: TaskContext,
  options: Options,
  scope: string,
): Promise<TaskDatabase> {
  const { STATE_MIGRATIONS } = await import("./schema.ts");
  return await ctx.database({
    path: statePath(ctx.config.home, options),
    migrations: STATE_MIGRATIONS,
    checkpointScope: scope,
  });
}
