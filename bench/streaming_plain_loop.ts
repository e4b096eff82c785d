/**
 * The baseline of `streaming_bench.ts`: a plain loop, not weir's store or
 * task, that does the work of a first sync with the best settings the
 * engine allows, so that the ratio shows weir's own overhead. It lists the
 * `*.md` files (sorted, as the sync does), reads each, hashes it, parses it
 * with the plugin's parser, and inserts the same rows into the same schema
 * with prepared statements, in WAL mode, grouped as the sync groups them
 * (up to 32 pages or 50 ms per transaction, a savepoint per page), with the
 * automatic WAL checkpoint off and one at the end.
 *
 * `deno run -R -W bench/streaming_plain_loop.ts <pages-dir> <db>` prints one
 * JSON line: pages, saved, commits, wall and CPU time, peak memory.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a benchmark's helper prints its figures
import { createHash } from "node:crypto";
import process from "node:process";
import { DatabaseSync } from "node:sqlite";
import { migrate } from "../lib/sqlite/migrations.ts";
import { parsePage } from "../plugins/streaming/parser.ts";
import { MIGRATIONS } from "../plugins/streaming/schema.ts";

const [dir, path] = Deno.args;
const started = performance.now();
const cpu = process.cpuUsage();

const db = new DatabaseSync(path);
db.exec("PRAGMA journal_mode = WAL");
db.exec("PRAGMA synchronous = NORMAL");
db.exec("PRAGMA foreign_keys = ON");
db.exec("PRAGMA wal_autocheckpoint = 0");
migrate(db, path, MIGRATIONS);
const p = (sql: string) => db.prepare(sql);
const s = {
  begin: p("BEGIN IMMEDIATE"),
  commit: p("COMMIT"),
  save: p("SAVEPOINT page"),
  release: p("RELEASE page"),
  undo: p("ROLLBACK TO page"),
  page: p(
    `INSERT INTO pages (source_id, path, version, content_sha, outcome, reason, line, run_id, synced_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, 'plain', ?)`,
  ),
  ontology: p(
    `INSERT INTO ontologies (source_id, path, content_sha, term_id, preferred_term, definition,
       owl_class, properties, last_synced) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  cls: p("INSERT OR IGNORE INTO owl_classes (ontology_id, class_iri) VALUES (?, ?)"),
  prop: p(
    "INSERT OR IGNORE INTO owl_properties (ontology_id, property_iri, kind) VALUES (?, ?, ?)",
  ),
  ind: p("INSERT OR IGNORE INTO owl_individuals (ontology_id, individual_iri) VALUES (?, ?)"),
  axiom: p(
    `INSERT INTO axioms (ontology_id, ordinal, axiom_type, subject_iri, class_iri, text, line)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ),
  rel: p("INSERT OR IGNORE INTO relationships (ontology_id, property, target) VALUES (?, ?, ?)"),
};
p("INSERT INTO sources (id, kind, location, created_at) VALUES (1, 'dir', 'plain', '')").run();

function list(at: string, rel: string, out: { path: string; file: string; v: string }[]) {
  const entries = [...Deno.readDirSync(at)].sort((a, b) => a.name < b.name ? -1 : 1);
  for (const e of entries) {
    const file = `${at}/${e.name}`;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) list(file, child, out);
    else if (e.name.endsWith(".md")) {
      const info = Deno.statSync(file);
      out.push({ path: child, file, v: `${info.size}-${info.mtime?.getTime()}` });
    }
  }
  return out;
}

const KINDS = new Set(["ObjectProperty", "DataProperty", "AnnotationProperty"]);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
let open = false, inGroup = 0, opened = 0, commits = 0, saved = 0;
const pages = list(dir, "", []);
for (const ref of pages) {
  const text = utf8.decode(Deno.readFileSync(ref.file));
  const sha = createHash("sha256").update(text).digest("hex");
  const now = new Date().toISOString();
  let result;
  try {
    result = parsePage(text);
  } catch (err) {
    result = { kind: "failed" as const, err: err as Error & { line?: number } };
  }
  if (!open) {
    s.begin.run();
    open = true;
    opened = performance.now();
  }
  s.save.run();
  if (result.kind === "ontology") {
    const page = result.page;
    s.page.run(ref.path, ref.v, sha, "saved", null, null, now);
    const { lastInsertRowid: id } = s.ontology.run(
      ref.path,
      sha,
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
        s.cls.run(id, d.iri);
        classes.add(d.iri);
      } else if (KINDS.has(d.kind)) s.prop.run(id, d.iri, d.kind);
      else s.ind.run(id, d.iri);
    }
    page.axioms.forEach((a, i) => {
      const cls = a.subject !== null && classes.has(a.subject) ? a.subject : null;
      s.axiom.run(id, i, a.type, a.subject, cls, a.text, a.line);
    });
    for (const r of page.relationships) s.rel.run(id, r.property, r.target);
    saved++;
  } else if (result.kind === "skipped") {
    s.page.run(ref.path, ref.v, sha, "skipped", result.reason, null, now);
  } else {
    s.page.run(ref.path, ref.v, sha, "failed", result.err.message, result.err.line ?? null, now);
  }
  s.release.run();
  if (++inGroup >= 32 || performance.now() - opened >= 50) {
    s.commit.run();
    commits++;
    open = false;
    inGroup = 0;
  }
}
if (open) {
  s.commit.run();
  commits++;
}
db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get();
db.close();
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({
  pages: pages.length,
  saved,
  commits,
  duration_ms: Math.round(performance.now() - started),
  cpu_ms: Math.round((used.user + used.system) / 1000),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024 * 10) / 10,
}));
