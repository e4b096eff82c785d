/**
 * `weir run streaming.check` on damaged databases, as a script sees it: exit
 * 1, no stack trace, and on stdout the JSON envelope whose `output` carries
 * `ok: false` and every finding as fields (what `PRAGMA integrity_check`,
 * `PRAGMA foreign_key_check` and the orphan counts found).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type CliRun, ROOT, weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const SAMPLE = join(ROOT, "fixtures/ontology/sample");

/** A database synced from the committed sample by the CLI, as a user makes one. */
async function syncedDb(home: string): Promise<string> {
  const db = join(home, "o.db");
  const sync = await weir([
    "--home",
    home,
    "run",
    "streaming.sync",
    "--source",
    `dir:${SAMPLE}`,
    "--db",
    db,
  ]);
  assert.equal(sync.code, 3, sync.stderr); // The sample holds malformed pages.
  return db;
}

/** A failed check's envelope: the task's output, the error, the counters. */
// deno-lint-ignore no-explicit-any -- the output's fields are read one by one
type Failed = { output: any; error: string; counters: Record<string, number> };

/** The envelope of a failed check, with no stack trace anywhere. */
function failedCheck(run: CliRun): Failed {
  assert.equal(run.code, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(run.stdout, /\n\s+at /, "no stack trace");
  const envelope = JSON.parse(run.stdout); // stdout holds the envelope and nothing else
  assert.equal(envelope.name, "streaming.check");
  assert.equal(envelope.status, "failed");
  return envelope;
}

/** Runs a PRAGMA on the file directly, as the expected value. */
function pragma(db: string, name: string): Record<string, unknown>[] {
  const conn = new DatabaseSync(db, { readOnly: true });
  try {
    return conn.prepare(`PRAGMA ${name}`).all().map((r) => ({ ...r }));
  } finally {
    conn.close();
  }
}

Deno.test("streaming.check on a database with a corrupted index: exit 1, output ok: false with integrity_check's lines", async () => {
  await using tmp = await tempDir("weir-check-index-");
  const db = await syncedDb(tmp.path);
  // An index whose entries no longer match its table: SQLite reads the file, and only
  // integrity_check tells.
  const conn = new DatabaseSync(
    db,
    { defensive: false } as ConstructorParameters<typeof DatabaseSync>[1],
  );
  conn.exec(`CREATE TABLE probe (x INTEGER); CREATE INDEX probe_x ON probe (x);
    INSERT INTO probe VALUES (1), (2), (3);
    PRAGMA writable_schema = ON;
    UPDATE sqlite_schema SET sql = 'CREATE INDEX probe_x ON probe (x DESC)' WHERE name = 'probe_x';`);
  conn.close();
  const integrity = pragma(db, "integrity_check").map((r) => String(Object.values(r)[0]));
  assert.ok(integrity.length >= 1 && integrity.every((l) => /missing from index probe_x/.test(l)));

  const run = await weir(["--home", tmp.path, "run", "streaming.check", "--db", db]);
  const envelope = failedCheck(run);
  assert.deepEqual(envelope.output, {
    db,
    ok: false,
    integrity,
    foreign_keys: [],
    orphans: {},
    rows: {},
  });
  assert.equal(envelope.counters.integrity_problems, integrity.length);
  const n = integrity.length;
  assert.equal(
    envelope.error,
    `Cannot vouch for "${db}" as its checks failed: integrity_check found ${n} problem${
      n === 1 ? "" : "s"
    }: ${JSON.stringify(integrity[0])}${n > 1 ? " and more" : ""} (every finding is in the output)`,
  );
});

Deno.test("streaming.check on a database with orphan rows: exit 1, output ok: false with the foreign-key violations and orphan counts", async () => {
  await using tmp = await tempDir("weir-check-orphans-");
  const db = await syncedDb(tmp.path);
  // A relationship whose ontology is gone, written with foreign keys off (as a tool might).
  const conn = new DatabaseSync(db);
  conn.exec(`PRAGMA foreign_keys = OFF;
    CREATE TEMP TABLE orphan AS SELECT * FROM relationships LIMIT 1;
    UPDATE orphan SET ontology_id = 999999999;
    INSERT INTO relationships SELECT * FROM orphan;`);
  conn.close();
  const foreignKeys = pragma(db, "foreign_key_check").map((r) => ({
    table: String(r.table),
    parent: String(r.parent),
    rowid: r.rowid === null ? null : Number(r.rowid),
  }));
  assert.ok(foreignKeys.some((f) => f.table === "relationships" && f.parent === "ontologies"));

  const run = await weir(["--home", tmp.path, "run", "streaming.check", "--db", db]);
  const { output, error } = failedCheck(run);
  assert.equal(output.db, db);
  assert.equal(output.ok, false);
  assert.deepEqual(output.integrity, ["ok"]);
  assert.deepEqual(output.foreign_keys, foreignKeys);
  assert.equal(output.orphans.relationships_without_ontology, 1);
  const others = Object.entries(output.orphans).filter(([k]) =>
    k !== "relationships_without_ontology"
  );
  assert.deepEqual(others.filter(([, v]) => v !== 0), []);
  assert.ok(output.rows.relationships > 1);
  const fk = foreignKeys.length;
  assert.equal(
    error,
    `Cannot vouch for "${db}" as its checks failed: ${fk} foreign-key violation${
      fk === 1 ? "" : "s"
    }; orphan rows: relationships_without_ontology=1 (every finding is in the output)`,
  );

  // The run record keeps the findings too.
  const shown = await weir(["--home", tmp.path, "runs", "show", JSON.parse(run.stdout).run_id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual((shown.json as { output: unknown }).output, output);
});
