/**
 * Helpers for streaming tests: write generated pages to a directory, and
 * dump an ontology database in a stable, comparable form.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { checkDatabase } from "../../plugins/streaming/check.ts";
import { OntologyStore } from "../../plugins/streaming/store.ts";
import { type GenerateOptions, generatePages } from "../../fixtures/ontology/generate.ts";

/**
 * Writes generated pages under `dir` and returns their verdicts by path.
 *
 * @param dir The directory.
 * @param options Count and seed.
 * @returns Each page's expected verdict.
 */
export async function writePages(
  dir: string,
  options: GenerateOptions = {},
): Promise<Map<string, string>> {
  const expect = new Map<string, string>();
  for (const page of generatePages(options)) {
    const file = join(dir, page.path);
    await Deno.mkdir(dirname(file), { recursive: true });
    await Deno.writeTextFile(file, page.text);
    expect.set(page.path, page.expect);
  }
  return expect;
}

const DUMP = {
  pages:
    "SELECT path, version, content_sha, outcome, reason, line, warning, warning_line FROM pages ORDER BY path",
  ontologies: `SELECT path, content_sha, term_id, preferred_term, definition, owl_class, properties
    FROM ontologies ORDER BY path`,
  owl_classes:
    `SELECT o.path, c.class_iri FROM owl_classes c JOIN ontologies o ON o.id = c.ontology_id
    ORDER BY 1, 2`,
  owl_properties: `SELECT o.path, p.property_iri, p.kind FROM owl_properties p
    JOIN ontologies o ON o.id = p.ontology_id ORDER BY 1, 2`,
  owl_individuals: `SELECT o.path, i.individual_iri FROM owl_individuals i
    JOIN ontologies o ON o.id = i.ontology_id ORDER BY 1, 2`,
  axioms: `SELECT o.path, a.ordinal, a.axiom_type, a.subject_iri, a.class_iri, a.text, a.line
    FROM axioms a JOIN ontologies o ON o.id = a.ontology_id ORDER BY 1, 2`,
  relationships: `SELECT o.path, r.property, r.target FROM relationships r
    JOIN ontologies o ON o.id = r.ontology_id ORDER BY 1, 2, 3`,
};

/**
 * Every row of an ontology database that a sync decides, without ids,
 * run ids and timestamps, so two databases can be compared row for row.
 *
 * @param path The database file.
 * @returns Rows by table.
 */
export function dumpOntology(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Object.fromEntries(
      Object.entries(DUMP).map(([table, sql]) => [table, db.prepare(sql).all()]),
    );
  } finally {
    db.close();
  }
}

/**
 * Counts rows of one table, reading without locking out the writer.
 *
 * @param path The database file.
 * @param sql A `SELECT count(*) AS n ...` query.
 * @returns The count, or 0 when the database or table does not exist yet.
 */
export function countRows(path: string, sql: string): number {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return Number(db.prepare(sql).get()?.n ?? 0);
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/**
 * Asserts that a database passes integrity_check and foreign_key_check and
 * holds no orphan rows.
 *
 * @param path The database file.
 */
export function assertCleanDatabase(path: string): void {
  const store = OntologyStore.openExisting(path);
  try {
    const check = checkDatabase(store.db);
    assert.deepEqual(check.integrity, ["ok"]);
    assert.deepEqual(check.foreign_keys, []);
    assert.ok(Object.values(check.orphans).every((n) => n === 0), JSON.stringify(check.orphans));
  } finally {
    store.close();
  }
}

/**
 * Starts `weir run streaming.sync` as a user does, in its own process, with
 * only the permissions it needs: read the repository and the home, write the
 * home. stdout and stderr are piped.
 *
 * @param home The weir home (holds `src` and `db`).
 * @param src The page directory.
 * @param db The database file.
 * @param v8Flags Extra `--v8-flags` (the bench runs as `deno task sync:ontology` does).
 * @param extra More flags for the task (`--wait`, `--allow-mass-delete`, ...).
 * @returns The running process.
 */
export function spawnSync(
  home: string,
  src: string,
  db: string,
  v8Flags?: string,
  extra: string[] = [],
): Deno.ChildProcess {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
      `--allow-read=${root},${home}`,
      `--allow-write=${home}`,
      "main.ts",
      "--home",
      home,
      "--quiet",
      "run",
      "streaming.sync",
      "--source",
      `dir:${src}`,
      "--db",
      db,
      "--workers",
      "4",
      ...extra,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
}

/**
 * Waits for a child's exit and its output; stdout parsed as the JSON envelope.
 *
 * @param child The process.
 * @returns Its status, envelope (when it printed one) and stderr.
 */
export async function finish(child: Deno.ChildProcess): Promise<{
  status: Deno.CommandStatus;
  // deno-lint-ignore no-explicit-any -- the envelope's output is per task
  envelope: any;
  stderr: string;
}> {
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { status, envelope: stdout.trim() ? JSON.parse(stdout) : undefined, stderr };
}
