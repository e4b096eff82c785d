import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TaskInputError } from "../../kernel/errors.ts";
import { type Layer, type Run, settle } from "../../kernel/phases.ts";
import { Failures } from "../../lib/counters.ts";
import { WeirError } from "../../lib/errors.ts";
import { testKernel } from "../helpers/kernel.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("runTask() records a succeeded run with its output, counters and manifest", async () => {
  await using t = await testKernel();
  const result = await t.kernel.runTask("probe.partial", { items: ["a", "b"] });
  assert.equal(result.status, "succeeded");
  assert.equal(result.exitCode, 0);
  const record = t.kernel.records().get(result.runId)!;
  assert.equal(record.status, "succeeded");
  assert.deepEqual(record.output, { ok: 2 });
  assert.deepEqual(record.counters, { ok: 2 });
  const manifest = JSON.parse(
    readFileSync(join(t.home, "runs", result.runId, "manifest.json"), "utf8"),
  );
  assert.equal(manifest.name, "probe.partial");
  assert.equal(manifest.status, "succeeded");
});

Deno.test("runTask() throws TaskInputError before anything is recorded", async () => {
  await using t = await testKernel();
  const err = await t.kernel.runTask("probe.echo", { times: "x" }).catch((e) => e);
  assert.ok(err instanceof TaskInputError);
  assert.equal(
    err.message,
    'Cannot run "probe.echo" as its input is invalid: "times": Invalid input: expected number, received string',
  );
  assert.deepEqual(err.issues.map((i: { path: string }) => i.path), ["times"]);
  assert.equal(existsSync(join(t.home, "weir.db")), false);
});

Deno.test("runTask() refuses keys its input schema does not know, naming them, before anything is recorded", async () => {
  await using t = await testKernel();
  const err = await t.kernel.runTask("probe.echo", { txt: "x", text: "y" }).catch((e) => e);
  assert.ok(err instanceof TaskInputError);
  assert.equal(
    err.message,
    'Cannot run "probe.echo" as its input is invalid: "txt": Unknown key: known keys are text, times, loud, tags, url',
  );
  assert.equal(existsSync(join(t.home, "weir.db")), false);
});

Deno.test("runTask() marks a run interrupted when its signal aborts, with exit code 130", async () => {
  const controller = new AbortController();
  // Abort once the task runs (inside every other layer), with no timer involved.
  const abortOnStart: Layer = (_run, next) => {
    const outcome = next();
    controller.abort();
    return outcome;
  };
  await using t = await testKernel({ layers: [abortOnStart] });
  const result = await t.kernel.runTask("probe.wait", {}, { signal: controller.signal });
  assert.equal(result.status, "interrupted");
  assert.equal(result.exitCode, 130);
  assert.equal(t.kernel.records().get(result.runId)?.status, "interrupted");
});

Deno.test("runPipeline() resumes a failed run without repeating completed steps", async () => {
  await using t = await testKernel();
  await using tmp = await tempDir("weir-kernel-");
  const dir = tmp.path;
  await Deno.writeTextFile(join(dir, "fail-second"), "");

  const first = await t.kernel.runPipeline("probe-resume", { dir });
  assert.equal(first.status, "failed");
  assert.equal(first.exitCode, 1);
  assert.match(first.error!, /^Step "second" failed: marker .*fail-second exists$/);
  assert.equal(await Deno.readTextFile(join(dir, "first.count")), "1");

  await Deno.remove(join(dir, "fail-second"));
  const resumed = await t.kernel.runPipeline("probe-resume", {}, { resume: first.runId });
  assert.equal(resumed.status, "succeeded");
  assert.equal(resumed.runId, first.runId);
  // The first step ran once in all; the second twice (failed, then succeeded).
  assert.equal(await Deno.readTextFile(join(dir, "first.count")), "1");
  assert.equal(await Deno.readTextFile(join(dir, "second.count")), "2");
  assert.deepEqual(resumed.output, { first: { runs: 1 }, second: { runs: 2 } });
  assert.ok(t.output().includes('step \\"first\\" already done in this run; skipped'));

  const steps = t.kernel.records().steps(first.runId).map((s) => [s.step, s.status]);
  assert.deepEqual(steps, [["first", "succeeded"], ["second", "failed"], ["second", "succeeded"]]);
});

