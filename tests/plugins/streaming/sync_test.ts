import assert from "node:assert/strict";
import { join } from "node:path";
import { testKernel } from "../../helpers/kernel.ts";
import {
  assertCleanDatabase,
  countRows,
  dumpOntology,
  writePages,
} from "../../helpers/ontology.ts";

const SAMPLE = "fixtures/ontology/sample/pages";

interface SyncOut {
  listed: number;
  read: number;
  saved: number;
  unchanged: number;
  skipped: number;
  failed: number;
  deleted: number;
  resumed: boolean;
}

async function copyDir(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory) {
      await Deno.mkdir(dst, { recursive: true });
      await copyDir(src, dst);
    } else await Deno.copyFile(src, dst);
  }
}

Deno.test("streaming.sync saves the sample's ontology pages, skips the rest and lists malformed pages (exit 3)", async () => {
  await using t = await testKernel();
  const db = join(t.home, "o.db");
  const result = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
  assert.equal(result.status, "partial");
  assert.equal(result.exitCode, 3);
  const out = result.output as SyncOut;
  assert.deepEqual(
    [out.listed, out.saved, out.skipped, out.failed, out.unchanged, out.deleted],
    [17, 10, 3, 4, 0, 0],
  );
  assert.deepEqual(
    // Failures arrive in the order pages finish, which varies with the workers.
    result.failures.map((f) => [f.item, f.reason]).sort(),
    [
      ["Broken Axiom.md", 'Cannot parse page as "SubClassOf(" has no matching ")" at line 8'],
      ["Broken Fence.md", "Cannot parse page as the code fence is not closed at line 3"],
      [
        "Empty Block.md",
        "Cannot parse page as the OntologyBlock has neither properties nor OWL axioms at line 3",
      ],
      [
        "Unknown Kind.md",
        'Cannot parse page as Declaration names the unknown entity kind "Concept" at line 5',
      ],
    ].sort(),
  );
  const dump = dumpOntology(db);
  const avatar = (dump.ontologies as { path: string; owl_class: string }[])
    .find((o) => o.path === "Avatar.md");
  assert.equal(avatar?.owl_class, "mv:Avatar");
  assert.ok((dump.axioms as { axiom_type: string }[]).some((a) => a.axiom_type === "SubClassOf"));
  // Every block format reaches the database: <details> with Lisp axioms, the property, axioms only.
  const classes = (dump.owl_classes as { path: string; class_iri: string }[])
    .filter((c) => ["Persistence.md", "Quality.md", "Upper Ontology.md"].includes(c.path))
    .map((c) => `${c.path} ${c.class_iri}`);
  assert.deepEqual(classes, [
    "Persistence.md uo:Persistence",
    "Persistence.md uo:Quality",
    "Quality.md uo:Quality",
    "Upper Ontology.md :Entity",
  ]);
  const axioms = (dump.axioms as { path: string; text: string }[])
    .filter((a) => a.path === "Quality.md" || a.path === "Persistence.md").map((a) => a.text);
  assert.deepEqual(axioms, [
    "SubClassOf(uo:Persistence uo:Quality)",
    "SubClassOf(uo:Persistence ObjectSomeValuesFrom(uo:hasPart uo:Quality))",
    "SubClassOf(uo:Quality ObjectSomeValuesFrom(uo:inheresIn owl:Thing))",
  ]);
  assert.ok(
    (dump.pages as { path: string; line: number | null }[])
      .some((p) => p.path === "Broken Fence.md" && p.line === 3),
  );
  assertCleanDatabase(db);
});

