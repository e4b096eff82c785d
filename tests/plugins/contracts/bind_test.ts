import assert from "node:assert/strict";
import { join } from "node:path";
import { hashJson, merkleRoot, sha256Hex } from "../../../lib/hash.ts";
import { MANIFEST_PATH } from "../../../plugins/contracts/manifest.ts";
import { contract, contractsKernel, writeTestSet } from "./_set.ts";

Deno.test("contracts.bind fails before anything downstream with every broken invariant together (exit 1)", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    const chunks = s.document.chunks;
    const missing = chunks.findIndex((c) => c.chunk_id === "PA02-DIM01");
    chunks.splice(missing, 1);
    chunks.push({
      ...chunks.find((c) => c.chunk_id === "PA01-DIM02")!,
      chunk_id: "PA01-DIM02-bis",
    });
  });
  const run = await t.kernel.runPipeline("plan:contracts", set.params);
  assert.equal(run.status, "failed");
  const bind = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(bind.exitCode, 1);
  assert.equal(
    bind.error,
    [
      "Cannot build the JOIN table as 5 invariants failed:",
      "Duplicate chunks for Q003: found 2 chunks",
      "Duplicate chunks for Q004: found 2 chunks",
      "No chunk found for Q005 with PA=PA02, DIM=DIM01",
      "No chunk found for Q006 with PA=PA02, DIM=DIM01",
      "Expected 8 bindings, got 4",
    ].join("\n"),
  );
  assert.ok(run.error?.includes("Expected 8 bindings, got 4"), run.error);
  // Neither plan nor match ran: no plan file, no matches database.
  const exists = (p: string) => Deno.stat(join(t.home, p)).then(() => true, () => false);
  assert.equal(await exists("artifacts/plans"), false);
  assert.equal(await exists("contracts/matches.db"), false);
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.equal(manifest.success, false);
  assert.deepEqual(manifest.invariants_validated, {
    one_to_one_mapping: false,
    all_contracts_bound: false,
    chunks_unique: false,
    count_matches: false,
  });
});

Deno.test("contracts.bind reports the expected counts as flags: contracts, chunks and bindings", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const result = await t.kernel.runTask("contracts.bind", {
    ...set.params,
    expectedContracts: 300,
    expectedChunks: 60,
  });
  assert.equal(
    result.error,
    [
      "Cannot build the JOIN table as 3 invariants failed:",
      "Expected 300 contracts, got 8",
      "Expected 60 chunks, got 4",
      "Expected 300 bindings, got 8",
    ].join("\n"),
  );
});

Deno.test("contracts.bind writes the manifest's fields: invariants, hashes of every contract and chunk, the Merkle root", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const result = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(result.status, "succeeded", result.error);
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.deepEqual(Object.keys(manifest), [
    "manifest_version",
    "success",
    "pattern_mode",
    "join_table",
    "fallback",
    "document_id",
    "total_contracts",
    "total_chunks",
    "total_bindings",
    "invariants_validated",
    "errors",
    "warnings",
    "pattern_counts",
    "settings",
    "merkle_root",
    "hashes",
    "bindings",
    "timings",
  ]);
  assert.equal(manifest.success, true);
  assert.equal(manifest.pattern_mode, "contract");
  assert.deepEqual([manifest.total_contracts, manifest.total_chunks, manifest.total_bindings], [
    8,
    4,
    8,
  ]);
  assert.deepEqual(manifest.invariants_validated, {
    one_to_one_mapping: true,
    all_contracts_bound: true,
    chunks_unique: true,
    count_matches: true,
  });
  assert.deepEqual(manifest.pattern_counts, { contract: 16, generic: 8, planned: 16 });
  assert.deepEqual(manifest.bindings[0], {
    question_id: "Q001",
    chunk_id: "PA01-DIM01",
    policy_area_id: "PA01",
    dimension_id: "DIM01",
  });
  const files = [...Deno.readDirSync(set.params.contracts)].map((e) => e.name).sort();
  const contractHashes = files.map((f) =>
    sha256Hex(Deno.readFileSync(join(set.params.contracts, f)))
  );
  assert.deepEqual(Object.values(manifest.hashes.contracts), contractHashes);
  const doc = JSON.parse(await Deno.readTextFile(set.params.document));
  const chunkHashes = doc.chunks.map(hashJson);
  assert.deepEqual(Object.values(manifest.hashes.chunks), chunkHashes);
  const q = sha256Hex(Deno.readFileSync(set.params.questionnaire));
  assert.equal(manifest.hashes.questionnaire, q);
  assert.equal(manifest.merkle_root, merkleRoot([...contractHashes, ...chunkHashes, q]));
  assert.deepEqual(Object.keys(manifest.timings).slice(0, 1), ["generated_at"]);
});

