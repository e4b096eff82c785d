import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import FakeTimers from "@sinonjs/fake-timers";
import fc from "fast-check";
import {
  backoffDelay,
  isRetryable,
  PermanentError,
  retry,
  RetryableError,
  RetryError,
  type RetryEvent,
} from "../../../lib/async/retry.ts";
import { WeirError } from "../../../lib/errors.ts";

function fakeClock() {
  return FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"] });
}

/** An attempt that fails `failures` times with a numbered retryable error, then resolves. */
function flaky(failures: number) {
  const calls: number[] = [];
  const fn = (attempt: number) => {
    calls.push(attempt);
    if (calls.length <= failures) {
      return Promise.reject(new RetryableError(`Cannot read page as attempt ${attempt} timed out`));
    }
    return Promise.resolve(`ok after ${attempt}`);
  };
  return { fn, calls };
}

Deno.test("retry() resolves with the first success and passes the attempt number", async () => {
  const { fn, calls } = flaky(2);
  assert.equal(await retry(fn, { baseDelayMs: 0 }), "ok after 3");
  assert.deepEqual(calls, [1, 2, 3]);
});

Deno.test("retry() gives up after maxAttempts and keeps the last error as cause", async () => {
  const { fn, calls } = flaky(10);
  const err = await retry(fn, { maxAttempts: 4, baseDelayMs: 0 }).catch((e) => e);
  assert.ok(err instanceof RetryError);
  assert.ok(err instanceof WeirError);
  assert.equal(err.attempts, 4);
  assert.equal(err.code, "retry_exhausted");
  assert.equal(err.exitCode, 1);
  assert.ok(err.cause instanceof RetryableError);
  assert.equal(err.cause.message, "Cannot read page as attempt 4 timed out");
  assert.equal(
    err.message,
    'Cannot complete the operation as all 4 attempts failed: last error is "Cannot read page as attempt 4 timed out"',
  );
  assert.deepEqual(calls, [1, 2, 3, 4]);
});

Deno.test("retry() throws a permanent error at once, unwrapped", async () => {
  let calls = 0;
  const permanent = new PermanentError("Cannot load the row as it is invalid");
  const err = await retry(() => {
    calls++;
    return Promise.reject(permanent);
  }).catch((e) => e);
  assert.equal(err, permanent);
  assert.equal(calls, 1);
});

Deno.test("retry() throws an unclassified error at once, unwrapped", async () => {
  const err = await retry(() => Promise.reject(new RangeError("bad"))).catch((e) => e);
  assert.ok(err instanceof RangeError);
  assert.equal(err.message, "bad");
});

Deno.test("retry() uses a custom isRetryable", async () => {
  let calls = 0;
  const err = await retry(() => {
    calls++;
    return Promise.reject(new Error("flaky"));
  }, { isRetryable: (e) => (e as Error).message === "flaky", baseDelayMs: 0, maxAttempts: 2 })
    .catch((e) => e);
  assert.ok(err instanceof RetryError);
  assert.equal(calls, 2);
});

Deno.test("retry() waits full-jitter delays that double up to maxDelayMs", async () => {
  const clock = fakeClock();
  try {
    const { fn, calls } = flaky(5);
    const events: RetryEvent[] = [];
    const done = retry(fn, {
      maxAttempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 500,
      random: () => 0.5,
      onRetry: (e) => events.push(e),
    });
    for (const delay of [50, 100, 200, 250, 250]) {
      const before = calls.length;
      await clock.tickAsync(delay - 1);
      assert.equal(calls.length, before, `no attempt before ${delay} ms`);
      await clock.tickAsync(1);
      assert.equal(calls.length, before + 1, `an attempt after ${delay} ms`);
    }
    assert.equal(await done, "ok after 6");
    assert.deepEqual(events.map((e) => [e.attempt, e.delayMs]), [
      [1, 50],
      [2, 100],
      [3, 200],
      [4, 250],
      [5, 250],
    ]);
    assert.equal(
      (events[0].error as Error).message,
      "Cannot read page as attempt 1 timed out",
    );
  } finally {
    clock.uninstall();
  }
});

