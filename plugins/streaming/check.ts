/**
 * `streaming.check`: `PRAGMA integrity_check`, `PRAGMA foreign_key_check`,
 * and counts of orphan rows (rows whose parent is gone). Any problem makes
 * the run fail (exit 1) with the problems listed in its error and every
 * finding as fields of its output: `ok: false`, what `integrity_check`
 * found, and the rest ({@linkcode CheckFailedError}).
 *
 * The database is opened as it is, without weir's migrations or its WAL
 * switch, so a corrupted file is reported rather than refused: when SQLite
 * cannot even read it, the error SQLite gave stands in for
 * `integrity_check`'s lines.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { UsageError, WeirError } from "../../lib/errors.ts";
import { z } from "zod";
import { defineTask, type Task } from "../../kernel/task.ts";
import type { Options } from "./options.ts";
import { dbNeeds, dbPath } from "./database.ts";

/** What `streaming.check` finds, without the database and the verdict. */
export type CheckFindings = {
  /** `PRAGMA integrity_check`'s lines (`["ok"]` when sound), or SQLite's error when it cannot read the file. */
  integrity: string[];
  /** `PRAGMA foreign_key_check`'s violations. */
  foreign_keys: { table: string; parent: string; rowid: number | null }[];
  /** Orphan rows by kind. */
  orphans: Record<string, number>;
  /** Rows by table. */
  rows: Record<string, number>;
};

/**
 * A database failed its checks: exit 1, a short account in the message,
 * and every finding as fields of the run's output (`ok: false`, `integrity`,
 * `foreign_keys`, `orphans`, `rows`), which the CLI prints in the envelope's
 * `output` as it does for a database that passes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CheckFailedError } from "./check.ts";
 * const integrity = ["Page 3: btreeInitPage() returns error code 11"];
 * const err = new CheckFailedError("/h/o.db", { integrity, foreign_keys: [], orphans: {}, rows: {} });
 * assert.equal(err.exitCode, 1);
 * assert.equal(
 *   err.message,
 *   'Cannot vouch for "/h/o.db" as its checks failed: integrity_check found 1 problem: "Page 3: btreeInitPage() returns error code 11" (every finding is in the output)',
 * );
 * assert.deepEqual(err.output, { db: "/h/o.db", ok: false, integrity, foreign_keys: [], orphans: {}, rows: {} });
 * ```
 */
export class CheckFailedError extends WeirError {
  /** What the checks found. */
  readonly findings: CheckFindings;

  /**
   * Creates the error.
   *
   * @param db The database.
   * @param findings What the checks found.
   */
  constructor(db: string, findings: CheckFindings) {
    super(
      `Cannot vouch for "${db}" as its checks failed: ${
        problems(findings).join("; ")
      } (every finding is in the output)`,
      "check_failed",
      1,
      { output: { db, ok: false, ...findings } },
    );
    this.name = "CheckFailedError";
    this.findings = findings;
  }
}

/** The problems in a few words each. */
function problems(f: CheckFindings): string[] {
  const out: string[] = [];
  const integrity = f.integrity.filter((line) => line !== "ok");
  if (integrity.length) {
    const n = integrity.length;
    out.push(
      `integrity_check found ${n} problem${n === 1 ? "" : "s"}: ${JSON.stringify(integrity[0])}${
        n > 1 ? " and more" : ""
      }`,
    );
  }
  const fk = f.foreign_keys.length;
  if (fk) out.push(`${fk} foreign-key violation${fk === 1 ? "" : "s"}`);
  const orphans = Object.entries(f.orphans).filter(([, n]) => n > 0);
  if (orphans.length) out.push(`orphan rows: ${orphans.map(([k, n]) => `${k}=${n}`).join(", ")}`);
  return out;
}

const input = z.object({
  db: z.string().optional().describe("SQLite database (default <home>/streaming/ontology.db)"),
});

const output = z.object({
  db: z.string(),
  ok: z.boolean(),
  integrity: z.array(z.string()),
  foreign_keys: z.array(
    z.object({ table: z.string(), parent: z.string(), rowid: z.number().nullable() }),
  ),
  orphans: z.record(z.string(), z.number()),
  rows: z.record(z.string(), z.number()),
});

