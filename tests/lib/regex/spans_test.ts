import assert from "node:assert/strict";
import { RegexRunner } from "../../../lib/regex/mod.ts";

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
  assert.match(packed.errors[4], /Invalid flags/);
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

Deno.test("matchGroupSpans() answers the same after a cancelled call restarted the Worker", async () => {
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
