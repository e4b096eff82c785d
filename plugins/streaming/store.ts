/**
 * The ontology store: one SQLite database; each page's data and its
 * checkpoint row (`pages`) are written together, in one transaction, or in
 * one savepoint of a shared transaction (`group_commit.ts`). Tasks
 * get the connection from their context (`openOntologyDatabase` in
 * `database.ts`); `OntologyStore.open` serves tests and benchmarks.
 *
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { UsageError } from "../../lib/errors.ts";
import { migrate } from "../../lib/sqlite/migrations.ts";
import { openSqlite, transaction } from "../../lib/sqlite/open.ts";
import type { OntologyPage, PageRef, PageWarningFact } from "./model.ts";
import { MIGRATIONS } from "./schema.ts";

/** What the store knows of a page from an earlier sync. */
export interface PageState {
  /** The source's change token when it was synced. */
  version: string;
  /** sha256 of its content, when it was read. */
  contentSha: string | null;
  /** How it went. */
  outcome: "saved" | "skipped" | "failed";
}

const PROPERTY_KINDS = new Set(["ObjectProperty", "DataProperty", "AnnotationProperty"]);

/**
 * The streaming plugin's database.
 *
 * @example Save a page and read its state back
 * ```ts
 * import assert from "node:assert/strict";
 * import { OntologyStore } from "./store.ts";
 * const store = OntologyStore.open(":memory:");
 * const source = store.source("dir", "/pages");
 * store.savePage(source, { path: "a.md", version: "v1" }, "sha", {
 *   termId: "T1", preferredTerm: "A", definition: null, owlClass: "mv:A",
 *   properties: [["term-id", "T1"]], declarations: [{ kind: "Class", iri: "mv:A" }],
 *   axioms: [], relationships: [],
 * }, "run-1");
 * assert.equal(store.pageStates(source).get("a.md")?.outcome, "saved");
 * store.close();
 * ```
 */
export class OntologyStore {
  /** The connection (for status and checks). */
  readonly db: DatabaseSync;
  #s: Record<string, StatementSync>;
  #ownsDb = false;

  /**
   * A store over a connection migrated with `MIGRATIONS` (from `schema.ts`);
   * {@linkcode OntologyStore.close} leaves that connection open.
   *
   * @param db The connection.
   */
  constructor(db: DatabaseSync) {
    this.db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      upsertPage: p(
        `INSERT INTO pages (source_id, path, version, content_sha, outcome, reason, line, run_id,
           synced_at, warning, warning_line)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_id, path) DO UPDATE SET version = excluded.version,
           content_sha = excluded.content_sha, outcome = excluded.outcome, reason = excluded.reason,
           line = excluded.line, run_id = excluded.run_id, synced_at = excluded.synced_at,
           warning = excluded.warning, warning_line = excluded.warning_line`,
      ),
      touchPage: p(
        "UPDATE pages SET version = ?, run_id = ?, synced_at = ? WHERE source_id = ? AND path = ?",
      ),
      deleteOntology: p("DELETE FROM ontologies WHERE source_id = ? AND path = ?"),
      insertOntology: p(
        `INSERT INTO ontologies (source_id, path, content_sha, term_id, preferred_term, definition,
           owl_class, properties, last_synced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertClass: p("INSERT OR IGNORE INTO owl_classes (ontology_id, class_iri) VALUES (?, ?)"),
      insertProperty: p(
        "INSERT OR IGNORE INTO owl_properties (ontology_id, property_iri, kind) VALUES (?, ?, ?)",
      ),
      insertIndividual: p(
        "INSERT OR IGNORE INTO owl_individuals (ontology_id, individual_iri) VALUES (?, ?)",
      ),
      insertAxiom: p(
        `INSERT INTO axioms (ontology_id, ordinal, axiom_type, subject_iri, class_iri, text, line)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertRelationship: p(
        "INSERT OR IGNORE INTO relationships (ontology_id, property, target) VALUES (?, ?, ?)",
      ),
      deletePage: p("DELETE FROM pages WHERE source_id = ? AND path = ?"),
      pageStates: p(
        "SELECT path, version, content_sha, outcome FROM pages WHERE source_id = ?",
      ),
    };
  }

