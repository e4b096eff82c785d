/**
 * GitHub tarball mode: a first sync (or --full) of a GitHub source reads
 * every page from one archive of the commit; later syncs read the changed
 * pages' blobs, as the tree diff says.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { testKernel } from "../../helpers/kernel.ts";
import { assertCleanDatabase, dumpOntology } from "../../helpers/ontology.ts";
import { answers, startFakeGitHub } from "../../helpers/fake_github.ts";

const page = (name: string) => `- ### OntologyBlock\n  - owl:class:: mv:${name}\n`;
const LONG = `pages/${"deeply-nested-folder/".repeat(5)}Long Name.md`; // over ustar's 100 bytes

const FILES = {
  "pages/A.md": page("A"),
  "pages/B.md": page("B"),
  "pages/Ünïcode.md": page("U"),
  [LONG]: page("Long"),
  "pages/link.md": { symlink: "A.md" },
  "README.txt": "not a page",
};

Deno.test("a first GitHub sync reads every page from one archive; the next reads only changed blobs; --full fetches the archive again", async () => {
  await using t = await testKernel();
  const github = await startFakeGitHub({ files: FILES });
  try {
    const db = join(t.home, "o.db");
    const source = { kind: "github", owner: "octo", repo: "graph", baseUrl: github.url };
    const count = (what: string) => github.requests.filter((r) => r.path.includes(what)).length;

    const first = await t.kernel.runTask("streaming.sync", { source, db });
    assert.equal(first.exitCode, 0, first.error);
    assert.equal((first.output as { saved: number }).saved, 4);
    assert.deepEqual([count("/tarball/"), count("/git/blobs/")], [1, 0]);
    const viaArchive = dumpOntology(db);

    github.commit({ "pages/B.md": page("B2") });
    const second = await t.kernel.runTask("streaming.sync", { source, db });
    assert.deepEqual(
      [
        (second.output as { saved: number; unchanged: number }).saved,
        (second.output as { unchanged: number }).unchanged,
      ],
      [1, 3],
    );
    assert.deepEqual([count("/tarball/"), count("/git/blobs/")], [1, 1]);

    const full = await t.kernel.runTask("streaming.sync", { source, db, full: true });
    assert.equal((full.output as { saved: number }).saved, 4);
    assert.deepEqual([count("/tarball/"), count("/git/blobs/")], [2, 1]);
    assertCleanDatabase(db);

    // The same rows as reading each blob: a fresh database, the archive refused.
    github.script("/tarball/", answers.serverError(502));
    const blobsDb = join(t.home, "blobs.db");
    github.commit({ "pages/B.md": page("B") });
    const byBlobs = await t.kernel.runTask("streaming.sync", { source, db: blobsDb });
    assert.equal((byBlobs.output as { saved: number }).saved, 4);
    assert.equal(count("/git/blobs/"), 5, "every page read from its blob when the archive fails");
    const strip = (d: Record<string, unknown[]>) =>
      d.ontologies.map((o) => (o as { path: string; owl_class: string }).owl_class);
    assert.deepEqual(strip(dumpOntology(blobsDb)), strip(viaArchive));
  } finally {
    await github.close();
  }
});

Deno.test("an archive larger, decompressed, than maxListingBytes is dropped and every page is read from its blob", async () => {
  await using t = await testKernel();
  const github = await startFakeGitHub({ files: FILES });
  try {
    const db = join(t.home, "o.db");
    // The tar holds a 512-byte header and block per file: well over 4 KiB, where the listings are not.
    const source = {
      kind: "github",
      owner: "octo",
      repo: "graph",
      baseUrl: github.url,
      maxListingBytes: 4096,
    };
    const count = (what: string) => github.requests.filter((r) => r.path.includes(what)).length;
    const run = await t.kernel.runTask("streaming.sync", { source, db });
    assert.equal(run.exitCode, 0, run.error);
    assert.equal((run.output as { saved: number }).saved, 4);
    assert.deepEqual([count("/tarball/"), count("/git/blobs/")], [1, 4]);
    assertCleanDatabase(db);
  } finally {
    await github.close();
  }
});
