/**
 * Ctrl-C under `deno task`: the terminal signals the whole process group and
 * `deno task` forwards the signal to its child as well, so the child sees two
 * SIGINTs at once. That must be one graceful stop, every time; only a signal
 * after the grace period forces the exit, and the run stays resumable.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, waitFor } from "../helpers/cli.ts";

interface TaskRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno task weir ...` as its own process group (setsid), as a terminal's job. */
async function deno_task(
  args: string[],
  home: string,
  signals: (group: number) => Promise<void>,
): Promise<TaskRun> {
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "task", "-q", "weir", ...args],
    cwd: ROOT,
    env: { WEIR_HOME: home, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const [forWait, forResult] = child.stderr.pipeThrough(new TextDecoderStream()).tee();
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(forResult.pipeThrough(new TextEncoderStream())).text();
  try {
    await waitFor(forWait, "waiting for a signal");
    await signals(child.pid);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  const [status, out, err] = await Promise.all([child.status, stdout, stderr]);
  return { code: status.code, stdout: out, stderr: err };
}

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts", "run", "probe.wait"];

Deno.test("one Ctrl-C under deno task (SIGINT to the process group) stops gracefully: envelope, status interrupted, exit 130, 20 of 20 tries", async () => {
  const home = join(".weir", `test-signals-${crypto.randomUUID()}`);
  try {
    for (let i = 0; i < 20; i++) {
      const run = await deno_task(PROBE, home, (group) => {
        Deno.kill(-group, "SIGINT");
        return Promise.resolve();
      });
      assert.equal(run.code, 130, `try ${i + 1}: ${run.stderr}`);
      const envelope = JSON.parse(run.stdout);
      assert.equal(envelope.status, "interrupted", `try ${i + 1}`);
      // The graceful path: the task returned after its current unit, not a forced exit.
      assert.equal(envelope.error, undefined, `try ${i + 1}: ${envelope.error}`);
      assert.equal(envelope.output.ticks, envelope.counters.ticks);
      const record = JSON.parse(
        await Deno.readTextFile(join(ROOT, home, "runs", envelope.run_id, "manifest.json")),
      );
      assert.equal(record.status, "interrupted", `try ${i + 1}`);
    }
  } finally {
    await Deno.remove(join(ROOT, home), { recursive: true }).catch(() => {});
  }
});

Deno.test("a second Ctrl-C after the grace period forces the exit, and the run record is left interrupted", async () => {
  const home = join(".weir", `test-signals-${crypto.randomUUID()}`);
  try {
    const run = await deno_task([...PROBE, "--stubborn"], home, async (group) => {
      Deno.kill(-group, "SIGINT");
      // The grace period is what is under test here: 2 s, then the forcing signal.
      await new Promise((r) => setTimeout(r, 2500));
      Deno.kill(-group, "SIGINT");
    });
    assert.equal(run.code, 130, run.stderr);
    const envelope = JSON.parse(run.stdout);
    assert.equal(envelope.status, "interrupted");
    assert.equal(envelope.error, "Stopped by a second signal; the run can be resumed");
    const db = new (await import("node:sqlite")).DatabaseSync(join(ROOT, home, "weir.db"));
    try {
      const row = db.prepare("SELECT status, error FROM runs WHERE id = ?").get(envelope.run_id);
      assert.equal(row?.status, "interrupted");
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(join(ROOT, home), { recursive: true }).catch(() => {});
  }
});
