/**
 * `weir runs` speaks the run envelope's snake_case keys, and
 * `weir pipeline <name> --help` prints that pipeline's parameters.
 */
import assert from "node:assert/strict";
import { ROOT, weir } from "../helpers/cli.ts";

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts"];
const RECORD_KEYS = [
  "counters",
  "duration_ms",
  "ended_at",
  "error",
  "failures",
  "host",
  "kind",
  "name",
  "parent_id",
  "pid",
  "run_id",
  "started_at",
  "status",
  "step",
];

Deno.test("weir runs and weir runs show use the run envelope's snake_case keys", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-runs-" });
  try {
    const ran = await weir([...PROBE, "--home", home, "pipeline", "probe-resume", "--dir", home]);
    assert.equal(ran.code, 0, ran.stderr);
    const runId = (ran.json as { run_id: string }).run_id;

    const list = await weir([...PROBE, "--home", home, "runs"]);
    assert.equal(list.code, 0, list.stderr);
    const [listed] = list.json as Record<string, unknown>[];
    assert.deepEqual(Object.keys(listed).sort(), RECORD_KEYS);
    assert.equal(listed.run_id, runId);

    const shown = await weir([...PROBE, "--home", home, "runs", "show", runId]);
    assert.equal(shown.code, 0, shown.stderr);
    const record = shown.json as Record<string, unknown> & { steps: Record<string, unknown>[] };
    assert.deepEqual(
      Object.keys(record).sort(),
      [...RECORD_KEYS, "output", "params", "steps"].sort(),
    );
    assert.deepEqual(record.steps.map((s) => [s.step, s.parent_id]), [
      ["first", runId],
      ["second", runId],
    ]);
    assert.ok(record.steps.every((s) => typeof s.run_id === "string" && "duration_ms" in s));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("weir pipeline <name> --help prints its steps and parameters and exits 0", async () => {
  // Help is text, not JSON, so this runs the CLI without the JSON-reading helper.
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", "main.ts", "pipeline", "sync:ontology", "--help"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  const help = new TextDecoder().decode(run.stdout);
  assert.match(help, /^weir pipeline sync:ontology \[flags\]\n/);
  assert.match(help, /\nSteps:\n {2}\S+ +\(streaming\.sync\)\n/);
  assert.match(help, /\n {2}--source <\S+>/);
  assert.match(
    help,
    /\n {2}--only <string> {2}resync only the pages whose path matches this glob\n/,
  );
  assert.match(help, /\n {2}--resume <run-id> /);
});
