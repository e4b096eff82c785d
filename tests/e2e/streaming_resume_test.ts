/**
 * Resume after a crash, as an operator sees it: the CLI is killed (-9 at
 * seeded random moments, or SIGINT) during a 974-page sync, restarted, and
 * the result is compared row for row with a clean run. Committed pages are
 * never redone and nothing is duplicated.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { mulberry32 } from "../../lib/random.ts";
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
const DONE = "SELECT count(*) AS n FROM pages WHERE outcome <> 'failed'";

Deno.test("kill -9 at 10 random moments during a 974-page sync, then resume: same rows as a clean run", async () => {
  await using tmp = await tempDir("weir-resume-");
  const home = tmp.path;
  const src = join(home, "src");
  await writePages(src, { count: 974, seed: 5 });

  const cleanDb = join(home, "clean.db");
  const clean = await finish(spawnSync(home, src, cleanDb));
  assert.equal(clean.status.code, 3, clean.stderr); // the corpus holds malformed pages
  const expected = dumpOntology(cleanDb);
  assert.equal(expected.pages.length, 974);

  const next = mulberry32(42);
  // Up to 600 of 974: the kill must land before a busy machine lets the run end.
  const points = Array.from({ length: 10 }, () => 1 + Math.floor(next() * 600)).sort((a, b) =>
    a - b
  );
  for (const [i, point] of points.entries()) {
    const db = join(home, `killed-${i}.db`);
    const child = spawnSync(home, src, db);
    await killAt(db, point, child);
    const killed = await finish(child);
    assert.equal(killed.status.signal, "SIGKILL");
    const done = countRows(db, DONE);
    assert.ok(done >= 1 && done < 974, `kill point ${point}: ${done} pages done`);

    const resumed = await finish(spawnSync(home, src, db));
    assert.equal(resumed.status.code, 3, resumed.stderr);
    const out = resumed.envelope.output;
    assert.equal(out.resumed, true, `kill point ${point}: the run knows it resumes`);
    assert.equal(out.unchanged, done, `kill point ${point}: committed pages are not redone`);
    assert.deepEqual(dumpOntology(db), expected, `kill point ${point}: rows differ`);
    assertCleanDatabase(db);
  }
});

Deno.test("SIGINT stops a sync after the pages in flight commit (exit 130), and the next run continues", async () => {
  await using tmp = await tempDir("weir-sigint-");
  const home = tmp.path;
  const src = join(home, "src");
  // 3,000 pages: on a busy machine the signal must land well before the run could end.
  await writePages(src, { count: 3_000, seed: 6 });
  const db = join(home, "o.db");

  const child = spawnSync(home, src, db);
  await killAt(db, 200, child, "SIGINT");
  const stopped = await finish(child);
  assert.equal(stopped.status.code, 130, stopped.stderr);
  assert.equal(stopped.envelope.status, "interrupted");
  const done = countRows(db, DONE);
  assert.ok(done < 3_000);
  // The envelope and the database agree on what was committed.
  const out = stopped.envelope.output;
  assert.equal(out.saved + out.skipped, done);
  // Pages cut off by the interrupt are not failures: only malformed pages are listed.
  const failedInDb = countRows(db, "SELECT count(*) AS n FROM pages WHERE outcome = 'failed'");
  assert.equal(out.failed, failedInDb);
  assert.equal(stopped.envelope.failures.length, failedInDb);
  for (const f of stopped.envelope.failures) {
    assert.match(f.reason, /^Cannot parse page as /, `${f.item} is not a page cut off by SIGINT`);
  }

  const resumed = await finish(spawnSync(home, src, db));
  assert.equal(resumed.status.code, 3);
  assert.equal(resumed.envelope.output.unchanged, done);
  assert.equal(countRows(db, COMMITTED), 3_000);
  assertCleanDatabase(db);
});

/**
 * Signals the child (SIGKILL by default) once `target` pages are committed, polling one
 * read-only connection (opening one per poll lagged by thousands of pages on
 * a busy machine).
 */
