import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import fc from "fast-check";
import { WeirError } from "../../../lib/errors.ts";
import {
  BudgetExceededError,
  compileChecked,
  type RegexMatch,
  RegexRunner,
  regexWorkerOptions,
} from "../../../lib/regex/budget.ts";

/** What `text.matchAll()` finds with `g` added, in the runner's shape. */
function nativeMatches(pattern: string, flags: string, text: string, limit = 100): RegexMatch[] {
  const regex = new RegExp(pattern, flags.includes("g") ? flags : flags + "g");
  return [...text.matchAll(regex)].slice(0, limit).map((m) => {
    const match: RegexMatch = { index: m.index, match: m[0], captures: m.slice(1) };
    if (m.groups) match.groups = { ...m.groups };
    return match;
  });
}

/** Escapes a literal so that a pattern (unicode mode included) matches it as is. */
const escape = (literal: string) => literal.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** Lets timers already due run (one macrotask turn). */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Backtracks about 2 ** 30 times: seconds of work, far past any budget used here. */
const CATASTROPHIC = { pattern: "^(a+)+$", text: "a".repeat(30) + "b" };

const CASES: [pattern: string, flags: string, text: string][] = [
  ["colou?r", "i", "Colour and COLOR and colr"],
  ["^\\w+$", "m", "one\ntwo three\nfour"],
  ["a.b", "s", "a\nb axb"],
  ["(?<user>\\w+)@(?<host>[\\w.]+)", "", "mail ann@example.org and bob@test.io"],
  ["(a)|(b)", "", "ab"],
  ["(?<x>a)|(?<y>b)", "", "ba"],
  ["a*", "", "baaac"],
  ["", "u", "😀a😀"],
  ["", "", "😀a"],
  ["[\\p{L}--[a-z]]", "v", "aBcÉd"],
  ["\\p{Lu}", "u", "aBcÉd"],
  ["(?<=\\$)\\d+", "", "cost $42 or $7"],
  ["(\\w)\\1", "", "aabbcd ee"],
  ["foo", "y", "foofoo barfoo"],
  ["foo", "g", "foofoo barfoo"],
  ["o", "dgi", "fOo"],
  ["^$", "m", "a\n\nb"],
  ["\\bcat\\b", "", "cat concat cat."],
  ["xyz", "", "abc"],
];

Deno.test("RegexRunner test() and matches() give what a fresh native RegExp gives", async () => {
  await using runner = new RegexRunner({ budgetMs: 1000 });
  for (const [pattern, flags, text] of CASES) {
    const what = `/${pattern}/${flags} on ${JSON.stringify(text)}`;
    assert.equal(
      await runner.test(pattern, flags, text),
      new RegExp(pattern, flags).test(text),
      what,
    );
    assert.deepEqual(
      await runner.matches(pattern, flags, text),
      nativeMatches(pattern, flags, text),
      what,
    );
  }
});

Deno.test("RegexRunner matches() stops at limit", async () => {
  await using runner = new RegexRunner();
  const text = "a".repeat(500);
  assert.equal((await runner.matches("a", "", text)).length, 100);
  assert.deepEqual(
    await runner.matches("a", "", text, { limit: 3 }),
    nativeMatches("a", "", text, 3),
  );
});

Deno.test("RegexRunner finds a literal pattern exactly where String.includes and indexOf do", async () => {
  await using runner = new RegexRunner({ budgetMs: 1000 });
  const unit = fc.constantFrom("a", "b", ".", "*", "(", "\\", "[", "?", "/", "é");
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit, maxLength: 3 }),
      fc.string({ unit, maxLength: 40 }),
      fc.constantFrom("", "u", "m", "s", "g", "v"),
      async (literal, text, flags) => {
        const pattern = escape(literal);
        assert.equal(await runner.test(pattern, flags, text), text.includes(literal));
        const expected: number[] = [];
        for (let from = 0; from <= text.length;) {
          const at = text.indexOf(literal, from);
          if (at === -1) break;
          expected.push(at);
          from = at + Math.max(literal.length, 1);
        }
        const found = await runner.matches(pattern, flags, text);
        assert.deepEqual(found.map((m) => m.index), expected);
        assert.ok(found.every((m) => m.match === literal));
      },
    ),
    { seed: 20240611, numRuns: 200 },
  );
});

