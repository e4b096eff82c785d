import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { contract, contractsKernel, writeTestSet } from "./_set.ts";

interface MatchOut {
  questions: number;
  matched: number;
  resumed: number;
  matches: number;
  skipped_patterns: number;
}

function rows(path: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

Deno.test("contracts.match records each match (question, pattern, category, offsets, text, weight) in SQLite", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const r = await t.kernel.runTask("contracts.match", { ...set.params, workers: 2 });
  assert.equal(r.status, "succeeded", r.error);
  const out = r.output as MatchOut & { db: string };
  assert.deepEqual([out.questions, out.matched, out.resumed, out.skipped_patterns], [8, 8, 0, 0]);
  const doc = JSON.parse(await Deno.readTextFile(set.params.document));
  const texts = new Map(
    doc.chunks.map((c: { chunk_id: string; text: string }) => [c.chunk_id, c.text]),
  );
  const found = rows(
    out.db,
    "SELECT m.*, d.chunk_id FROM matches m JOIN questions_done d USING (document_id, mode, question_id) ORDER BY question_id, pattern_id, seq",
  );
  assert.equal(found.length, out.matches);
  for (const m of found) {
    assert.equal(
      (texts.get(m.chunk_id as string) as string).slice(m.start as number, m.end as number),
      m.text,
    );
  }
  const q1 = found.filter((m) => m.question_id === "Q001" && m.pattern_id === "Q001-P1");
  assert.equal(q1.length, 2, "the evidence appears twice in its chunk");
  assert.match(q1[0].text as string, /^línea base de mujeres rurales es de \d+,\d%$/);
  assert.deepEqual([q1[0].category, q1[0].confidence_weight, q1[0].mode], [
    "indicador",
    0.9,
    "contract",
  ]);
});

Deno.test("contracts.match resumes per question: questions done are kept, the rest are matched", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const first = await t.kernel.runTask("contracts.match", set.params);
  const db = (first.output as { db: string }).db;
  const total = (first.output as MatchOut).matches;
  const conn = new DatabaseSync(db);
  conn.exec("DELETE FROM matches WHERE question_id IN ('Q002', 'Q007')");
  conn.exec("DELETE FROM questions_done WHERE question_id IN ('Q002', 'Q007')");
  conn.close();
  const again = await t.kernel.runTask("contracts.match", set.params);
  const out = again.output as MatchOut;
  assert.deepEqual([out.matched, out.resumed], [2, 6]);
  assert.equal(rows(db, "SELECT count(*) AS n FROM matches")[0].n, total);
  const full = await t.kernel.runTask("contracts.match", { ...set.params, full: true });
  assert.deepEqual([(full.output as MatchOut).matched, (full.output as MatchOut).resumed], [8, 0]);
  assert.equal(rows(db, "SELECT count(*) AS n FROM matches")[0].n, total);
});

Deno.test("contracts.match stops a catastrophic pattern at its budget, reports it and matches the rest (exit 3)", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home, undefined, (s) => {
    s.document.chunks[0].text += " " + "a".repeat(30) + "c";
    contract(s, "Q001.v3.json").question_context.patterns.push({
      id: "Q001-EVIL",
      pattern: "(a+)+b",
      match_type: "REGEX",
      flags: "",
      category: "indicador",
      confidence_weight: 0.5,
    });
  });
  const r = await t.kernel.runTask("contracts.match", { ...set.params, budgetMs: 50, workers: 1 });
  assert.equal(r.status, "partial");
  assert.equal(r.exitCode, 3);
  assert.deepEqual(r.failures.map((f) => [f.item, f.reason]), [[
    "Q001/Q001-EVIL",
    "Pattern Q001-EVIL of Q001 ran past its budget of 50 ms on chunk PA01-DIM01 and was skipped",
  ]]);
  const out = r.output as MatchOut & { db: string };
  assert.deepEqual([out.matched, out.skipped_patterns], [8, 1]);
  const q1 = rows(
    out.db,
    "SELECT DISTINCT pattern_id FROM matches WHERE question_id = 'Q001' ORDER BY 1",
  );
  assert.deepEqual(q1.map((x) => x.pattern_id), ["Q001-P1", "Q001-P2"]);
  assert.equal(rows(out.db, "SELECT count(*) AS n FROM skipped_patterns")[0].n, 1);
});

Deno.test("contracts.plan lists each binding with its patterns and source, filtered by category and weight", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const out = join(t.home, "plan.json");
  const r = await t.kernel.runTask("contracts.plan", { ...set.params, out, minConfidence: 0.5 });
  assert.equal(r.status, "succeeded", r.error);
  const plan = JSON.parse(await Deno.readTextFile(out));
  assert.equal(plan.pattern_mode, "contract");
  assert.equal(plan.entries.length, 8);
  assert.deepEqual(plan.entries[2], {
    question_id: "Q003",
    chunk_id: "PA01-DIM02",
    policy_area_id: "PA01",
    dimension_id: "DIM02",
    source: "contract",
    patterns: [{
      id: "Q003-P1",
      category: "indicador",
      confidence_weight: 0.9,
      match_type: "REGEX",
      source: plan.entries[2].patterns[0].source,
      flags: "iu",
    }],
  });
  const literal = await t.kernel.runTask("contracts.plan", {
    ...set.params,
    out,
    category: ["contexto"],
  });
  assert.equal((literal.output as { patterns: number }).patterns, 8);
  const lit = JSON.parse(await Deno.readTextFile(out)).entries[0].patterns[0];
  assert.deepEqual([lit.match_type, lit.source], ["LITERAL", "línea base de|linea base de"]);
  assert.equal(r.counters.plan_entries, 8);
  assert.equal(r.counters.join_table, 1);
  assert.equal(r.counters.pattern_mode_contract, 1);
});
