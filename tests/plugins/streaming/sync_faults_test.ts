/**
 * What a real repository throws at a sync, page by page: bad bytes, huge
 * pages, entries that cannot be read, pages that look like ontology but
 * are not, a read that hangs, a corrupted database. Each is reported with
 * its exact message and exit code, and the rest of the sync goes on.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { testKernel } from "../../helpers/kernel.ts";
import { assertCleanDatabase, dumpOntology } from "../../helpers/ontology.ts";
import { answers, startFakeGitHub } from "../../helpers/fake_github.ts";

const SAMPLE = "fixtures/ontology/sample/pages";
const GOOD = "- ### OntologyBlock\n  - owl:class:: mv:Good\n";

interface Entry {
  path: string;
  reason: string | null;
  line: number | null;
}

Deno.test("streaming.sync fails a page of invalid UTF-8 with the byte offset, a NUL byte with its line, a page over --max-page-bytes with its size, and goes on (exit 3)", async () => {
  await using t = await testKernel();
  const src = join(t.home, "src");
  await Deno.mkdir(src);
  await Deno.writeTextFile(join(src, "good.md"), GOOD);
  const bad = new TextEncoder().encode("- ### OntologyBlock\n  - term-id:: caf");
  await Deno.writeFile(join(src, "latin1.md"), new Uint8Array([...bad, 0xe9, 0x0a]));
  await Deno.writeTextFile(join(src, "nul.md"), "- notes\n- more\n- a \0 here\n");
  await Deno.writeTextFile(join(src, "huge.md"), GOOD + "x".repeat(200));
  const db = join(t.home, "o.db");
  const result = await t.kernel.runTask("streaming.sync", {
    source: `dir:${src}`,
    db,
    maxPageBytes: 150,
  });
  assert.equal(result.status, "partial");
  assert.equal(result.exitCode, 3);
  assert.deepEqual(result.failures.map((f) => [f.item, f.reason]).sort(), [
    [
      "huge.md",
      "Cannot read page as it is 244 bytes, over the limit of 150 bytes (--max-page-bytes)",
    ],
    [
      "latin1.md",
      "Cannot read page as it is not valid UTF-8: the bad sequence starts at byte offset 37",
    ],
    ["nul.md", "Cannot read page as it holds a NUL byte at line 3"],
  ]);
  const pages = dumpOntology(db).pages as { path: string; outcome: string; line: number }[];
  assert.deepEqual(pages.map((p) => [p.path, p.outcome, p.line]), [
    ["good.md", "saved", null],
    ["huge.md", "failed", null],
    ["latin1.md", "failed", null],
    ["nul.md", "failed", 3],
  ]);
  assertCleanDatabase(db);
});

Deno.test("streaming.sync fails an entry it cannot read (a looping link, a folder it may not list) and syncs the rest (exit 3)", async () => {
  await using t = await testKernel();
  const src = join(t.home, "src");
  await Deno.mkdir(join(src, "locked"), { recursive: true });
  await Deno.writeTextFile(join(src, "good.md"), GOOD);
  await Deno.writeTextFile(join(src, "locked", "inside.md"), GOOD);
  await Deno.symlink("loop-b.md", join(src, "loop-a.md"));
  await Deno.symlink("loop-a.md", join(src, "loop-b.md"));
  await Deno.chmod(join(src, "locked"), 0o000);
  // A privileged user (root in a container) reads the folder all the same.
  const privileged = await Array.fromAsync(Deno.readDir(join(src, "locked"))).then(
    () => true,
    () => false,
  );
  try {
    const db = join(t.home, "o.db");
    const result = await t.kernel.runTask("streaming.sync", { source: `dir:${src}`, db });
    assert.equal(result.exitCode, 3, result.error);
    const failures = result.failures.map((f) => [f.item, f.reason]);
    const loop = (p: string) => [
      p,
      `Cannot read the entry as its symbolic links loop: current value is "${p}"`,
    ];
    assert.deepEqual(
      failures,
      privileged ? [loop("loop-a.md"), loop("loop-b.md")] : [
        [
          "locked",
          'Cannot read the entry as permission to read it is denied: current value is "locked"',
        ],
        loop("loop-a.md"),
        loop("loop-b.md"),
      ],
    );
    const saved = (dumpOntology(db).pages as { path: string; outcome: string }[])
      .filter((p) => p.outcome === "saved").map((p) => p.path);
    assert.deepEqual(saved, privileged ? ["good.md", "locked/inside.md"] : ["good.md"]);
  } finally {
    await Deno.chmod(join(src, "locked"), 0o755);
  }
});

Deno.test("streaming.sync warns of pages that look like ontology but yield none: in its output, the run record and streaming.status --pages", async () => {
  await using t = await testKernel();
  const db = join(t.home, "o.db");
  const sync = await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
  const out = sync.output as { warned: number; warnings: Entry[] };
  const mentions =
    'it mentions OntologyBlock, but no block starts in a form the parser reads ("- ### OntologyBlock" or <details><summary>OntologyBlock</summary>)';
  const expected = [
    { path: "Inbox.md", line: 1, reason: mentions },
    { path: "Lost Block.md", line: 3, reason: mentions },
    { path: "Meeting Notes.md", line: 4, reason: mentions },
  ];
  assert.equal(out.warned, 3);
  assert.deepEqual(
    [...out.warnings].sort((a, b) => a.path < b.path ? -1 : 1),
    expected,
  );
  const record = t.kernel.records().get(sync.runId)!;
  assert.equal(record.counters.warned, 3);
  assert.deepEqual((record.output as { warnings: Entry[] }).warnings.length, 3);

  const status = async (params: Record<string, unknown>) =>
    ((await t.kernel.runTask("streaming.status", { db, ...params })).output as {
      sources: {
        warned: number;
        warnings: Entry[];
        listing?: { kind: string; total: number; offset: number; pages: Entry[] };
      }[];
    }).sources[0];
  const plain = await status({});
  assert.equal(plain.warned, 3);
  assert.deepEqual(
    plain.warnings,
    expected.map(({ path, line, reason }) => ({ path, reason, line })),
  );
  assert.equal(plain.listing, undefined);

  const warned = await status({ pages: "warned", limit: 2, offset: 1 });
  assert.deepEqual(warned.listing, {
    kind: "warned",
    total: 3,
    offset: 1,
    pages: [
      { path: "Lost Block.md", reason: mentions, line: 3 },
      { path: "Meeting Notes.md", reason: mentions, line: 4 },
    ],
  });
  const skipped = await status({ pages: "skipped" });
  assert.deepEqual(skipped.listing?.pages.map((p) => [p.path, p.reason]), [
    ["Inbox.md", "no OntologyBlock"],
    ["Lost Block.md", "no OntologyBlock"],
    ["Meeting Notes.md", "no OntologyBlock"],
  ]);
  const failed = await status({ pages: "failed", limit: 1 });
  assert.deepEqual(failed.listing, {
    kind: "failed",
    total: 4,
    offset: 0,
    pages: [{
      path: "Broken Axiom.md",
      reason: 'Cannot parse page as "SubClassOf(" has no matching ")" at line 8',
      line: 8,
    }],
  });
});

Deno.test("streaming.sync gives up on a page read that takes longer than --timeout-ms, and lists it as failed (retryable)", async () => {
  await using t = await testKernel();
  const github = await startFakeGitHub({ files: { "pages/a.md": GOOD, "pages/b.md": GOOD } });
  try {
    // No archive (a first sync would read the pages from it): each page from its blob.
    github.script("/tarball/", answers.serverError(502));
    github.script("/git/blobs/", answers.hang());
    const db = join(t.home, "o.db");
    const result = await t.kernel.runTask("streaming.sync", {
      source: { kind: "github", owner: "octo", repo: "graph", baseUrl: github.url },
      db,
      timeoutMs: 300,
      attempts: 1,
      workers: 1,
    });
    assert.equal(result.exitCode, 3, result.error);
    assert.deepEqual(result.failures, [{
      item: "pages/a.md",
      reason: 'Cannot read page "pages/a.md" as it took longer than 300 ms',
      retryable: true,
    }]);
    assert.equal((result.output as { saved: number }).saved, 1);
  } finally {
    await github.close();
  }
});

Deno.test("streaming.check on a corrupted database fails (exit 1) with an output of ok: false and what integrity_check found", async () => {
  await using t = await testKernel();
  const db = join(t.home, "o.db");
  await t.kernel.runTask("streaming.sync", { source: `dir:${SAMPLE}`, db });
  // Overwrite a page in the middle of the file with garbage.
  const bytes = await Deno.readFile(db);
  const pageSize = 4096;
  assert.ok(bytes.length > pageSize * 6);
  bytes.fill(0x41, pageSize * 4, pageSize * 5);
  await Deno.writeFile(db, bytes);
  const result = await t.kernel.runTask("streaming.check", { db });
  assert.equal(result.status, "failed");
  assert.equal(result.exitCode, 1);
  assert.match(
    result.error!,
    new RegExp(
      `^Cannot vouch for "${db}" as its checks failed: integrity_check found \\d+ problems?: "`,
    ),
  );
  // The findings are the run's output, as fields.
  const output = result.output as { ok: boolean; integrity: string[] };
  assert.equal(output.ok, false);
  assert.ok(output.integrity.length >= 1);
  assert.notDeepEqual(output.integrity, ["ok"]);
  assert.ok(t.kernel.records().get(result.runId)!.counters.integrity_problems >= 1);

  // A file that is not a database at all: SQLite's own words stand in for integrity_check's.
  await Deno.writeTextFile(db, "not a database, not even close ".repeat(200));
  await Deno.remove(`${db}-wal`).catch(() => {});
  await Deno.remove(`${db}-shm`).catch(() => {});
  const garbage = await t.kernel.runTask("streaming.check", { db });
  assert.equal(garbage.exitCode, 1);
  assert.equal(
    garbage.error,
    `Cannot vouch for "${db}" as its checks failed: integrity_check found 1 problem: "file is not a database" (every finding is in the output)`,
  );
  const { ok, integrity } = garbage.output as { ok: boolean; integrity: string[] };
  assert.deepEqual({ ok, integrity }, { ok: false, integrity: ["file is not a database"] });
});