Deno.test("retry() rejects with the signal's reason at once when aborted during a wait", async () => {
  const clock = fakeClock();
  try {
    const { fn, calls } = flaky(5);
    const controller = new AbortController();
    const done = retry(fn, { signal: controller.signal, baseDelayMs: 10_000, random: () => 1 });
    const outcome = done.catch((e) => e);
    await clock.tickAsync(100);
    const reason = new Error("stop now");
    controller.abort(reason);
    assert.equal(await outcome, reason);
    assert.equal(clock.countTimers(), 0, "the wait's timer is cleared");
    assert.deepEqual(calls, [1]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("retry() does not call fn when the signal is already aborted", async () => {
  let calls = 0;
  const signal = AbortSignal.abort(new Error("already"));
  const err = await retry(() => Promise.resolve(++calls), { signal }).catch((e) => e);
  assert.equal(err.message, "already");
  assert.equal(calls, 0);
});

Deno.test("retry() passes the signal to fn and stops when fn fails after an abort", async () => {
  const controller = new AbortController();
  let seen: AbortSignal | undefined;
  const err = await retry((_attempt, signal) => {
    seen = signal;
    controller.abort(new Error("cancelled"));
    return Promise.reject(new RetryableError("Cannot fetch as the connection reset"));
  }, { signal: controller.signal }).catch((e) => e);
  assert.equal(seen, controller.signal);
  assert.equal(err.message, "cancelled");
});

Deno.test("retry() rejects out-of-range options with a RangeError", async () => {
  await assert.rejects(() => retry(() => Promise.resolve(1), { maxAttempts: 0 }), {
    name: "RangeError",
    message: 'Cannot retry as maxAttempts must be an integer from 1: current value is "0"',
  });
  await assert.rejects(() => retry(() => Promise.resolve(1), { baseDelayMs: -1 }), {
    name: "RangeError",
    message: 'Cannot retry as baseDelayMs must be a finite number from 0: current value is "-1"',
  });
  await assert.rejects(
    () => retry(() => Promise.resolve(1), { maxDelayMs: "5" as unknown as number }),
    {
      name: "TypeError",
      message: 'Cannot retry as maxDelayMs must be a number: current value is "5"',
    },
  );
});

Deno.test("backoffDelay() is random() times the doubled, capped delay", () => {
  assert.equal(backoffDelay(1, { baseDelayMs: 100, random: () => 1 }), 100);
  assert.equal(backoffDelay(4, { baseDelayMs: 100, random: () => 0.25 }), 200);
  assert.equal(backoffDelay(20, { random: () => 1 }), 10_000);
  assert.equal(backoffDelay(5000, { baseDelayMs: 0, random: () => 1 }), 0);
});

Deno.test("backoffDelay() always lies within [0, cap]", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.double({ min: 0, max: 1e7, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      (attempt, baseDelayMs, maxDelayMs, r) => {
        const delay = backoffDelay(attempt, { baseDelayMs, maxDelayMs, random: () => r });
        const cap = baseDelayMs === 0 ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        return delay >= 0 && delay <= cap;
      },
    ),
    { seed: 20240601, numRuns: 500 },
  );
});

Deno.test("isRetryable() is true for transient errors", () => {
  const transient: unknown[] = [
    new RetryableError("Cannot read as the server is busy"),
    new Deno.errors.ConnectionRefused("refused"),
    new Deno.errors.ConnectionReset("reset"),
    new Deno.errors.ConnectionAborted("aborted"),
    new Deno.errors.TimedOut("timed out"),
    new Deno.errors.Interrupted("interrupted"),
    new Deno.errors.BrokenPipe("pipe"),
    new TypeError("fetch failed"),
    new TypeError("Failed to fetch"),
    new DOMException("Signal timed out.", "TimeoutError"),
    Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    { status: 408 },
    { status: 429 },
    { statusCode: 500 },
    { $metadata: { httpStatusCode: 503 } },
    Object.assign(new Error("database is locked"), { code: "ERR_SQLITE_ERROR", errcode: 5 }),
    Object.assign(new Error("locked"), { code: "ERR_SQLITE_ERROR", errcode: 6 | (1 << 8) }),
    Object.assign(new Error("snapshot"), { code: "ERR_SQLITE_ERROR", errcode: 5 | (2 << 8) }),
  ];
  for (const err of transient) assert.equal(isRetryable(err), true, String(err));
});

Deno.test("isRetryable() is false for permanent and unknown errors", () => {
  const permanent: unknown[] = [
    new PermanentError("Cannot load as the row is invalid"),
    Object.assign(new PermanentError("gone"), { status: 503 }),
    new DOMException("The operation was aborted.", "AbortError"),
    new TypeError("Invalid URL: 'x'"),
    new Error("boom"),
    new Deno.errors.NotFound("missing"),
    { status: 404 },
    { status: 400 },
    { statusCode: 600 },
    { status: "503" },
    Object.assign(new Error("constraint"), { code: "ERR_SQLITE_ERROR", errcode: 19 }),
    "ECONNRESET",
    null,
    undefined,
  ];
  for (const err of permanent) assert.equal(isRetryable(err), false, String(err));
});

Deno.test("isRetryable() is true for node:sqlite busy errors from exec and prepare", () => {
  const path = Deno.makeTempFileSync({ suffix: ".db" });
  const a = new DatabaseSync(path);
  const b = new DatabaseSync(path);
  try {
    a.exec("CREATE TABLE t(x)");
    a.exec("BEGIN IMMEDIATE");
    a.exec("INSERT INTO t VALUES (1)");
    assert.throws(() => b.exec("BEGIN IMMEDIATE"), (e: unknown) => isRetryable(e));
    assert.throws(
      () => b.prepare("INSERT INTO t VALUES (2)").run(),
      (e: unknown) => isRetryable(e),
    );
    assert.throws(() => b.exec("SELECT * FROM missing"), (e: unknown) => !isRetryable(e));
  } finally {
    a.close();
    b.close();
    Deno.removeSync(path);
  }
});

Deno.test("isRetryable() is true for a fetch to a closed port", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const err = await fetch(`http://127.0.0.1:${port}/`).catch((e) => e);
  assert.ok(err instanceof TypeError, String(err));
  assert.equal(isRetryable(err), true);
});
