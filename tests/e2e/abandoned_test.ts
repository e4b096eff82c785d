/**
 * No run stays "running": a run whose process died (kill -9) or whose final
 * write failed is found abandoned by the next reader and can be resumed;
 * a failed manifest write still gives the envelope, names the file and
 * leaves no temporary file behind.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { waitFor, weir } from "../helpers/cli.ts";

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts"];

function runIdOf(lines: Record<string, unknown>[], kind: "task" | "pipeline"): string {
  const started = lines.find((l) => l.msg === "started" && kind in l);
  assert.ok(started, "a started line");
  return String(started.run_id);
}

Deno.test("a run killed with -9 is shown as abandoned by runs, and its pipeline resumes", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-abandon-" });
  const dir = await Deno.makeTempDir({ prefix: "weir-abandon-data-" });
  try {
    const killed = await weir([...PROBE, "--home", home, "pipeline", "probe-wait", "--dir", dir], {
      onSpawn: async (child, stderr) => {
        await waitFor(stderr, "waiting for a signal");
        child.kill("SIGKILL");
      },
    });
    assert.equal(killed.code, 137);
    assert.equal(killed.stdout, "");
    const id = runIdOf(killed.lines, "pipeline");

    const runs = await weir(["--home", home, "runs"]);
    assert.equal(runs.code, 0, runs.stderr);
    const listed = (runs.json as { run_id?: string; id?: string; status: string }[])
      .find((r) => (r.run_id ?? r.id) === id);
    assert.equal(listed?.status, "abandoned");

    const shown = await weir(["--home", home, "runs", "show", id]);
    const run = shown.json as { status: string; error: string; steps: { status: string }[] };
    assert.equal(run.status, "abandoned");
    assert.match(run.error, /^The process \d+( on \S+)? stopped before the run finished/);
    assert.deepEqual(run.steps.map((s) => s.status), ["succeeded", "abandoned"]);

    // Resumable: the completed step is skipped, the abandoned one runs again.
    const resumed = await weir(
      [...PROBE, "--home", home, "pipeline", "probe-wait", "--resume", id],
      {
        onSpawn: async (child, stderr) => {
          await waitFor(stderr, "waiting for a signal");
          child.kill("SIGINT");
        },
      },
    );
    assert.equal(resumed.code, 130, resumed.stderr);
    assert.equal((resumed.json as { run_id: string }).run_id, id);
    assert.ok(resumed.stderr.includes('step \\"first\\" already done in this run; skipped'));
    assert.equal(await Deno.readTextFile(join(dir, "first.count")), "1");
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run whose final record cannot be written prints a failed envelope naming the database, then shows as abandoned", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-abandon-" });
  try {
    // Create the store, then make every final write fail as a full disk would.
    assert.equal((await weir([...PROBE, "--home", home, "run", "probe.echo"])).code, 0);
    const db = new DatabaseSync(join(home, "weir.db"));
    db.exec(`CREATE TRIGGER full BEFORE UPDATE OF status ON runs WHEN NEW.status != 'running'
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    db.close();

    const run = await weir([...PROBE, "--home", home, "run", "probe.echo"]);
    assert.equal(run.code, 1, run.stderr);
    const envelope = run.json as { run_id: string; status: string; error: string };
    assert.equal(envelope.status, "failed");
    assert.equal(
      envelope.error,
      `Cannot write the run record to "${join(home, "weir.db")}": database or disk is full`,
    );

    const fixed = new DatabaseSync(join(home, "weir.db"));
    fixed.exec("DROP TRIGGER full");
    fixed.close();
    const shown = await weir(["--home", home, "runs", "show", envelope.run_id]);
    assert.equal((shown.json as { status: string }).status, "abandoned");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a manifest that cannot be written (a full disk) fails the run with the path, removes the temporary file, and the run resumes", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-abandon-" });
  const dir = await Deno.makeTempDir({ prefix: "weir-abandon-data-" });
  try {
    await Deno.writeTextFile(join(dir, "fail-second"), "");
    const first = await weir([...PROBE, "--home", home, "pipeline", "probe-resume", "--dir", dir]);
    assert.equal(first.code, 1, first.stderr);
    const id = (first.json as { run_id: string }).run_id;
    await Deno.remove(join(dir, "fail-second"));

    // Writing the manifest's temporary file now writes to /dev/full: ENOSPC.
    const manifest = join(home, "runs", id, "manifest.json");
    await Deno.symlink("/dev/full", `${manifest}.tmp`);
    const full = await weir([...PROBE, "--home", home, "pipeline", "probe-resume", "--resume", id]);
    assert.equal(full.code, 1, full.stderr);
    const envelope = full.json as { status: string; error: string };
    assert.equal(envelope.status, "failed");
    assert.match(envelope.error, new RegExp(`^Cannot write "${manifest}": `));
    assert.equal(existsSync(`${manifest}.tmp`), false, "the temporary file is removed");
    const shown = await weir(["--home", home, "runs", "show", id]);
    assert.equal((shown.json as { status: string }).status, "failed");

    const again = await weir([
      ...PROBE,
      "--home",
      home,
      "pipeline",
      "probe-resume",
      "--resume",
      id,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.json as { status: string }).status, "succeeded");
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});
