/**
 * The streaming plugin's SQLite schema, as versioned migrations: every table
 * is made here, the checkpoint table included.
 *
 * `pages` is the per-page checkpoint: every page seen, with the version it
 * was synced at and its outcome, written in the same transaction as the
 * page's data, so data and progress never disagree. An ontology belongs to
 * its page (composite key), and everything else to its ontology; deleting a
 * page cascades to all of it. `weir_checkpoints` holds each source's last
 * sync (run id, finished or not); how that run went is in the kernel's run
 * records, so the plugin keeps no run table of its own (version 3 dropped
 * `sync_runs`). Versions are never edited once released: a change is a new
 * version, so existing databases upgrade.
 *
 * ## Indexes, and the query each serves (version 4)
 *
 * Every secondary index is one more B-tree written per page, and a sync
 * writes ~40 rows per page, so only the indexes a query of weir needs are
 * kept (version 4 dropped eight that served no query of weir):
 *
 * | index | serves |
 * | --- | --- |
 * | `pages` primary key `(source_id, path)` | the sync's page states (`WHERE source_id = ?`), every page write, `status --pages warned` (warned pages in path order) |
 * | `pages_outcome (source_id, outcome)` | `streaming.status`: counts by outcome, and `--pages failed|skipped` |
 * | `ontologies UNIQUE (source_id, path)` | replacing a page's ontology (`DELETE ... WHERE source_id = ? AND path = ?`) and the cascade from `pages` |
 * | primary keys of `owl_classes`, `owl_properties`, `owl_individuals`, `axioms`, `relationships` (all start with `ontology_id`) | the cascades from `ontologies`, and from `owl_classes` to `axioms` (the planner uses the key's `ontology_id` prefix) |
 *
 * A reader who queries the ontology by IRI or term (`owl_classes.class_iri`,
 * `axioms.subject_iri`, `relationships.target`, `ontologies.term_id`) can
 * add the index once (`CREATE INDEX IF NOT EXISTS ...`); later migrations
 * leave indexes they did not make alone.
 *
 * @module
 */
import { checkpointsMigration } from "../../lib/sqlite/checkpoints.ts";
import type { Migration } from "../../lib/sqlite/migrations.ts";

