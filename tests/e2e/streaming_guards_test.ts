/**
 * The guards of a real deployment, across real processes: one writer per
 * database, and no mass deletion when a source is emptied or unmounted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/temp.ts";
import {
  assertCleanDatabase,
  countRows,
  dumpOntology,
  finish,
  spawnSync,
  writePages,
} from "../helpers/ontology.ts";

const COMMITTED = "SELECT count(*) AS n FROM pages";

async function committed(db: string, target: number, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  while (countRows(db, COMMITTED) < target) {
    if (exited) throw new Error(`the sync ended before ${target} pages were committed`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("a second sync of the same database exits 2 naming the run and process that hold it; with --wait it waits and redoes nothing", async () => {
  await using tmp = await tempDir("weir-lock-");
  const home = tmp.path;
  const src = join(home, "src");
  await writePages(src, { count: 974, seed: 8 });
  const db = join(home, "o.db");

  const first = spawnSync(home, src, db);
  await committed(db, 1, first);
  const refused = await finish(spawnSync(home, src, db));
  const waiting = spawnSync(home, src, db, undefined, ["--wait", "--wait-timeout-ms", "600000"]);
  const done = await finish(first);
  assert.equal(done.status.code, 3, done.stderr);
  const holder = done.envelope.run_id;

  assert.equal(refused.status.code, 2, refused.stderr);
  assert.equal(refused.envelope.status, "failed");
  assert.match(
    refused.envelope.error,
    new RegExp(
      `^Cannot sync into "${db}" as another sync is writing it: run "${holder}" \\(process ${first.pid}\\) has held it since \\S+; pass --wait to wait for it$`,
    ),
  );

  const waited = await finish(waiting);
  assert.equal(waited.status.code, 3, waited.stderr);
  const out = waited.envelope.output;
  assert.equal(out.resumed, false, "the waiting run found the first one finished");
  assert.equal(out.saved + out.skipped, 0, "nothing was redone");
  assert.equal(out.unchanged, done.envelope.output.saved + done.envelope.output.skipped);
  assertCleanDatabase(db);
});

Deno.test("a sync whose source lost most of its pages stops with exit 2 before deleting anything, unless --allow-mass-delete", async () => {
  await using tmp = await tempDir("weir-mass-");
  const home = tmp.path;
  const src = join(home, "src");
  await writePages(src, { count: 40, seed: 9 });
  const db = join(home, "o.db");
  const first = await finish(spawnSync(home, src, db));
  assert.equal(first.status.code, 0, first.stderr); // 40 pages: none malformed
  const before = dumpOntology(db);

  // The source is emptied (an unmounted share): 40 of 40 pages would go.
  await Deno.remove(join(src, "pages"), { recursive: true });
  await Deno.mkdir(join(src, "pages"));
  const stopped = await finish(spawnSync(home, src, db));
  assert.equal(stopped.status.code, 2, stopped.stderr);
  assert.equal(
    stopped.envelope.error,
    `Cannot sync "dir:${src}" as it would delete 40 of its 40 stored pages (100%), more than --max-delete 50%: check that the source is mounted and complete, or pass --allow-mass-delete`,
  );
  assert.deepEqual(dumpOntology(db), before, "nothing was deleted");

  // A higher limit, or --allow-mass-delete, lets it through.
  const limited = await finish(spawnSync(home, src, db, undefined, ["--max-delete", "99"]));
  assert.equal(limited.status.code, 2, limited.stderr);
  const allowed = await finish(spawnSync(home, src, db, undefined, ["--allow-mass-delete"]));
  assert.equal(allowed.status.code, 0, allowed.stderr);
  assert.equal(allowed.envelope.output.deleted, 40);
  assert.equal(countRows(db, COMMITTED), 0);
  assertCleanDatabase(db);
});