async function killAt(
  db: string,
  target: number,
  child: Deno.ChildProcess,
  signal: Deno.Signal = "SIGKILL",
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  let reader: DatabaseSync | undefined;
  try {
    for (;;) {
      if (exited) return;
      try {
        reader ??= new DatabaseSync(db, { readOnly: true });
        if (Number(reader.prepare(COMMITTED).get()?.n ?? 0) >= target) break;
      } catch {
        // Not created, or not migrated, yet.
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill(signal);
  } finally {
    reader?.close();
  }
}

/** Rows of `clean` for the pages `got` holds, table by table (both sorted alike). */
function cleanRowsFor(
  clean: Record<string, unknown[]>,
  got: Record<string, unknown[]>,
): Record<string, unknown[]> {
  const paths = new Set((got.pages as { path: string }[]).map((p) => p.path));
  return Object.fromEntries(
    Object.entries(clean).map(([table, rows]) => [
      table,
      (rows as { path: string }[]).filter((r) => paths.has(r.path)),
    ]),
  );
}

Deno.test("kill -9 at 20 seeded points of a 10,000-page sync with group commit: every database killed holds clean rows only, every resume ends equal to a clean run", async () => {
  await using tmp = await tempDir("weir-resume-10k-");
  const home = tmp.path;
  const src = join(home, "src");
  await writePages(src, { count: 10_000, seed: 11 });
  const cleanDb = join(home, "clean.db");
  const clean = await finish(spawnSync(home, src, cleanDb));
  assert.equal(clean.status.code, 3, clean.stderr);
  assert.ok(clean.envelope.output.commits < 10_000 / 4, "pages share transactions");
  const expected = dumpOntology(cleanDb);
  assert.equal(expected.pages.length, 10_000);

  // 20 seeded kill points, in 4 chains of 5 run side by side: each run of a
  // chain resumes the one killed before it, and is itself killed at the next point.
  const next = mulberry32(20_000);
  // Up to 6,000: on a loaded machine the polling below can lag by hundreds of pages, and a
  // point near the end could let the run finish before the kill lands.
  const points = Array.from({ length: 20 }, () => 1 + Math.floor(next() * 6_000));
  const chains = [0, 1, 2, 3].map((c) =>
    points.filter((_, i) => i % 4 === c).sort((a, b) => a - b)
  );
  /** A run that resumed and ran to its end must equal the clean run. */
  const assertResumedToEnd = (
    run: Awaited<ReturnType<typeof finish>>,
    db: string,
    before: number,
    what: string,
  ) => {
    assert.equal(run.status.code, 3, run.stderr);
    assert.equal(run.envelope.output.resumed, true, what);
    assert.equal(run.envelope.output.unchanged, before, `${what}: committed pages redone`);
    assert.deepEqual(dumpOntology(db), expected, `${what}: rows differ after the resume`);
    assertCleanDatabase(db);
  };
  const results = await Promise.allSettled(chains.map(async (chain, c) => {
    let db = join(home, `chain-${c}.db`);
    let killedLast = false; // Whether `db` holds a killed run that the final resume must finish.
    for (const [k, point] of chain.entries()) {
      const before = countRows(db, DONE);
      const child = spawnSync(home, src, db);
      await killAt(db, point, child);
      const killed = await finish(child);
      if (killed.status.signal !== "SIGKILL") {
        // The machine was so busy that the run ended before the kill landed: it is then a
        // resume run to its end, checked as such, and the chain goes on from a new database.
        if (k > 0) assertResumedToEnd(killed, db, before, `chain ${c}, run ${k}`);
        db = join(home, `chain-${c}-${k}.db`);
        killedLast = false;
        continue;
      }
      killedLast = true;
      const got = dumpOntology(db);
      assert.ok(got.pages.length >= point && got.pages.length < 10_000, `chain ${c}, kill ${k}`);
      assert.deepEqual(
        got,
        cleanRowsFor(expected, got),
        `chain ${c}, kill at ${point}: rows differ`,
      );
    }
    // When the chain's last run ended before its kill, it was checked as a resume above and
    // nothing is left to resume (a run on the new, empty database would not be one).
    if (!killedLast) return;
    const before = countRows(db, DONE);
    assertResumedToEnd(await finish(spawnSync(home, src, db)), db, before, `chain ${c}`);
  }));
  for (const r of results) if (r.status === "rejected") throw r.reason;
});