/**
 * The schema's history.
 *
 * @example Migrate a new database
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlite } from "../../lib/sqlite/open.ts";
 * import { migrate } from "../../lib/sqlite/migrations.ts";
 * import { MIGRATIONS } from "./schema.ts";
 * const db = openSqlite(":memory:");
 * assert.deepEqual(migrate(db, ":memory:", MIGRATIONS).applied, [1, 2, 3, 4]);
 * db.close();
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "ontology_pages",
    up: [
      `CREATE TABLE sources (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      location TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    )`,
      `CREATE TABLE pages (
      source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      version TEXT NOT NULL,
      content_sha TEXT,
      outcome TEXT NOT NULL CHECK (outcome IN ('saved', 'skipped', 'failed')),
      reason TEXT,
      line INTEGER,
      run_id TEXT NOT NULL,
      synced_at TEXT NOT NULL,
      PRIMARY KEY (source_id, path)
    ) WITHOUT ROWID`,
      "CREATE INDEX pages_outcome ON pages (source_id, outcome)",
      `CREATE TABLE ontologies (
      id INTEGER PRIMARY KEY,
      source_id INTEGER NOT NULL,
      path TEXT NOT NULL,
      content_sha TEXT NOT NULL,
      term_id TEXT,
      preferred_term TEXT,
      definition TEXT,
      owl_class TEXT,
      properties TEXT NOT NULL,
      last_synced TEXT NOT NULL,
      UNIQUE (source_id, path),
      FOREIGN KEY (source_id, path) REFERENCES pages (source_id, path) ON DELETE CASCADE
    )`,
      "CREATE INDEX ontologies_term_id ON ontologies (term_id)",
      "CREATE INDEX ontologies_owl_class ON ontologies (owl_class)",
      `CREATE TABLE owl_classes (
      ontology_id INTEGER NOT NULL REFERENCES ontologies (id) ON DELETE CASCADE,
      class_iri TEXT NOT NULL,
      PRIMARY KEY (ontology_id, class_iri)
    ) WITHOUT ROWID`,
      "CREATE INDEX owl_classes_iri ON owl_classes (class_iri)",
      `CREATE TABLE owl_properties (
      ontology_id INTEGER NOT NULL REFERENCES ontologies (id) ON DELETE CASCADE,
      property_iri TEXT NOT NULL,
      kind TEXT NOT NULL
        CHECK (kind IN ('ObjectProperty', 'DataProperty', 'AnnotationProperty')),
      PRIMARY KEY (ontology_id, property_iri)
    ) WITHOUT ROWID`,
      "CREATE INDEX owl_properties_iri ON owl_properties (property_iri)",
      `CREATE TABLE owl_individuals (
      ontology_id INTEGER NOT NULL REFERENCES ontologies (id) ON DELETE CASCADE,
      individual_iri TEXT NOT NULL,
      PRIMARY KEY (ontology_id, individual_iri)
    ) WITHOUT ROWID`,
      // class_iri is set when the axiom's subject is a class declared on the
      // same page; then it references that class, composite key to composite key.
      `CREATE TABLE axioms (
      ontology_id INTEGER NOT NULL REFERENCES ontologies (id) ON DELETE CASCADE,
      ordinal INTEGER NOT NULL,
      axiom_type TEXT NOT NULL,
      subject_iri TEXT,
      class_iri TEXT,
      text TEXT NOT NULL,
      line INTEGER NOT NULL,
      PRIMARY KEY (ontology_id, ordinal),
      FOREIGN KEY (ontology_id, class_iri)
        REFERENCES owl_classes (ontology_id, class_iri) ON DELETE CASCADE
    ) WITHOUT ROWID`,
      "CREATE INDEX axioms_subject ON axioms (subject_iri)",
      "CREATE INDEX axioms_class ON axioms (ontology_id, class_iri)",
      "CREATE INDEX axioms_type ON axioms (axiom_type)",
      `CREATE TABLE relationships (
      ontology_id INTEGER NOT NULL REFERENCES ontologies (id) ON DELETE CASCADE,
      property TEXT NOT NULL,
      target TEXT NOT NULL,
      PRIMARY KEY (ontology_id, property, target)
    ) WITHOUT ROWID`,
      "CREATE INDEX relationships_target ON relationships (target)",
      `CREATE TABLE sync_runs (
      run_id TEXT PRIMARY KEY,
      source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
      status TEXT NOT NULL
        CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
      started_at TEXT NOT NULL,
      ended_at TEXT,
      counts TEXT NOT NULL DEFAULT '{}'
    )`,
      "CREATE INDEX sync_runs_source ON sync_runs (source_id, started_at)",
    ],
  },
  checkpointsMigration(2),
  {
    version: 3,
    name: "sync_runs_to_run_records",
    up: [
      // Each source's latest run becomes its checkpoint, so a sync interrupted
      // before the upgrade is still resumed after it; how the run went is in
      // the kernel's run records under the same id.
      `INSERT INTO weir_checkpoints (scope, key, value, updated_at)
     SELECT 'streaming.sync', 'source:' || r.source_id,
       json_object('run_id', r.run_id,
         'done', json(CASE WHEN r.status IN ('running', 'interrupted') THEN 'false' ELSE 'true' END)),
       coalesce(r.ended_at, r.started_at)
     FROM sync_runs r
     WHERE NOT EXISTS (
       SELECT 1 FROM sync_runs n WHERE n.source_id = r.source_id
         AND (n.started_at > r.started_at OR (n.started_at = r.started_at AND n.rowid > r.rowid)))
     ON CONFLICT (scope, key) DO NOTHING`,
      "DROP TABLE sync_runs",
    ],
  },
  {
    version: 4,
    name: "page_warnings_and_lean_indexes",
    up: [
      // A skipped page that looked like ontology: why, and the line.
      "ALTER TABLE pages ADD COLUMN warning TEXT",
      "ALTER TABLE pages ADD COLUMN warning_line INTEGER",
      // Indexes no query of weir uses (see the table above).
      "DROP INDEX IF EXISTS ontologies_term_id",
      "DROP INDEX IF EXISTS ontologies_owl_class",
      "DROP INDEX IF EXISTS owl_classes_iri",
      "DROP INDEX IF EXISTS owl_properties_iri",
      "DROP INDEX IF EXISTS axioms_subject",
      "DROP INDEX IF EXISTS axioms_class",
      "DROP INDEX IF EXISTS axioms_type",
      "DROP INDEX IF EXISTS relationships_target",
    ],
  },
];
