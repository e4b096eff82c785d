import assert from "node:assert/strict";
import { join } from "node:path";
import { MANIFEST_PATH } from "../../../plugins/contracts/manifest.ts";
import { contract, contractsKernel, writeTestSet } from "./_set.ts";

const jsonError = (text: string) => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("parsed");
};

Deno.test("contracts.bind reports every validation error together, each with its file and JSON path (exit 2)", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    s.contracts.set("Q001.v3.json", "{ not json" as never);
    contract(s, "Q002.v3.json").identity.policy_area_id = "PA11";
    contract(s, "Q003.v3.json").identity.question_id = "Q009";
    contract(s, "Q004.v3.json").question_context.patterns[0].pattern = "(sin cerrar";
    contract(s, "Q005.v3.json").question_context.patterns[1].match_type = "FUZZY";
    s.contracts.set("Q006.v4.json", structuredClone(contract(s, "Q006.v3.json")));
    contract(s, "Q007.v3.json").question_context.patterns[0].confidence_weight = "alta";
  });
  const result = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(result.status, "failed");
  assert.equal(result.exitCode, 2);
  assert.equal(
    result.error,
    [
      "Cannot use the contracts as 7 problems were found:",
      `Q001.v3.json $: Invalid JSON: ${jsonError("{ not json")}`,
      "Q002.v3.json $.identity.policy_area_id: Expected a policy area PA01..PA10",
      "Q003.v3.json $.identity.question_id: Question id Q009 disagrees with the file name (Q003)",
      "Q004.v3.json $.question_context.patterns[0].pattern: Pattern Q004-P1 of Q004 does not compile as its syntax is invalid (unterminated group)",
      'Q005.v3.json $.question_context.patterns[1].match_type: Unknown match type "FUZZY": expected REGEX or LITERAL',
      "Q006.v4.json $.identity.question_id: Duplicate question id Q006: also in Q006.v3.json",
      "Q007.v3.json $.question_context.patterns[0].confidence_weight: Invalid input: expected number, received string",
    ].join("\n"),
  );
  // The manifest is still written: the audit trail of a failed bind.
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.equal(manifest.success, false);
  assert.equal(manifest.errors.length, 7);
});

Deno.test("contracts.bind accepts and carries sections it does not read", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    for (const c of s.contracts.values()) {
      (c as Record<string, unknown>).calibration = { prior: 0.5, notes: ["sin validar"] };
      (c as { identity: Record<string, unknown> }).identity.extra_field = { any: [1, 2] };
    }
  });
  const result = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(result.status, "succeeded", result.error);
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.equal(manifest.success, true);
  assert.deepEqual(manifest.errors, []);
});

Deno.test("contracts.bind warns of restated ids and hash placeholders; --strict makes them errors", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    contract(s, "Q001.v3.json").traceability.question_id = "Q002";
    contract(s, "Q002.v3.json").traceability.source_hash = "TODO";
    contract(s, "Q003.v3.json").method_binding.methods[0].policy_area_id = "PA09";
    contract(s, "Q004.v3.json").evidence_assembly.dimension_id = "DIM06";
  });
  const warnings = [
    'Q001.v3.json $.traceability.question_id: Restates question_id as "Q002" where identity says "Q001"',
    'Q002.v3.json $.traceability.source_hash: Placeholder "TODO" where a hash is expected',
    'Q003.v3.json $.method_binding.methods[0].policy_area_id: Restates policy_area_id as "PA09" where identity says "PA01"',
    'Q004.v3.json $.evidence_assembly.dimension_id: Restates dimension_id as "DIM06" where identity says "DIM02"',
  ];
  const ok = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(ok.status, "succeeded", ok.error);
  assert.deepEqual((ok.output as { warnings: string[] }).warnings, warnings);
  assert.equal(ok.counters.warnings, 4);
  const manifest = JSON.parse(await Deno.readTextFile(join(t.home, MANIFEST_PATH)));
  assert.deepEqual(manifest.warnings, warnings);
  assert.equal(manifest.success, true);

  const strict = await t.kernel.runTask("contracts.bind", { ...set.params, strict: true });
  assert.equal(strict.exitCode, 2);
  assert.equal(
    strict.error,
    ["Cannot use the contracts as 4 problems were found:", ...warnings].join("\n"),
  );
});

Deno.test("contracts.bind names the document's and the questionnaire's problems with their file and JSON path", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    const micro =
      (s.questionnaire.blocks as { micro_questions: { patterns: { pattern: string }[] }[] })
        .micro_questions;
    micro[1].patterns[0].pattern = "[a-";
  });
  const generic = await t.kernel.runTask("contracts.bind", { ...set.params, joinTable: "false" });
  assert.equal(generic.exitCode, 2);
  assert.equal(
    generic.error,
    "Cannot use the contracts as 1 problem was found:\n" +
      `${set.params.questionnaire} $.blocks.micro_questions[1].patterns[0].pattern: Pattern Q002-G1 of Q002 does not compile as its syntax is invalid (unterminated character class)`,
  );
  const doc = JSON.parse(await Deno.readTextFile(set.params.document));
  doc.chunks[2].dimension_id = "DIM9";
  delete doc.chunks[3].text;
  await Deno.writeTextFile(set.params.document, JSON.stringify(doc));
  const r = await t.kernel.runTask("contracts.bind", set.params);
  assert.equal(r.exitCode, 2);
  assert.equal(
    r.error,
    [
      "Cannot use the contracts as 3 problems were found:",
      `${set.params.document} $.chunks[2].dimension_id: Expected a dimension DIM01..DIM06`,
      `${set.params.document} $.chunks[3].text: Invalid input: expected string, received undefined`,
      `${set.params.questionnaire} $.blocks.micro_questions[1].patterns[0].pattern: Pattern Q002-G1 of Q002 does not compile as its syntax is invalid (unterminated character class)`,
    ].join("\n"),
  );
});

Deno.test("loadContracts() refuses a file larger than maxBytes without reading it, and goes on", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const { loadContracts } = await import("../../../plugins/contracts/load.ts");
  const { PatternCache } = await import("../../../plugins/contracts/patterns.ts");
  const size = (await Deno.stat(join(set.params.contracts, "Q001.v3.json"))).size;
  const limit = size - 1;
  const out = await loadContracts(set.params.contracts, {
    patterns: new PatternCache(),
    maxBytes: limit,
    concurrency: 3,
  });
  const big = out.errors.filter((e) => e.message.startsWith("File is larger"));
  assert.ok(big.some((e) => e.file === "Q001.v3.json"));
  assert.equal(
    big.find((e) => e.file === "Q001.v3.json")!.message,
    `File is larger than ${limit} bytes: ${size} bytes`,
  );
  assert.equal(out.contracts.length + big.length, 8);
});
