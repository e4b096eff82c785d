import assert from "node:assert/strict";
import { RegexRunner } from "../../../lib/regex/mod.ts";

Deno.test("matchBatch() finds each pattern's matches as matches() does, in order", async () => {
  await using runner = new RegexRunner({ budgetMs: 200 });
  const text = "El Plan de Desarrollo prevé 120 sedes y 35 hospitales en 2024.";
  const patterns = [
    { source: "\\d+", flags: "" },
    { source: "plan de desarrollo", flags: "i" },
    { source: "(?<n>\\d+) (?<what>sedes|hospitales)", flags: "u" },
    { source: "nada", flags: "" },
  ];
  const batch = await runner.matchBatch(text, patterns, { limit: 2 });
  const one = await Promise.all(
    patterns.map((p) => runner.matches(p.source, p.flags, text, { limit: 2 })),
  );
  assert.deepEqual(batch, one.map((matches) => ({ matches })));
});

Deno.test("matchBatch() stops only the pattern past its budget and goes on with the rest", async () => {
  await using runner = new RegexRunner({ budgetMs: 50 });
  const text = "a".repeat(32) + "!";
  const out = await runner.matchBatch(text, [
    { source: "a{3}", flags: "" },
    { source: "^(a+)+$", flags: "" },
    { source: "(a|aa)+b", flags: "" },
    { source: "!", flags: "" },
  ], { limit: 1 });
  assert.deepEqual(out[0], { matches: [{ index: 0, match: "aaa", captures: [] }] });
  assert.deepEqual(out[1], { exceeded: true });
  assert.deepEqual(out[2], { exceeded: true });
  assert.deepEqual(out[3], { matches: [{ index: 32, match: "!", captures: [] }] });
  assert.equal(runner.stats.exceeded, 2);
  assert.equal(runner.stats.workers, 1);
});

Deno.test("matchBatch() answers a pattern that does not compile with its error, not a rejection", async () => {
  await using runner = new RegexRunner();
  const out = await runner.matchBatch("abc", [{ source: "(a", flags: "" }, {
    source: "b",
    flags: "",
  }]);
  assert.ok("error" in out[0] && /Unterminated group/.test(out[0].error), JSON.stringify(out[0]));
  assert.deepEqual(out[1], { matches: [{ index: 1, match: "b", captures: [] }] });
});

Deno.test("matchBatch() checks its arguments before anything runs", async () => {
  await using runner = new RegexRunner();
  await assert.rejects(
    runner.matchBatch("abc", [{ source: 1 as unknown as string, flags: "" }]),
    TypeError,
  );
  await assert.rejects(runner.matchBatch("abc", [], { limit: 0 }), RangeError);
  assert.deepEqual(await runner.matchBatch("abc", []), []);
  assert.equal(runner.stats.workers, 0);
});

Deno.test("matchGroups() answers each text's patterns in one call, as matchBatch() would one by one", async () => {
  await using runner = new RegexRunner({ budgetMs: 200 });
  const shared = "la meta es 40% y la línea base 20%";
  const groups = [
    { text: shared, patterns: [{ source: "\\d+%", flags: "" }] },
    {
      text: "sin cifras",
      patterns: [{ source: "\\d+%", flags: "" }, { source: "cifra", flags: "" }],
    },
    { text: shared, patterns: [{ source: "(?<n>\\d+)%", flags: "" }] },
    { text: "vacío", patterns: [] },
  ];
  const together = await runner.matchGroups(groups);
  const apart = await Promise.all(groups.map((g) => runner.matchBatch(g.text, g.patterns)));
  assert.deepEqual(together, apart);
  assert.deepEqual(together[2], [{
    matches: [
      { index: 11, match: "40%", captures: ["40"], groups: { n: "40" } },
      { index: 31, match: "20%", captures: ["20"], groups: { n: "20" } },
    ],
  }]);
  assert.equal(
    runner.stats.completed,
    4,
    "one call for the groups, one per matchBatch with patterns",
  );
});
