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

/** The rows a sync decides, by table: the page's path, the other columns, and where from. */
const TABLES: Record<string, { path: string; columns: string; from: string }> = {
  pages: {
    path: "path",
    columns: "version, content_sha, outcome, reason, line, warning, warning_line",
    from: "pages",
  },
  ontologies: {
    path: "path",
    columns: "content_sha, term_id, preferred_term, definition, owl_class, properties",
    from: "ontologies",
  },
  owl_classes: { path: "o.path", columns: "c.class_iri", from: "owl_classes c" },
  owl_properties: { path: "o.path", columns: "p.property_iri, p.kind", from: "owl_properties p" },
  owl_individuals: { path: "o.path", columns: "i.individual_iri", from: "owl_individuals i" },
  axioms: {
    path: "o.path",
    columns: "a.ordinal, a.axiom_type, a.subject_iri, a.class_iri, a.text, a.line",
    from: "axioms a",
  },
  relationships: { path: "o.path", columns: "r.property, r.target", from: "relationships r" },
};

/** `FROM` with the join to the page's ontology, for the tables keyed by ontology id. */
function fromOf(t: { path: string; from: string }): string {
  const alias = t.from.split(" ")[1];
  return t.path === "path" ? t.from : `${t.from} JOIN ontologies o ON o.id = ${alias}.ontology_id`;
}

/** Every row, ordered by all its columns. */
const DUMP = Object.fromEntries(
  Object.entries(TABLES).map(([table, t]) => [
    table,
    `SELECT ${t.path}, ${t.columns} FROM ${fromOf(t)} ORDER BY ${t.path}, ${t.columns}`,
  ]),
);

/** Each page's rows as JSON lines, ordered by all their columns, one row per page. */
const PAGE_ROWS = Object.fromEntries(
  Object.entries(TABLES).map(([table, t]) => [
    table,
    `SELECT ${t.path} AS path,
      group_concat(json_array(${t.columns}), char(10) ORDER BY ${t.columns}) AS rows
    FROM ${fromOf(t)} GROUP BY ${t.path}`,
  ]),
);

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
 * The rows of {@linkcode dumpOntology}, grouped by table and page in SQLite:
 * each key is `<table>\t<path>`, each value that page's rows in that table
 * as JSON arrays, one a line, ordered by all their columns. Two maps compare
 * with `===` per key: at 10,000 pages (about 400,000 rows) this takes about
 * a fifth of the time of dumping and deep-comparing the rows as objects.
 *
 * @param path The database file.
 * @returns The rows by table and page.
 */
export function pageRows(path: string): Map<string, string> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = new Map<string, string>();
    for (const [table, sql] of Object.entries(PAGE_ROWS)) {
      for (const row of db.prepare(sql).all()) rows.set(`${table}\t${row.path}`, String(row.rows));
    }
    return rows;
  } finally {
    db.close();
  }
}

/**
 * Asserts that `got` holds the same rows as `want`, table by table and page
 * by page; with `pages`, only `want`'s rows for those pages are expected
 * (a database killed mid-sync holds some pages, each of them whole).
 *
 * @param got Rows of the database under test ({@linkcode pageRows}).
 * @param want Rows of a clean run.
 * @param what Names the case in the failure message.
 * @param pages The pages expected, when not all of `want`'s.
 */
export function assertSameRows(
  got: Map<string, string>,
  want: Map<string, string>,
  what: string,
  pages?: Set<string>,
): void {
  const expected = (key: string) => !pages || pages.has(key.slice(key.indexOf("\t") + 1));
  const differ = [...new Set([...got.keys(), ...want.keys()])].filter((key) =>
    expected(key) ? got.get(key) !== want.get(key) : got.has(key)
  );
  assert.deepEqual(
    differ.slice(0, 3).map((key) => ({ key, got: got.get(key), want: want.get(key) })),
    [],
    `${what}: ${differ.length} (table, page) pairs differ from the clean run`,
  );
}

/**
 * The pages a database holds, from its {@linkcode pageRows}.
 *
 * @param rows Rows by table and page.
 * @returns The paths of its `pages` rows.
 */
export function pagesIn(rows: Map<string, string>): Set<string> {
  return new Set([...rows.keys()].filter((k) => k.startsWith("pages\t")).map((k) => k.slice(6)));
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

/** The repository's root: the working directory of a sync. */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The `deno` arguments of `weir run streaming.sync` as a user runs it, with
 * only the permissions it needs: read the repository and the home, write
 * the home. Run them in {@linkcode REPO_ROOT}.
 *
 * @param home The weir home (holds `src` and `db`).
 * @param src The page directory.
 * @param db The database file.
 * @param v8Flags Extra `--v8-flags` (the bench runs as `deno task sync:ontology` does).
 * @param extra More flags for the task (`--wait`, `--allow-mass-delete`, ...).
 * @returns The arguments.
 */
export function syncArgs(
  home: string,
  src: string,
  db: string,
  v8Flags?: string,
  extra: string[] = [],
): string[] {
  return [
    "run",
    ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
    `--allow-read=${REPO_ROOT},${home}`,
    `--allow-write=${home}`,
    "main.ts",
    ...["--home", home, "--quiet", "run", "streaming.sync", "--source", `dir:${src}`],
    ...["--db", db, "--workers", "4", ...extra],
  ];
}

/**
 * Starts {@linkcode syncArgs}' sync in its own process; stdout and stderr
 * are piped.
 *
 * @param home The weir home (holds `src` and `db`).
 * @param src The page directory.
 * @param db The database file.
 * @param v8Flags Extra `--v8-flags`.
 * @param extra More flags for the task.
 * @returns The running process.
 */
export function spawnSync(
  home: string,
  src: string,
  db: string,
  v8Flags?: string,
  extra: string[] = [],
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: syncArgs(home, src, db, v8Flags, extra),
    cwd: REPO_ROOT,
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
