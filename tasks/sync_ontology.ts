/**
 * `deno task sync:ontology`: sync ontology pages into SQLite, then check the
 * database. `deno task sync:ontology:github` is the same pipeline with the
 * permissions a GitHub source needs (the API host and `GITHUB_TOKEN`).
 *
 * @module
 */
import { z } from "zod";
import { definePipeline } from "../kernel/pipeline.ts";
import { refineGlob } from "../lib/glob.ts";
import "../plugins/streaming/types.ts";

/** The sync:ontology pipeline. */
export const syncOntology = definePipeline(
  "sync:ontology",
  "Syncs ontology pages into SQLite, resumable, then checks the database",
  z.object({
    source: z.string().default("dir:fixtures/ontology/sample/pages").describe(
      'where pages come from: "dir:<path>", "git:<repo>[@<ref>][:<prefix>]", "github:<owner>/<repo>[@<ref>][:<prefix>]"',
    ),
    db: z.string().optional().describe("SQLite database (default <home>/streaming/ontology.db)"),
    workers: z.number().int().min(1).max(32).default(4).describe("pages processed at once"),
    only: z.string().superRefine(refineGlob).optional().describe(
      "resync only the pages whose path matches this glob",
    ),
    full: z.boolean().default(false).describe("process every page, even unchanged ones"),
  }),
)
  .step("sync", "streaming.sync", (p) => ({
    source: p.source,
    db: p.db,
    workers: p.workers,
    only: p.only,
    full: p.full,
  }))
  .step("check", "streaming.check", (p) => ({ db: p.db }))
  .build((out) => [
    "",
    `streaming.sync  ${out.sync.listed} pages: ${out.sync.saved} saved, ${out.sync.unchanged} unchanged, ${out.sync.skipped} skipped, ${out.sync.failed} failed, ${out.sync.deleted} deleted`,
    `                ${out.sync.pages_per_s} pages/s, commit p50 ${
      out.sync.commit_ms.p50 ?? "-"
    } ms, p99 ${
      out.sync.commit_ms.p99 ?? "-"
    } ms, peak ${out.sync.peak_rss_mb} MB -> ${out.sync.db}`,
    `streaming.check integrity ${
      out.check.integrity.join(",")
    }, ${out.check.foreign_keys.length} foreign-key problems, ${
      Object.values(out.check.orphans).reduce((a, b) => a + b, 0)
    } orphans`,
  ]);
