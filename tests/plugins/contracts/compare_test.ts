import assert from "node:assert/strict";
import { join } from "node:path";
import { contractsKernel } from "./_set.ts";

const TEXT = "La meta es 40%. La línea base es 20% en 2020. Otra meta: 10%. El 5% restante.";
const span = (s: string) => ({ start: TEXT.indexOf(s), end: TEXT.indexOf(s) + s.length });

Deno.test("contracts.compare gives each mode's precision and recall on a hand-checked case", async () => {
  await using t = await contractsKernel();
  const dir = join(t.home, "in");
  await Deno.mkdir(join(dir, "contracts"), { recursive: true });
  const write = (f: string, v: unknown) => Deno.writeTextFile(join(dir, f), JSON.stringify(v));
  const ids = { question_id: "Q001", policy_area_id: "PA01", dimension_id: "DIM01" };
  await write("contracts/Q001.v3.json", {
    identity: ids,
    question_context: {
      patterns: [
        {
          id: "B",
          pattern: "l[íi]nea base es \\d+%",
          match_type: "REGEX",
          flags: "i",
          category: "indicador",
          confidence_weight: 0.9,
        },
        {
          id: "M",
          pattern: "meta es|meta:",
          match_type: "LITERAL",
          flags: "",
          category: "meta",
          confidence_weight: 0.6,
        },
      ],
    },
  });
  await write("document.json", {
    document_id: "d1",
    chunks: [{ chunk_id: "C1", policy_area_id: "PA01", dimension_id: "DIM01", text: TEXT }],
  });
  await write("questionnaire.json", {
    blocks: {
      micro_questions: [{
        ...ids,
        patterns: [{
          id: "G",
          pattern: "\\d+%",
          match_type: "REGEX",
          flags: "",
          category: "x",
          confidence_weight: 0.5,
        }],
      }],
    },
  });
  // Expected: the baseline sentence and the goal with its figure.
  await write("labels.json", {
    labels: { Q001: [span("línea base es 20%"), span("meta es 40%")] },
  });
  const r = await t.kernel.runTask("contracts.compare", {
    contracts: join(dir, "contracts"),
    document: join(dir, "document.json"),
    questionnaire: join(dir, "questionnaire.json"),
    labels: join(dir, "labels.json"),
    expectedContracts: 1,
    expectedChunks: 1,
    workers: 1,
  });
  assert.equal(r.status, "succeeded", r.error);
  // Contract: "línea base es 20%" (right), "meta es" (right), "meta:" (wrong): 2/3; both labels found.
  // Generic: "40%", "20%" (right), "10%", "5%" (wrong): 2/4; both labels found.
  // Overlap: "20%" lies inside "línea base es 20%".
  const contract = {
    matches: 3,
    true_positives: 2,
    labels_found: 2,
    labels: 2,
    precision: 0.6667,
    recall: 1,
  };
  const generic = {
    matches: 4,
    true_positives: 2,
    labels_found: 2,
    labels: 2,
    precision: 0.5,
    recall: 1,
  };
  assert.deepEqual(r.output, {
    document_id: "d1",
    labelled: true,
    overall: { contract, generic, overlap: 1 },
    questions: [{ question_id: "Q001", contract, generic, overlap: 1 }],
  });
});
