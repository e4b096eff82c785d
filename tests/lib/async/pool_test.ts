import assert from "node:assert/strict";
import fc from "fast-check";
import { pool, type PoolResult } from "../../../lib/async/pool.ts";

/** Lets pending promise chains and pulls run (one macrotask turn). */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Workers that wait until the test releases them, by item. */
function gated<T>() {
  const gates = new Map<T, PromiseWithResolvers<void>>();
  const gate = (item: T) => {
    if (!gates.has(item)) gates.set(item, Promise.withResolvers<void>());
    return gates.get(item)!;
  };
  const worker = async (item: T) => {
    await gate(item).promise;
    return item;
  };
  return { worker, release: (item: T) => gate(item).resolve(), started: () => [...gates.keys()] };
}

/** An endless lazy source that counts pulls and notes when it is closed. */
function counting() {
  const state = { pulled: 0, closed: false };
  function* source() {
    try {
      for (let i = 0;; i++) {
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}

Deno.test("pool() yields every item's outcome and settle() lists them in source order", async () => {
  const { fulfilled, rejected, skipped, aborted } = await pool(
    [5, 3, 1, 4],
    async (n, index) => {
      for (let i = 0; i < n; i++) await Promise.resolve();
      return `${index}:${n}`;
    },
    { concurrency: 4 },
  ).settle();
  assert.deepEqual(fulfilled.map((r) => r.value), ["0:5", "1:3", "2:1", "3:4"]);
  assert.deepEqual(fulfilled.map((r) => r.item), [5, 3, 1, 4]);
  assert.equal(rejected.length + skipped.length, 0);
  assert.equal(aborted, false);
});

Deno.test("pool() never runs more than concurrency workers at once", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
      async (concurrency, delays) => {
        let inFlight = 0;
        let max = 0;
        const summary = await pool(delays, async (ticks) => {
          max = Math.max(max, ++inFlight);
          for (let i = 0; i < ticks; i++) await Promise.resolve();
          inFlight--;
        }, { concurrency }).settle();
        assert.equal(summary.fulfilled.length, delays.length);
        assert.ok(max <= concurrency, `max ${max} > concurrency ${concurrency}`);
      },
    ),
    { seed: 1234, numRuns: 60 },
  );
});

Deno.test("pool() reads a lazy source no further than concurrency + buffer ahead", async () => {
  const { state, source } = counting();
  const { worker, release } = gated<number>();
  const run = pool(source, worker, { concurrency: 3, buffer: 2 });
  const it = run[Symbol.asyncIterator]();
  let consumed = 0;
  for (let i = 0; i < 20; i++) {
    const next = it.next();
    await flush();
    assert.ok(state.pulled - consumed <= 5, `pulled ${state.pulled}, consumed ${consumed}`);
    assert.equal(run.stats.busy, 3, "the pool is full, never more");
    release(i);
    const result = await next;
    assert.equal(result.done, false);
    consumed++;
  }
  assert.ok(state.pulled <= consumed + 5);
  await it.return?.();
  assert.equal(state.closed, true, "leaving early closes the source");
});

Deno.test("pool() pauses workers when finished results wait for a slow consumer", async () => {
  const { state, source } = counting();
  const run = pool(source, (n) => Promise.resolve(n), { concurrency: 2, buffer: 1 });
  const it = run[Symbol.asyncIterator]();
  await it.next();
  await flush();
  await flush();
  assert.ok(state.pulled <= 1 + 3, `pulled ${state.pulled}`);
  assert.ok(run.stats.completed <= 1 + 3);
  await it.return?.();
});

Deno.test("pool() keeps going after a worker fails and reports the item and reason", async () => {
  const boom = new Error("Cannot sync item 2 as the row is invalid");
  const run = pool([1, 2, 3, 4], async (n) => {
    await Promise.resolve();
    if (n === 2) throw boom;
    return n * 10;
  }, { concurrency: 2 });
  const { fulfilled, rejected } = await run.settle();
  assert.deepEqual(fulfilled.map((r) => r.value), [10, 30, 40]);
  assert.equal(rejected.length, 1);
  assert.deepEqual(rejected[0], { status: "rejected", item: 2, index: 1, reason: boom });
  assert.deepEqual(run.stats, {
    pulled: 4,
    queued: 0,
    busy: 0,
    started: 4,
    completed: 4,
    failed: 1,
    skipped: 0,
  });
});

Deno.test("pool() reports a worker that throws synchronously as rejected", async () => {
  const { rejected } = await pool([1], (): Promise<number> => {
    throw new TypeError("not async");
  }).settle();
  assert.ok(rejected[0].reason instanceof TypeError);
});

Deno.test("pool() stops taking items when the signal aborts and lets in-flight workers finish", async () => {
  const { state, source } = counting();
  const { worker, release, started } = gated<number>();
  const controller = new AbortController();
  const signals: AbortSignal[] = [];
  const run = pool(source, (item, _index, signal) => {
    signals.push(signal);
    return worker(item);
  }, { concurrency: 2, buffer: 0, signal: controller.signal });
  const settled = run.settle();
  await flush();
  assert.deepEqual(started(), [0, 1]);
  assert.equal(run.stats.busy, 2);
  controller.abort(new Error("SIGTERM"));
  await flush();
  assert.equal(state.closed, true, "the source is closed at once");
  assert.ok(signals.every((s) => s.aborted), "workers are told");
  release(0);
  release(1);
  const summary = await settled;
  assert.deepEqual(summary.fulfilled.map((r) => r.value), [0, 1], "in-flight work finished");
  assert.deepEqual(summary.rejected, []);
  assert.equal(summary.aborted, true);
  assert.deepEqual(started(), [0, 1], "no new item was started");
  assert.equal(state.pulled, 2);
});

