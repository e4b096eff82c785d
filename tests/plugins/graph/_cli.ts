/**
 * Running graph tasks as a user does (a `weir` subprocess on a fresh home)
 * and opening that home's embedded graphs to check what they hold.
 *
 * @module
 */
import { join } from "node:path";
import { type CliRun, weir } from "../../helpers/cli.ts";
import { migrate, openSqlite } from "../../../lib/sqlite/mod.ts";
import { HYBRID_MIGRATIONS, JSON_MIGRATIONS } from "../../../plugins/graph/schema.ts";
import { SqliteHybridGraph } from "../../../plugins/graph/sqlite_hybrid.ts";
import { SqliteJsonGraph } from "../../../plugins/graph/sqlite_json.ts";
import type { Json } from "../../../plugins/graph/tree.ts";
import type { Graphs } from "./_graphs.ts";

/** The permissions the test runs grant. */
export const PERMS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-net=127.0.0.1,localhost",
];

/**
 * Runs `weir --home <home> run <args>`.
 *
 * @param home The home.
 * @param args The task id and its flags.
 * @param env Extra environment.
 * @returns The run.
 */
export function graphRun(
  home: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return weir(["--home", home, "run", ...args], { perms: PERMS, env });
}

/** The output of a run that printed its JSON envelope. */
export function outputOf<T = Record<string, unknown>>(run: CliRun): T {
  const json = run.json as { output?: T } | undefined;
  if (!json?.output) throw new Error(`no output (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  return json.output;
}

/** Writes documents as `<dir>/<id>.json`. */
export async function writeDocs(dir: string, docs: Record<string, Json>): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [id, doc] of Object.entries(docs)) {
    await Deno.writeTextFile(join(dir, `${id}.json`), JSON.stringify(doc));
  }
}

/** Opens the embedded graphs of a home (default paths, or those given). */
export function openHomeGraphs(
  home: string,
  paths: { json?: string; hybrid?: string } = {},
): Graphs {
  const jpath = paths.json ?? join(home, "graph", "jsongraph.db");
  const hpath = paths.hybrid ?? join(home, "graph", "hybridgraph.db");
  const jdb = openSqlite(jpath);
  migrate(jdb, jpath, JSON_MIGRATIONS);
  const hdb = openSqlite(hpath);
  migrate(hdb, hpath, HYBRID_MIGRATIONS);
  return {
    json: new SqliteJsonGraph(jdb, jpath),
    hybrid: new SqliteHybridGraph(hdb, hpath),
    close() {
      jdb.close();
      hdb.close();
      return Promise.resolve();
    },
  };
}
