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
import { pool } from "../../lib/async/mod.ts";
import {
  assertCleanDatabase,
  assertSameRows,
  countRows,
  dumpOntology,
  finish,
  pageRows,
  pagesIn,
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
  const signalled = await killAt(db, 200, child, "SIGINT");
  const stopped = await finish(child);
  assert.ok(signalled, `the run ended before 200 pages were seen committed: ${stopped.stderr}`);
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
 *
 * @returns Whether the signal was sent (false: the run ended first).
 */
async function killAt(
  db: string,
  target: number,
  child: Deno.ChildProcess,
  signal: Deno.Signal = "SIGKILL",
): Promise<boolean> {
  let exited = false;
  child.status.then(() => exited = true);
  let reader: DatabaseSync | undefined;
  try {
    for (;;) {
      if (exited) return false;
      try {
        reader ??= new DatabaseSync(db, { readOnly: true });
        if (Number(reader.prepare(COMMITTED).get()?.n ?? 0) >= target) break;
      } catch {
        // Not created, or not migrated, yet: the next poll opens a new connection.
        reader?.close();
        reader = undefined;
      }
      // Every 10 ms (about 20 pages at full speed): a count of 10,000 pages costs ~0.2 ms,
      // which every 2 ms took a tenth of a core from the syncs under test.
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill(signal);
    return true;
  } finally {
    reader?.close();
  }
}

Deno.test("kill -9 at 20 seeded points of a 10,000-page sync with group commit: each killed database holds clean rows only, and each resume runs to its end equal to a clean run", async () => {
  await using tmp = await tempDir("weir-resume-10k-");
  const home = tmp.path;
  const src = join(home, "src");
  await writePages(src, { count: 10_000, seed: 11 });
  const cleanDb = join(home, "clean.db");
  const clean = await finish(spawnSync(home, src, cleanDb));
  assert.equal(clean.status.code, 3, clean.stderr);
  assert.equal(clean.envelope.output.resumed, false);
  assert.ok(clean.envelope.output.commits < 10_000 / 4, "pages share transactions");
  const want = pageRows(cleanDb);
  assert.equal(pagesIn(want).size, 10_000);

  const next = mulberry32(20_000);
  // Up to 6,000: on a loaded machine the polling can lag by hundreds of pages, and a point
  // near the end could let the run finish before the kill lands.
  const points = Array.from({ length: 20 }, () => 1 + Math.floor(next() * 6_000));
  /** One kill at `point` on a new database, then one resume run to its end. */
  const killThenResume = async ([i, point]: [number, number]): Promise<"resumed" | "ended"> => {
    const db = join(home, `kill-${i}.db`);
    const what = `kill ${i} at page ${point}`;
    try {
      const child = spawnSync(home, src, db);
      await killAt(db, point, child);
      const killed = await finish(child);
      if (killed.status.signal !== "SIGKILL") {
        // The machine was so busy that the run ended before the kill landed: a clean run
        // on a new database, checked as one, and no resume.
        assert.equal(killed.status.code, 3, killed.stderr);
        assert.equal(killed.envelope.output.resumed, false, what);
        assertSameRows(pageRows(db), want, `${what}, which ended first`);
        return "ended";
      }
      const got = pageRows(db);
      const present = pagesIn(got);
      assert.ok(present.size >= point && present.size < 10_000, `${what}: ${present.size} pages`);
      assertSameRows(got, want, `${what}: the killed database`, present);

      const done = countRows(db, DONE);
      const resumed = await finish(spawnSync(home, src, db));
      assert.equal(resumed.status.code, 3, resumed.stderr);
      assert.equal(resumed.envelope.output.resumed, true, `${what}: the run knows it resumes`);
      assert.equal(resumed.envelope.output.unchanged, done, `${what}: committed pages redone`);
      assertSameRows(pageRows(db), want, `${what}: after the resume`);
      assertCleanDatabase(db);
      return "resumed";
    } finally {
      for (const suffix of ["", "-wal", "-shm", ".writer", ".writer.json"]) {
        await Deno.remove(db + suffix).catch(() => {});
      }
    }
  };
  // Two pairs at once, one per core; each pair is its own kill and its own resume.
  const ends: string[] = [];
  const errors: unknown[] = [];
  for await (const r of pool(points.entries(), killThenResume, { concurrency: 2 })) {
    if (r.status === "fulfilled") ends.push(r.value);
    else if (r.status === "rejected") errors.push(r.reason);
  }
  if (errors.length) throw errors[0];
  assert.equal(ends.length, 20);
  assert.ok(ends.includes("resumed"), "at least one kill landed and was resumed");
});
