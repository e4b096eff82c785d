import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { MANIFEST_PATH } from "../../../plugins/contracts/manifest.ts";
import { contractsKernel, writeTestSet } from "./_set.ts";

Deno.test("plan:contracts binds, plans and matches the generated 300-contract set (~56 KB each)", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, { seed: 11 });
  assert.deepEqual([set.params.expectedContracts, set.params.expectedChunks], [300, 60]);
  const size = Deno.statSync(join(set.params.contracts, "Q150.v3.json")).size;
  assert.ok(size > 50_000 && size < 70_000, `${size} bytes`);
  const run = await t.kernel.runPipeline("plan:contracts", {
    ...set.params,
    workers: 2,
  });
  assert.equal(run.status, "succeeded", run.error);
  const out = run.output as {
    bind: { bindings: number; warnings: string[]; pattern_mode: string };
    plan: { entries: number; patterns: number };
    match: { matched: number; matches: number; db: string; skipped_patterns: number };
  };
  assert.equal(out.bind.bindings, 300);
  assert.equal(out.bind.pattern_mode, "contract");
  assert.ok(out.bind.warnings.length > 0, "the set carries restated ids and placeholders");
  assert.ok(out.bind.warnings.every((w) => /Restates question_id|Placeholder "TODO"/.test(w)));
  assert.deepEqual([out.plan.entries, out.plan.patterns], [300, 600]);
  assert.deepEqual([out.match.matched, out.match.skipped_patterns], [300, 0]);
  const db = new DatabaseSync(out.match.db, { readOnly: true });
  try {
    const perQuestion = db.prepare(
      "SELECT count(DISTINCT question_id) AS q FROM matches WHERE pattern_id LIKE '%-P1'",
    ).get() as { q: number };
    assert.equal(perQuestion.q, 300, "every question's own pattern finds its evidence");
  } finally {
    db.close();
  }
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.equal(Object.keys(manifest.hashes.contracts).length, 300);
  assert.equal(Object.keys(manifest.hashes.chunks).length, 60);
  assert.equal(manifest.total_bindings, 300);
});