Deno.test("RegexRunner stops a catastrophic pattern at its budget and answers the next call", async () => {
  await using runner = new RegexRunner({ budgetMs: 50 });
  assert.equal(await runner.test("^a+$", "", "aaa"), true);
  const started = performance.now();
  const err = await runner.test(CATASTROPHIC.pattern, "", CATASTROPHIC.text).then(
    () => assert.fail("the catastrophic pattern finished"),
    (err: unknown) => err,
  );
  const elapsed = performance.now() - started;
  assert.ok(err instanceof BudgetExceededError);
  assert.ok(err instanceof WeirError);
  assert.equal(err.name, "BudgetExceededError");
  assert.equal(err.code, "budget_exceeded");
  assert.equal(err.exitCode, 1);
  assert.equal(err.budgetMs, 50);
  assert.equal(err.pattern, "^(a+)+$");
  assert.equal(
    err.message,
    'Cannot match pattern as it ran past its budget of 50 ms: current value is "^(a+)+$"',
  );
  assert.ok(elapsed < 2000, `stopped after ${elapsed} ms`);
  assert.deepEqual(await runner.matches("a+", "", "aa b a"), nativeMatches("a+", "", "aa b a"));
  // The match was stopped in the Worker, which lives on: no second Worker.
  assert.deepEqual(runner.stats, {
    workers: 1,
    completed: 3,
    compiled: 2,
    exceeded: 1,
    aborted: 0,
    queued: 0,
  });
});

Deno.test("RegexRunner ends a Worker silent past budget plus a second and queues its other calls again", async () => {
  // Only the caller's clock is fake: the Worker's own timeout (real time) has
  // not fired when the backstop does, so the Worker looks stuck.
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  try {
    await using runner = new RegexRunner({ budgetMs: 1000 });
    assert.equal(await runner.test("a", "", "a"), true);
    const stuck = runner.test(CATASTROPHIC.pattern, "", CATASTROPHIC.text).catch((e) => e);
    const behind = runner.matches("b", "", "abb");
    clock.tick(1999);
    assert.equal(runner.stats.exceeded, 0);
    clock.tick(1);
    const err = await stuck;
    assert.ok(err instanceof BudgetExceededError);
    assert.equal(err.budgetMs, 1000);
    assert.deepEqual(await behind, nativeMatches("b", "", "abb"));
    assert.equal(runner.stats.workers, 2);
    assert.equal(runner.stats.exceeded, 1);
  } finally {
    clock.uninstall();
  }
});

Deno.test("RegexRunner rejects a bad pattern with a SyntaxError before any Worker runs", async () => {
  await using runner = new RegexRunner();
  await assert.rejects(runner.test("(a", "", "a"), (err: unknown) => {
    assert.ok(err instanceof SyntaxError);
    assert.equal(
      err.message,
      'Cannot compile pattern as its syntax is invalid (unterminated group): current value is "(a"',
    );
    assert.ok(err.cause instanceof SyntaxError);
    return true;
  });
  await assert.rejects(runner.matches("a", "gx", "a"), {
    name: "SyntaxError",
    message: 'Cannot compile pattern as flag "x" is not one of "dgimsuvy": current value is "a"',
  });
  assert.equal(runner.stats.workers, 0);
  assert.equal(await runner.test("a", "", "a"), true);
});

Deno.test("compileChecked() returns the RegExp or a SyntaxError naming the pattern", () => {
  const regex = compileChecked("a+", "gi");
  assert.ok(regex instanceof RegExp);
  assert.equal(regex.source, "a+");
  assert.equal(regex.flags, "gi");
  assert.equal(compileChecked("a").flags, "");
  const cases: [string, string, string][] = [
    ["(a", "", "its syntax is invalid (unterminated group)"],
    ["a{2,1}", "", "its syntax is invalid (numbers out of order in {} quantifier)"],
    ["[b-a]", "", "its syntax is invalid (range out of order in character class)"],
    ["*", "", "its syntax is invalid (nothing to repeat)"],
    ["\\p{Nope}", "u", "its syntax is invalid (invalid property name)"],
    ["a", "x", 'flag "x" is not one of "dgimsuvy"'],
    ["a", "gig", 'flag "g" is repeated'],
    ["a", "uv", 'flags "u" and "v" exclude each other'],
  ];
  for (const [pattern, flags, reason] of cases) {
    assert.throws(() => compileChecked(pattern, flags), {
      name: "SyntaxError",
      message: `Cannot compile pattern as ${reason}: current value is "${pattern}"`,
    });
  }
  assert.throws(() => compileChecked(1 as unknown as string), {
    name: "TypeError",
    message: 'Cannot compile pattern as it must be a string: current value is "1"',
  });
  assert.throws(() => compileChecked("a", null as unknown as string), {
    name: "TypeError",
    message: 'Cannot compile pattern as its flags must be a string: current value is "a"',
  });
});