Deno.test("streaming.sync is incremental: unchanged pages are not read, changed ones resaved, deleted ones removed with their rows", async () => {
  await using t = await testKernel();
  const dir = join(t.home, "src");
  await Deno.mkdir(dir);
  await copyDir(SAMPLE, dir);
  const db = join(t.home, "o.db");
  const sync = async (extra: Record<string, unknown> = {}) =>
    (await t.kernel.runTask("streaming.sync", { source: `dir:${dir}`, db, ...extra }))
      .output as SyncOut;

  await sync();
  const again = await sync();
  // Failed pages are retried each run; everything else is unchanged.
  assert.deepEqual([again.unchanged, again.saved, again.skipped, again.failed], [13, 0, 0, 4]);
  // Only the failed pages were read again.
  assert.equal(again.read, 4);

  const avatar = join(dir, "Avatar.md");
  await Deno.writeTextFile(
    avatar,
    (await Deno.readTextFile(avatar)).replaceAll("mv:Avatar", "mv:Avatar2"),
  );
  await Deno.remove(join(dir, "Mesh.md"));
  const mesh = countRows(db, "SELECT count(*) AS n FROM ontologies WHERE path = 'Mesh.md'");
  assert.equal(mesh, 1);
  const changed = await sync();
  assert.deepEqual([changed.saved, changed.deleted, changed.unchanged], [1, 1, 11]);
  assert.equal(changed.read, 5, "the changed page and the 4 failed ones");
  const dump = dumpOntology(db);
  assert.ok(!(dump.pages as { path: string }[]).some((p) => p.path === "Mesh.md"));
  assert.ok(!(dump.owl_classes as { path: string }[]).some((c) => c.path === "Mesh.md"));
  assert.ok(
    (dump.owl_classes as { path: string; class_iri: string }[])
      .some((c) => c.path === "Avatar.md" && c.class_iri === "mv:Avatar2"),
  );

  // A touched file (new mtime, same bytes) is read once, found unchanged, and not read again.
  const digital = join(dir, "Digital Twin.md");
  await Deno.utime(digital, new Date(), new Date(Date.now() + 60_000));
  const touched = await sync();
  assert.deepEqual([touched.saved, touched.unchanged], [0, 12]);
  assert.equal(touched.read, 5, "the touched page and the 4 failed ones");
  // Its new version was checkpointed: the next run does not read it again.
  const after = await sync();
  assert.deepEqual([after.read, after.unchanged], [4, 12]);
  assertCleanDatabase(db);
});

Deno.test("streaming.sync --only resyncs a subset and --full forces every page", async () => {
  await using t = await testKernel();
  const db = join(t.home, "o.db");
  await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
  const only = (await t.kernel.runTask("streaming.sync", {
    source: `dir:${SAMPLE}`,
    db,
    only: "A*.md",
    full: true,
  })).output as SyncOut;
  assert.deepEqual([only.listed, only.saved, only.deleted], [1, 1, 0]);
  const full =
    (await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db, full: true }))
      .output as SyncOut;
  assert.deepEqual([full.saved, full.skipped, full.failed, full.unchanged], [10, 3, 4, 0]);
  assertCleanDatabase(db);
});

Deno.test("streaming.sync of 974 generated pages matches the generator's verdicts", async () => {
  await using t = await testKernel();
  const dir = join(t.home, "src");
  const expect = await writePages(dir, { count: 974, seed: 3 });
  const db = join(t.home, "o.db");
  const result = await t.kernel.runTask("streaming.sync", { source: `dir:${dir}`, db, workers: 8 });
  const out = result.output as SyncOut;
  const want = { ontology: 0, skipped: 0, malformed: 0 };
  for (const v of expect.values()) want[v as keyof typeof want]++;
  assert.deepEqual([out.saved, out.skipped, out.failed], [
    want.ontology,
    want.skipped,
    want.malformed,
  ]);
  const outcomes = new Map(
    (dumpOntology(db).pages as { path: string; outcome: string }[]).map((p) => [p.path, p.outcome]),
  );
  for (const [path, verdict] of expect) {
    assert.equal(
      outcomes.get(path),
      { ontology: "saved", skipped: "skipped", malformed: "failed" }[verdict],
    );
  }
  assertCleanDatabase(db);
});

Deno.test("streaming.status and streaming.check report on the database", async () => {
  await using t = await testKernel();
  const db = join(t.home, "o.db");
  const sync = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
  const status = await t.kernel.runTask("streaming.status", { db });
  assert.equal(status.status, "succeeded");
  const src = (status.output as {
    sources: {
      kind: string;
      last_run: { run_id: string; status: string };
      pages: Record<string, number>;
      failures: { path: string; line: number }[];
    }[];
  }).sources[0];
  assert.equal(src.kind, "dir");
  assert.equal(src.last_run.run_id, sync.runId);
  assert.equal(src.last_run.status, "partial");
  assert.deepEqual(src.pages, { failed: 4, saved: 10, skipped: 3 });
  assert.deepEqual(src.failures.map((f) => [f.path, f.line]), [
    ["Broken Axiom.md", 8],
    ["Broken Fence.md", 3],
    ["Empty Block.md", 3],
    ["Unknown Kind.md", 5],
  ]);
  const check = await t.kernel.runTask("streaming.check", { db });
  assert.equal(check.status, "succeeded");
  assert.equal((check.output as { ok: boolean }).ok, true);
});

Deno.test("streaming.status refuses a database that does not exist instead of creating one", async () => {
  await using t = await testKernel();
  const db = join(t.home, "none", "o.db");
  const result = await t.kernel.runTask("streaming.status", { db });
  assert.equal(result.status, "failed");
  assert.equal(result.exitCode, 2);
  assert.equal(
    result.error,
    `Cannot open the ontology database as it does not exist (run streaming.sync first): current value is "${db}"`,
  );
  await assert.rejects(Deno.stat(db));
});