Deno.test("contracts.bind's manifest is byte-identical for identical inputs apart from its timings field", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const texts: string[] = [];
  for (const name of ["a.json", "b.json"]) {
    const manifest = join(t.home, "m", name);
    const r = await t.kernel.runTask("contracts.bind", { ...set.params, manifest });
    assert.equal(r.status, "succeeded", r.error);
    texts.push(await Deno.readTextFile(manifest));
  }
  const [a, b] = texts.map((s) => s.replace(/\n {2}"timings": \{[^}]*\}\n\}\n$/, "\n}\n"));
  assert.notEqual(a, texts[0], "the timings field is the last one");
  assert.equal(a, b);
});

Deno.test("contracts.bind --skip-unchanged skips a rerun on unchanged inputs and not after a change", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const bind = async (extra = {}) => {
    const r = await t.kernel.runTask("contracts.bind", {
      ...set.params,
      skipUnchanged: true,
      ...extra,
    });
    assert.equal(r.status, "succeeded", r.error);
    return (r.output as { skipped: boolean }).skipped;
  };
  assert.equal(await bind(), false);
  assert.equal(await bind(), true);
  assert.equal(await bind({ strict: true }), false, "other settings are not a rerun");
  assert.equal(await bind({ strict: true }), true);
  const file = join(set.params.contracts, "Q003.v3.json");
  const c = JSON.parse(await Deno.readTextFile(file));
  c.human_readable_output.template.title = "Otra";
  await Deno.writeTextFile(file, JSON.stringify(c));
  assert.equal(await bind({ strict: true }), false);
});

Deno.test("contracts.bind falls back to generic patterns only with --fallback-generic, and the manifest says so", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    contract(s, "Q001.v3.json").identity.policy_area_id = "PA03";
  });
  const failed = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(failed.exitCode, 1);
  assert.match(failed.error!, /^No chunk found for Q001 with PA=PA03, DIM=DIM01$/m);
  const r = await t.kernel.runTask("contracts.bind", { ...set.params, fallbackGeneric: true });
  assert.equal(r.status, "succeeded", r.error);
  assert.equal(r.counters.fallback_generic, 1);
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.equal(manifest.pattern_mode, "generic");
  assert.equal(manifest.success, false);
  assert.deepEqual(manifest.fallback, {
    used: true,
    reasons: ["No chunk found for Q001 with PA=PA03, DIM=DIM01", "Expected 8 bindings, got 7"],
  });
  assert.equal(manifest.total_bindings, 8);
  const plan = await t.kernel.runTask("contracts.plan", { ...set.params, fallbackGeneric: true });
  assert.equal((plan.output as { pattern_mode: string }).pattern_mode, "generic");
});

Deno.test("contracts.bind uses generic patterns with --join-table false or without contracts", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const off = await t.kernel.runTask("contracts.bind", { ...set.params, joinTable: "false" });
  assert.equal((off.output as { pattern_mode: string }).pattern_mode, "generic");
  assert.equal(off.counters.join_table, 0);
  const { contracts: _, ...rest } = set.params;
  const none = await t.kernel.runTask("contracts.bind", rest);
  assert.equal((none.output as { pattern_mode: string }).pattern_mode, "generic");
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.equal(manifest.pattern_mode, "generic");
  assert.equal(manifest.join_table.source, "no-contracts");
  const { questionnaire: __, ...bare } = rest;
  const missing = await t.kernel.runTask("contracts.bind", bare);
  assert.equal(missing.exitCode, 2);
  assert.equal(
    missing.error,
    "Cannot plan without a questionnaire for generic patterns: give --questionnaire",
  );
  const bad = await t.kernel.runTask("contracts.bind", { ...set.params, joinTable: "canary:120" });
  assert.equal(bad.exitCode, 2);
  assert.equal(
    bad.error,
    'Cannot read --join-table as it must be true, false or canary:<percent from 0 to 100>: current value is "canary:120"',
  );
});