Deno.test("compileChecked() lets a caller list every bad pattern, not only the first", () => {
  const patterns = [
    { id: "p1", pattern: "ok+", flags: "i" },
    { id: "p2", pattern: "(open", flags: "" },
    { id: "p3", pattern: "fine", flags: "" },
    { id: "p4", pattern: "x", flags: "q" },
  ];
  const bad = patterns.flatMap(({ id, pattern, flags }) => {
    try {
      compileChecked(pattern, flags);
      return [];
    } catch (err) {
      return [`${id}: ${(err as Error).message}`];
    }
  });
  assert.deepEqual(bad, [
    'p2: Cannot compile pattern as its syntax is invalid (unterminated group): current value is "(open"',
    'p4: Cannot compile pattern as flag "q" is not one of "dgimsuvy": current value is "x"',
  ]);
});

Deno.test("RegexRunner rejects with the signal's reason when aborted before the call", async () => {
  await using runner = new RegexRunner();
  const reason = new Error("stop");
  await assert.rejects(runner.test("a", "", "a", { signal: AbortSignal.abort(reason) }), reason);
  assert.equal(runner.stats.workers, 0);
});

Deno.test("RegexRunner drops a queued call when its signal aborts and answers the others", async () => {
  await using runner = new RegexRunner();
  const controller = new AbortController();
  const first = runner.test("a", "", "a");
  const dropped = runner.test("b", "", "b", { signal: controller.signal });
  const last = runner.matches("c", "", "cc");
  controller.abort(new Error("no longer wanted"));
  await assert.rejects(dropped, { message: "no longer wanted" });
  assert.equal(await first, true);
  assert.deepEqual(await last, nativeMatches("c", "", "cc"));
  assert.equal(runner.stats.aborted, 1);
  assert.equal(runner.stats.workers, 1);
});

Deno.test("RegexRunner ends the Worker when a running call aborts and starts a fresh one", async () => {
  await using runner = new RegexRunner({ budgetMs: 1000 });
  assert.equal(await runner.test("a", "", "a"), true);
  const started = performance.now();
  const signal = AbortSignal.timeout(20);
  await assert.rejects(
    runner.test(CATASTROPHIC.pattern, "", CATASTROPHIC.text, { signal }),
    { name: "TimeoutError" },
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `rejected after ${elapsed} ms, not before the budget`);
  assert.equal(await runner.test("b", "", "abc"), true);
  assert.equal(runner.stats.aborted, 1);
  assert.equal(runner.stats.exceeded, 0);
  assert.equal(runner.stats.workers, 2);
});

Deno.test("RegexRunner answers many concurrent calls in order, each correctly", async () => {
  await using runner = new RegexRunner({ budgetMs: 1000 });
  const texts = Array.from({ length: 100 }, (_, i) => `item ${i} ${"x".repeat(i % 7)}`);
  const order: number[] = [];
  const results = await Promise.all(texts.map((text, i) => {
    const call = i % 2 ? runner.test("x{3}", "", text) : runner.matches("\\d+|x+", "", text);
    return call.then((value) => {
      order.push(i);
      return value;
    });
  }));
  assert.deepEqual(order, texts.map((_, i) => i));
  assert.deepEqual(
    results,
    texts.map((text, i) => i % 2 ? /x{3}/.test(text) : nativeMatches("\\d+|x+", "", text)),
  );
  assert.equal(runner.stats.workers, 1);
});

Deno.test("RegexRunner keeps answering the calls queued behind one that ran past its budget", async () => {
  await using runner = new RegexRunner({ budgetMs: 50 });
  const order: number[] = [];
  const calls = [
    runner.test("a", "", "a"),
    runner.test(CATASTROPHIC.pattern, "", CATASTROPHIC.text),
    runner.test("(", "", "a"),
    runner.matches("b", "", "bb"),
    runner.test("c", "", "x"),
  ].map((call, i) => call.finally(() => order.push(i)));
  const [first, stopped, bad, matched, last] = await Promise.allSettled(calls);
  assert.deepEqual(first, { status: "fulfilled", value: true });
  assert.ok(stopped.status === "rejected" && stopped.reason instanceof BudgetExceededError);
  assert.ok(bad.status === "rejected" && bad.reason instanceof SyntaxError);
  assert.deepEqual(matched, { status: "fulfilled", value: nativeMatches("b", "", "bb") });
  assert.deepEqual(last, { status: "fulfilled", value: false });
  // The bad pattern fails at once, before any call reaches the Worker.
  assert.deepEqual(order, [2, 0, 1, 3, 4]);
});