Deno.test("pool() reports an item read ahead but not started before an abort as skipped", async () => {
  const { worker, release, started } = gated<string>();
  const controller = new AbortController();
  const run = pool(["a", "b", "c"], worker, {
    concurrency: 1,
    buffer: 1,
    signal: controller.signal,
  });
  const settled = run.settle();
  await flush();
  assert.deepEqual(started(), ["a"]);
  assert.equal(run.stats.queued, 1, "b waits for a worker");
  controller.abort();
  release("a");
  const summary = await settled;
  assert.deepEqual(summary.fulfilled.map((r) => r.item), ["a"]);
  assert.deepEqual(summary.skipped, [{ status: "skipped", item: "b", index: 1 }]);
  assert.equal(run.stats.skipped, 1);
  assert.deepEqual(started(), ["a"]);
});

Deno.test("pool() starts nothing when the signal is already aborted", async () => {
  const { state, source } = counting();
  let calls = 0;
  const summary = await pool(source, () => Promise.resolve(calls++), {
    signal: AbortSignal.abort(),
  }).settle();
  assert.equal(calls, 0);
  assert.equal(state.pulled, 0);
  assert.equal(summary.aborted, true);
});

Deno.test("pool() abandons a source pull that blocks when the signal aborts", async () => {
  const controller = new AbortController();
  const blocked: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<number>>(() => {}),
    }),
  };
  const settled = pool(blocked, (n) => Promise.resolve(n), { signal: controller.signal }).settle();
  await flush();
  controller.abort();
  const summary = await settled;
  assert.equal(summary.fulfilled.length, 0);
  assert.equal(summary.aborted, true);
});

Deno.test("pool() closes the source and aborts the workers' signal when the loop breaks", async () => {
  const { state, source } = counting();
  const signals: AbortSignal[] = [];
  const results: PoolResult<number, number>[] = [];
  for await (
    const result of pool(source, (n, _i, signal) => {
      signals.push(signal);
      return Promise.resolve(n);
    }, { concurrency: 2 })
  ) {
    results.push(result);
    if (results.length === 3) break;
  }
  assert.equal(state.closed, true);
  assert.ok(signals[0].aborted);
  assert.equal(signals[0].reason.name, "AbortError");
});

Deno.test("pool() yields results in source order when ordered is true", async () => {
  const { worker, release } = gated<number>();
  const run = pool([0, 1, 2], worker, { concurrency: 3, ordered: true });
  const seen: number[] = [];
  const done = (async () => {
    for await (const r of run) seen.push(r.index);
  })();
  await flush();
  release(2);
  release(1);
  await flush();
  assert.deepEqual(seen, [], "later results wait for the first");
  release(0);
  await done;
  assert.deepEqual(seen, [0, 1, 2]);
});

Deno.test("pool() yields results as they finish by default", async () => {
  const { worker, release } = gated<number>();
  const run = pool([0, 1, 2], worker, { concurrency: 3 });
  const seen: number[] = [];
  const done = (async () => {
    for await (const r of run) seen.push(r.index);
  })();
  await flush();
  release(2);
  await flush();
  assert.deepEqual(seen, [2]);
  release(0);
  release(1);
  await done;
  assert.deepEqual(seen.sort(), [0, 1, 2]);
});

Deno.test("pool() makes the iteration throw when the source throws", async () => {
  async function* broken() {
    yield 1;
    throw new Error("Cannot read the source as the file is truncated");
  }
  await assert.rejects(() => pool(broken(), (n) => Promise.resolve(n)).settle(), {
    message: "Cannot read the source as the file is truncated",
  });
});

Deno.test("pool() rejects concurrency outside 1..1024 with a RangeError", () => {
  const run = (options: Parameters<typeof pool>[2]) => () =>
    pool([], () => Promise.resolve(), options);
  for (const concurrency of [0, 1025, 1.5, Infinity]) {
    assert.throws(run({ concurrency }), {
      name: "RangeError",
      message:
        `Cannot create a pool as concurrency must be an integer from 1 to 1024: current value is "${concurrency}"`,
    });
  }
  assert.throws(run({ concurrency: "2" as unknown as number }), {
    name: "TypeError",
    message: 'Cannot create a pool as concurrency must be a number: current value is "2"',
  });
  assert.throws(run({ buffer: -1 }), {
    name: "RangeError",
    message:
      'Cannot create a pool as buffer must be an integer from 0 to 1024: current value is "-1"',
  });
});

Deno.test("pool() can be iterated only once", async () => {
  const run = pool([1], (n) => Promise.resolve(n));
  await run.settle();
  assert.throws(() => run[Symbol.asyncIterator](), {
    name: "TypeError",
    message: "Cannot iterate the pool again as it reads its source once",
  });
});