Deno.test("runPipeline() refuses to resume a run of another pipeline or one that succeeded", async () => {
  await using t = await testKernel();
  await using tmp = await tempDir("weir-kernel-");
  const dir = tmp.path;
  const ok = await t.kernel.runPipeline("probe-resume", { dir });
  assert.equal(ok.status, "succeeded");
  await assert.rejects(
    t.kernel.runPipeline("probe-resume", {}, { resume: ok.runId }),
    { name: "UsageError", message: `Cannot resume run "${ok.runId}" as it already succeeded` },
  );
  await assert.rejects(
    t.kernel.runPipeline("probe-sandbox", {}, { resume: ok.runId }),
    {
      name: "UsageError",
      message: `Cannot resume run "${ok.runId}" as it is not a run of pipeline "probe-sandbox"`,
    },
  );
});

Deno.test("a sandboxed step reads what it declared", async () => {
  await using t = await testKernel();
  await using tmp = await tempDir("weir-kernel-");
  const dir = tmp.path;
  const file = join(dir, "allowed.txt");
  await Deno.writeTextFile(file, "12345");
  const result = await t.kernel.runPipeline("probe-sandbox", { path: file });
  assert.equal(result.status, "succeeded", result.error);
  assert.deepEqual(result.output, { read: { bytes: 5 } });
});

Deno.test("a sandboxed step cannot read a path outside its grant, though the process can", async () => {
  await using t = await testKernel();
  await using tmp = await tempDir("weir-kernel-");
  const dir = tmp.path;
  const declared = join(dir, "declared.txt");
  const secret = join(dir, "secret.txt");
  await Deno.writeTextFile(declared, "ok");
  await Deno.writeTextFile(secret, "top secret");
  // This test process may read the file...
  assert.equal(await Deno.readTextFile(secret), "top secret");
  // ...the sandboxed step, granted only `declared`, may not.
  const result = await t.kernel.runPipeline("probe-sandbox", { path: secret, declare: declared });
  assert.equal(result.status, "failed");
  assert.match(
    result.error!,
    new RegExp(`^Step "read" failed: Requires read access to "${secret}"`),
  );
});

Deno.test("the demo pipeline snapshots the fixtures, verifies them, and is incremental", async () => {
  await using t = await testKernel();
  const first = await t.kernel.runPipeline("demo", {});
  assert.equal(first.status, "succeeded", first.error);
  const out = first.output as {
    snapshot: { files: number; copied: number };
    verify: { verified: number; merkle_ok: boolean };
  };
  assert.equal(out.snapshot.files, 4);
  assert.equal(out.snapshot.copied, 4);
  assert.equal(out.verify.verified, 4);
  assert.equal(out.verify.merkle_ok, true);
  assert.ok(first.summary?.some((l) => l.includes("4/4 files match")));
  const second = await t.kernel.runPipeline("demo", {});
  assert.equal((second.output as { snapshot: { unchanged: number } }).snapshot.unchanged, 4);
});

Deno.test("example.verify lists a tampered file as failed (exit 3)", async () => {
  await using t = await testKernel();
  await t.kernel.runTask("example.snapshot", { source: "fixtures/example", name: "t" });
  await Deno.writeTextFile(join(t.home, "objects/snapshots/t/files/README.md"), "tampered");
  const result = await t.kernel.runTask("example.verify", { name: "t" });
  assert.equal(result.status, "partial");
  assert.equal(result.exitCode, 3);
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0].item, "README.md");
  assert.match(result.failures[0].reason, /^sha256 is [0-9a-f]{64}, manifest says [0-9a-f]{64}$/);
});

Deno.test("settle() gives a failed run the output its WeirError carries (a check's findings), and none for other errors", async () => {
  const signal = new AbortController().signal;
  const run = {
    unit: {},
    request: { signal },
    ctx: { failures: new Failures() },
  } as unknown as Run;
  const findings = { ok: false, integrity: ["row 1 missing from index i"] };
  const failed = await settle(run, () => {
    throw new WeirError("Cannot vouch for it", "check_failed", 1, { output: findings });
  });
  assert.equal(failed.status, "failed");
  assert.deepEqual(failed.output, findings);
  const plain = await settle(run, () => Promise.reject(new Error("boom")));
  assert.equal(plain.status, "failed");
  assert.equal(plain.output, undefined);
  // An error without output does not grow an `output` field (it would cross the sandbox).
  assert.equal(Object.hasOwn(new WeirError("x", "y", 1), "output"), false);
});