Deno.test("RegexRunner caches compiled patterns, least recently used dropped first", async () => {
  await using runner = new RegexRunner({ cacheSize: 2 });
  for (const [pattern, flags] of [["a", ""], ["b", ""], ["a", ""], ["c", ""], ["a", ""]]) {
    await runner.test(pattern, flags, "abc");
  }
  assert.equal(runner.stats.compiled, 3); // a, b, c; a stayed cached
  await runner.test("b", "", "abc"); // b was dropped for c
  await runner.test("a", "i", "abc"); // other flags, other entry
  assert.equal(runner.stats.compiled, 5);

  await using uncached = new RegexRunner({ cacheSize: 0 });
  for (let i = 0; i < 3; i++) await uncached.test("a", "", "a");
  assert.equal(uncached.stats.compiled, 3);
});

Deno.test("RegexRunner ends an idle Worker after idleMs and starts one for the next call", async () => {
  await using runner = new RegexRunner({ idleMs: 0 });
  assert.equal(await runner.test("a", "", "a"), true);
  await flush();
  assert.equal(await runner.test("a", "", "a"), true);
  assert.equal(runner.stats.workers, 2);
});

Deno.test("RegexRunner close() rejects the calls in flight and every later call", async () => {
  const runner = new RegexRunner({ budgetMs: 1000 });
  const running = runner.test("a", "", "a");
  const queued = runner.matches("b", "", "b");
  await runner.close();
  for (const call of [running, queued]) {
    await assert.rejects(call, {
      name: "AbortError",
      message: "Cannot finish the call as the runner was closed",
    });
  }
  await assert.rejects(runner.test("a", "", "a"), {
    name: "TypeError",
    message: "Cannot match pattern as the runner is closed",
  });
  await runner.close();
});

Deno.test("RegexRunner checks its options and arguments", async () => {
  const options: [Record<string, unknown>, string, string][] = [
    [
      { budgetMs: 0 },
      "RangeError",
      'budgetMs must be an integer from 1 to 600000: current value is "0"',
    ],
    [
      { budgetMs: 1.5 },
      "RangeError",
      'budgetMs must be an integer from 1 to 600000: current value is "1.5"',
    ],
    [{ budgetMs: "100" }, "TypeError", 'budgetMs must be a number: current value is "100"'],
    [{ cacheSize: -1 }, "RangeError", 'cacheSize must be an integer from 0: current value is "-1"'],
    [{ idleMs: NaN }, "RangeError", 'idleMs must be from 0: current value is "NaN"'],
  ];
  for (const [given, name, message] of options) {
    assert.throws(() => new RegexRunner(given), {
      name,
      message: `Cannot create the regex runner as ${message}`,
    });
  }
  await using runner = new RegexRunner();
  await assert.rejects(runner.matches("a", "", "a", { limit: 0 }), {
    name: "RangeError",
    message: 'Cannot match pattern as limit must be an integer from 1: current value is "0"',
  });
  await assert.rejects(runner.test("a", "", 42 as unknown as string), {
    name: "TypeError",
    message: 'Cannot match pattern as the text must be a string: current value is "42"',
  });
  assert.equal(runner.budgetMs, 100);
});

Deno.test("regexWorkerOptions() turns every permission off", () => {
  const options = regexWorkerOptions();
  assert.equal(options.type, "module");
  assert.deepEqual(options.deno?.permissions, {
    read: false,
    write: false,
    net: false,
    env: false,
    run: false,
    sys: false,
    ffi: false,
    import: false,
  });
});

Deno.test("a Worker made with regexWorkerOptions() can read, write, reach and run nothing", async () => {
  // A pattern cannot call an API, so this probes the same options with code instead.
  const code = `
    const tries = {
      read: () => Deno.readTextFileSync(${JSON.stringify(import.meta.filename)}),
      write: () => Deno.makeTempFileSync(),
      env: () => Deno.env.get("HOME"),
      sys: () => Deno.hostname(),
      run: () => new Deno.Command("true").outputSync(),
      net: () => Deno.connect({ hostname: "127.0.0.1", port: 9 }),
    };
    const out = {};
    for (const [name, attempt] of Object.entries(tries)) {
      try { await attempt(); out[name] = "allowed"; } catch (err) { out[name] = err.name; }
    }
    self.postMessage(out);`;
  const worker = new Worker(
    `data:application/javascript;base64,${btoa(code)}`,
    regexWorkerOptions(),
  );
  try {
    const { data } = await new Promise<MessageEvent>((resolve) => worker.onmessage = resolve);
    assert.deepEqual(data, {
      read: "NotCapable",
      write: "NotCapable",
      env: "NotCapable",
      sys: "NotCapable",
      run: "NotCapable",
      net: "NotCapable",
    });
  } finally {
    worker.terminate();
  }
});
