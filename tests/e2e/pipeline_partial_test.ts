/**
 * `weir pipeline` when a step partly fails, as a shell script sees it: exit
 * 3, status `partial`, the failed items listed in the envelope (and in the
 * run record), and the steps after it still run.
 */
import assert from "node:assert/strict";
import { weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts"];

/** The envelope's fields this test reads. */
interface Envelope {
  run_id: string;
  name: string;
  status: string;
  output: Record<string, unknown>;
  counters: Record<string, number>;
  failures: { item: string; reason: string; retryable: boolean }[];
  error?: string;
}

Deno.test("weir pipeline exits 3 with status partial and lists the failed items when a step partly fails", async () => {
  await using home = await tempDir("weir-e2e-partial-");
  const run = await weir([...PROBE, "--home", home.path, "pipeline", "probe-partial"]);
  assert.equal(run.code, 3, run.stderr);
  const env = run.json as Envelope;
  assert.equal(env.status, "partial");
  assert.equal(env.name, "probe-partial");
  assert.equal(env.error, undefined);
  // The failures name each bad item and why it failed, whatever prefix names the step.
  assert.equal(env.failures.length, 2, JSON.stringify(env.failures));
  for (const [failure, item] of env.failures.map((f, i) => [f, ["bad1", "bad2"][i]] as const)) {
    assert.match(failure.item, new RegExp(`\\b${item}$`));
    assert.equal(failure.reason, `item "${item}" is malformed`);
    assert.equal(failure.retryable, false);
  }
  // A partial step does not stop the pipeline: the step after it ran.
  assert.deepEqual(env.output.check, { ok: 2 });
  assert.deepEqual(env.output.after, { text: "after", tags: [] });

  // The run record says the same.
  const shown = await weir([...PROBE, "--home", home.path, "runs", "show", env.run_id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /"partial"/);
  assert.match(shown.stdout, /bad1/);
});

Deno.test("weir pipeline exits 0 with status succeeded when no item fails", async () => {
  await using home = await tempDir("weir-e2e-partial-");
  const run = await weir([
    ...PROBE,
    "--home",
    home.path,
    "pipeline",
    "probe-partial",
    "--params",
    JSON.stringify({ items: ["a", "b"] }),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const env = run.json as Envelope;
  assert.equal(env.status, "succeeded");
  assert.deepEqual(env.failures, []);
  assert.deepEqual(env.output.check, { ok: 2 });
});