  /**
   * Opens (creating and migrating) the database; the store owns the
   * connection and closes it.
   *
   * @param path The database file, or `":memory:"`.
   * @returns The store.
   * @throws {SchemaTooNewError} When the file was written by a newer weir.
   * @throws {MigrationError} When migrating failed (nothing changed).
   * @throws {DatabaseError} Naming the file, when it is corrupted or locked.
   */
  static open(path: string): OntologyStore {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = openSqlite(path, {
      corruptHint:
        `restore it from a backup, or delete it and run streaming.sync again ("weir run streaming.check --db ${path}" reports the damage while it still opens)`,
    });
    try {
      migrate(db, path, MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    const store = new OntologyStore(db);
    store.#ownsDb = true;
    return store;
  }

  /**
   * Opens a database a sync wrote, refusing a missing one rather than
   * creating an empty database to report on.
   *
   * @param path The database file.
   * @returns The store.
   * @throws {UsageError} When there is no database at `path`.
   */
  static openExisting(path: string): OntologyStore {
    if (!existsSync(path)) {
      throw new UsageError(
        `Cannot open the ontology database as it does not exist (run streaming.sync first): current value is "${path}"`,
      );
    }
    return OntologyStore.open(path);
  }

  /**
   * The id of a source, created on first use.
   *
   * @param kind `dir`, `git` or `github`.
   * @param location Where it is.
   * @returns The source id.
   */
  source(kind: string, location: string): number {
    this.db.prepare(
      "INSERT INTO sources (kind, location, created_at) VALUES (?, ?, ?) ON CONFLICT (location) DO NOTHING",
    ).run(kind, location, new Date().toISOString());
    const row = this.db.prepare("SELECT id FROM sources WHERE location = ?").get(location);
    return Number(row!.id);
  }

  /**
   * What was synced of a source, by path: read once at the start of a run so
   * unchanged pages cost no query.
   *
   * @param sourceId The source.
   * @returns Page states by path.
   */
  pageStates(sourceId: number): Map<string, PageState> {
    const states = new Map<string, PageState>();
    for (const row of this.#s.pageStates.iterate(sourceId)) {
      states.set(String(row.path), {
        version: String(row.version),
        contentSha: row.content_sha === null ? null : String(row.content_sha),
        outcome: row.outcome as PageState["outcome"],
      });
    }
    return states;
  }

  /**
   * Saves a parsed page and its checkpoint together (in the open
   * transaction, else in its own), replacing what an earlier version of the
   * page left.
   *
   * @param sourceId The source.
   * @param ref The page.
   * @param contentSha sha256 of its content.
   * @param page What the parser found.
   * @param runId The sync run.
   * @param fresh The page has no row yet (the caller read the page states
   * before): there is no earlier ontology to delete, so the lookup is saved.
   */
  savePage(
    sourceId: number,
    ref: PageRef,
    contentSha: string,
    page: OntologyPage,
    runId: string,
    fresh = false,
  ): void {
    const s = this.#s;
    const now = new Date().toISOString();
    this.#atomic(() => {
      s.upsertPage.run(
        sourceId,
        ref.path,
        ref.version,
        contentSha,
        "saved",
        null,
        null,
        runId,
        now,
        null,
        null,
      );
      if (!fresh) s.deleteOntology.run(sourceId, ref.path);
      const { lastInsertRowid: id } = s.insertOntology.run(
        sourceId,
        ref.path,
        contentSha,
        page.termId,
        page.preferredTerm,
        page.definition,
        page.owlClass,
        JSON.stringify(page.properties),
        now,
      );
      const classes = new Set<string>();
      for (const d of page.declarations) {
        if (d.kind === "Class") {
          s.insertClass.run(id, d.iri);
          classes.add(d.iri);
        } else if (PROPERTY_KINDS.has(d.kind)) s.insertProperty.run(id, d.iri, d.kind);
        else s.insertIndividual.run(id, d.iri);
      }
      page.axioms.forEach((a, i) => {
        const cls = a.subject !== null && classes.has(a.subject) ? a.subject : null;
        s.insertAxiom.run(id, i, a.type, a.subject, cls, a.text, a.line);
      });
      for (const r of page.relationships) s.insertRelationship.run(id, r.property, r.target);
    });
  }

  /**
   * Records a page without an OntologyBlock, removing data an earlier
   * version of it left.
   *
   * @param sourceId The source.
   * @param ref The page.
   * @param contentSha sha256 of its content.
   * @param reason Why it was skipped.
   * @param runId The sync run.
   * @param warning Why the page looks like ontology all the same, when it does.
   * @param fresh The page has no row yet, so no earlier data to remove.
   */
  markSkipped(
    sourceId: number,
    ref: PageRef,
    contentSha: string,
    reason: string,
    runId: string,
    warning?: PageWarningFact,
    fresh = false,
  ): void {
    this.#atomic(() => {
      this.#s.upsertPage.run(
        sourceId,
        ref.path,
        ref.version,
        contentSha,
        "skipped",
        reason,
        null,
        runId,
        new Date().toISOString(),
        warning?.reason ?? null,
        warning?.line ?? null,
      );
      if (!fresh) this.#s.deleteOntology.run(sourceId, ref.path);
    });
  }

  /**
   * Records a page that failed permanently. Data of its last good version
   * stays: nothing is lost because one version is malformed.
   *
   * @param sourceId The source.
   * @param ref The page.
   * @param contentSha sha256 of its content, when it was read.
   * @param reason Why it failed.
   * @param line The line, for parse errors.
   * @param runId The sync run.
   */
  markFailed(
    sourceId: number,
    ref: PageRef,
    contentSha: string | null,
    reason: string,
    line: number | null,
    runId: string,
  ): void {
    this.#s.upsertPage.run(
      sourceId,
      ref.path,
      ref.version,
      contentSha,
      "failed",
      reason,
      line,
      runId,
      new Date().toISOString(),
      null,
      null,
    );
  }

  /**
   * Records that a page's content is unchanged though its version token
   * changed (a touched file), so the next run does not read it again.
   *
   * @param sourceId The source.
   * @param ref The page.
   * @param runId The sync run.
   */
  markUnchanged(sourceId: number, ref: PageRef, runId: string): void {
    this.#s.touchPage.run(ref.version, runId, new Date().toISOString(), sourceId, ref.path);
  }

  /**
   * Deletes pages gone from the source, with all their rows (cascade), in
   * one transaction.
   *
   * @param sourceId The source.
   * @param paths The pages.
   * @returns How many were deleted.
   */
  deletePages(sourceId: number, paths: readonly string[]): number {
    return this.#atomic(() => {
      let n = 0;
      for (const path of paths) n += Number(this.#s.deletePage.run(sourceId, path).changes);
      return n;
    });
  }

  /** Runs `fn` in the open transaction (a group commit's savepoint), else in its own. */
  #atomic<T>(fn: () => T): T {
    return this.db.isTransaction ? fn() : transaction(this.db, fn);
  }

  /** Closes the database when {@linkcode OntologyStore.open} opened it. */
  close(): void {
    if (this.#ownsDb) this.db.close();
  }
}