const ORPHANS: Record<string, string> = {
  ontologies_without_page: `SELECT count(*) AS n FROM ontologies o
    WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.source_id = o.source_id AND p.path = o.path)`,
  saved_pages_without_ontology: `SELECT count(*) AS n FROM pages p WHERE p.outcome = 'saved'
    AND NOT EXISTS (SELECT 1 FROM ontologies o WHERE o.source_id = p.source_id AND o.path = p.path)`,
  classes_without_ontology: `SELECT count(*) AS n FROM owl_classes c
    WHERE NOT EXISTS (SELECT 1 FROM ontologies o WHERE o.id = c.ontology_id)`,
  axioms_without_ontology: `SELECT count(*) AS n FROM axioms a
    WHERE NOT EXISTS (SELECT 1 FROM ontologies o WHERE o.id = a.ontology_id)`,
  relationships_without_ontology: `SELECT count(*) AS n FROM relationships r
    WHERE NOT EXISTS (SELECT 1 FROM ontologies o WHERE o.id = r.ontology_id)`,
};

const TABLES = [
  "sources",
  "pages",
  "ontologies",
  "owl_classes",
  "owl_properties",
  "owl_individuals",
  "axioms",
  "relationships",
];

/**
 * Runs every check on a database.
 *
 * @param db The connection.
 * @returns Integrity messages, foreign-key violations, orphan and row counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDatabase } from "./check.ts";
 * import { OntologyStore } from "./store.ts";
 * const store = OntologyStore.open(":memory:");
 * assert.deepEqual(checkDatabase(store.db).integrity, ["ok"]);
 * store.close();
 * ```
 */
export function checkDatabase(db: DatabaseSync): CheckFindings {
  return {
    integrity: db.prepare("PRAGMA integrity_check").all().map((r) => String(Object.values(r)[0])),
    foreign_keys: db.prepare("PRAGMA foreign_key_check").all().map((r) => ({
      table: String(r.table),
      parent: String(r.parent),
      rowid: r.rowid === null ? null : Number(r.rowid),
    })),
    orphans: Object.fromEntries(
      Object.entries(ORPHANS).map(([name, sql]) => [name, Number(db.prepare(sql).get()!.n)]),
    ),
    rows: Object.fromEntries(
      TABLES.map((t) => [t, Number(db.prepare(`SELECT count(*) AS n FROM ${t}`).get()!.n)]),
    ),
  };
}

/**
 * Creates the check task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTask } from "./check.ts";
 * assert.equal(checkTask({ database: "s.db" }).id, "streaming.check");
 * ```
 */
export function checkTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "streaming.check",
    summary: "Checks the database: integrity, foreign keys, orphan rows",
    input,
    output,
    permissions: (i, config) => dbNeeds(dbPath(i.db, config.home, options)),
    run(ctx, i) {
      const db = dbPath(i.db, ctx.config.home, options);
      if (!existsSync(db)) {
        return Promise.reject(
          new UsageError(
            `Cannot open the ontology database as it does not exist (run streaming.sync first): current value is "${db}"`,
          ),
        );
      }
      const result = checkFile(db);
      const ok = result.integrity.length === 1 && result.integrity[0] === "ok" &&
        result.foreign_keys.length === 0 &&
        Object.values(result.orphans).every((n) => n === 0);
      ctx.counters.set("integrity_problems", ok ? 0 : result.integrity.length);
      if (!ok) {
        ctx.log.error("database check failed", { ...result });
        return Promise.reject(new CheckFailedError(db, result));
      }
      return Promise.resolve({ db, ok, ...result });
    },
  });
}

/** Checks a file as it is; what SQLite cannot read is a finding, not a failure to run. */
function checkFile(path: string): CheckFindings {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    const integrity = db.prepare("PRAGMA integrity_check").all()
      .map((r) => String(Object.values(r)[0]));
    if (integrity.length !== 1 || integrity[0] !== "ok") {
      return { integrity, foreign_keys: [], orphans: {}, rows: {} };
    }
    return checkDatabase(db);
  } catch (err) {
    return { integrity: [(err as Error).message], foreign_keys: [], orphans: {}, rows: {} };
  } finally {
    db?.close();
  }
}
