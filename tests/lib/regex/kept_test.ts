import assert from "node:assert/strict";
import { RegexRunner } from "../../../lib/regex/mod.ts";
import { KeptValues } from "../../../lib/regex/_kept.ts";
import type { Request } from "../../../lib/regex/_worker.ts";

const call = (texts: string[], patterns: Request["patterns"]): Request => ({
  id: 1,
  op: "batch",
  source: "",
  flags: "",
  text: "",
  limit: 10,
  budgetMs: 50,
  texts,
  patterns,
});

Deno.test("KeptValues sends each text and pattern once, then names them by id", () => {
  const kept = new KeptValues();
  const first = kept.wire(call(["uno", "dos"], [
    { source: "u", flags: "i", text: 0 },
    { source: "d", flags: "", text: 1 },
    { source: "u", flags: "i", text: 1 },
  ]));
  assert.equal(first.texts, undefined);
  assert.equal(first.patterns, undefined);
  assert.deepEqual(first.keep, [[0, "uno"], [1, "dos"], [2, "1:iu"], [3, "0:d"]]);
  assert.deepEqual(first.textIds, [0, 1]);
  assert.deepEqual([...first.pairs!], [2, 0, 3, 1, 2, 1]);
  assert.equal(first.reset, false);
  const second = kept.wire(call(["dos", "tres"], [{ source: "d", flags: "", text: 0 }]));
  assert.deepEqual(second.keep, [[4, "tres"]]);
  assert.deepEqual(second.textIds, [1, 4]);
  assert.deepEqual([...second.pairs!], [3, 0]);
  kept.forget();
  assert.deepEqual(kept.wire(call(["dos"], [{ source: "d", flags: "", text: 0 }])).keep, [
    [5, "dos"],
    [6, "0:d"],
  ]);
});

Deno.test("KeptValues empties the Worker's store first when it would pass its limit", () => {
  const kept = new KeptValues(10);
  const one = kept.wire(call(["abcdef"], [{ source: "a", flags: "", text: 0 }]));
  assert.equal(one.reset, false);
  assert.equal(kept.units, 6 + 3);
  const two = kept.wire(call(["ghijkl"], [{ source: "a", flags: "", text: 0 }]));
  assert.equal(two.reset, true);
  assert.deepEqual(two.keep?.map(([, v]) => v), ["ghijkl", "0:a"]);
  assert.equal(kept.units, 9);
  const plain = call(["x"], undefined);
  assert.equal(kept.wire(plain), plain);
});

Deno.test("matchGroupSpans() gives matchGroups()' offsets packed, with -1 for a stop and -2 for an error", async () => {
  await using runner = new RegexRunner({ budgetMs: 50 });
  const text = "la meta es 40% y la línea base 20%, aa";
  const trap = "a".repeat(32) + "!";
  const groups = [
    { text, patterns: [{ source: "\\d+%", flags: "" }, { source: "L[íi]NEA", flags: "iu" }] },
    {
      text: "x😀y😀",
      patterns: [{ source: "😀", flags: "u" }, { source: "(a", flags: "" }, {
        source: "x",
        flags: "1:/",
      }],
    },
    { text: trap, patterns: [{ source: "^(a+)+$", flags: "" }, { source: "(a)(a)", flags: "" }] },
  ];
  const packed = await runner.matchGroupSpans(groups, { limit: 2 });
  assert.deepEqual([...packed.counts], [2, 1, 2, -2, -2, -1, 2]);
  assert.match(packed.errors[3], /Unterminated group/);
  assert.match(packed.errors[4], /Invalid flags/); // flags that look like the store's key format
  assert.deepEqual(Object.keys(packed.errors), ["3", "4"]);
  const full = (await runner.matchGroups(groups, { limit: 2 })).flat();
  const spans = full.flatMap((o) =>
    "matches" in o ? o.matches.flatMap((m) => [m.index, m.index + m.match.length]) : []
  );
  assert.deepEqual([...packed.spans], spans);
  assert.equal(runner.stats.exceeded, 2); // once in each call
  assert.deepEqual(await runner.matchGroupSpans([{ text, patterns: [] }]), {
    counts: new Int32Array(0),
    spans: new Int32Array(0),
    errors: {},
  });
});

Deno.test("a fresh Worker gets the kept texts and patterns again: calls after a restart answer the same", async () => {
  await using runner = new RegexRunner({ budgetMs: 500 });
  const text = "meta cuatrienal de 120 beneficiarios";
  const groups = [{ text, patterns: [{ source: "\\d+", flags: "" }] }];
  const before = await runner.matchGroupSpans(groups);
  assert.deepEqual([...before.spans], [19, 22]);
  const trap = "a".repeat(40) + "b";
  // A call cancelled while it runs ends its Worker; the next call starts another.
  const controller = new AbortController();
  const slow = runner.matchGroupSpans([{
    text: trap,
    patterns: [{ source: "^(a+)+$", flags: "" }],
  }], {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error("stop")), 100);
  await assert.rejects(slow, /stop/);
  const after = await runner.matchGroupSpans(groups);
  assert.deepEqual(after, before);
  assert.equal(runner.stats.workers, 2);
});
