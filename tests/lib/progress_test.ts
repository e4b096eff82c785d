import assert from "node:assert/strict";
import { createProgress, formatDuration, type ProgressOptions } from "../../lib/progress.ts";

const ERASE = "\r\x1b[2K";
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

/** A reporter on a fake clock whose writes are captured. */
function setup(options: Partial<ProgressOptions> & Pick<ProgressOptions, "mode">) {
  const clock = { t: T0 };
  const writes: string[] = [];
  const progress = createProgress({
    label: "sync",
    now: () => clock.t,
    write: (text) => writes.push(text),
    ...options,
  });
  const at = (ms: number) => (clock.t = T0 + ms);
  return { progress, writes, at };
}

const bar = (fill: number, width = 30) => `[${"█".repeat(fill)}${"░".repeat(width - fill)}]`;

Deno.test("createProgress() tty draws label, bar, count, percent, rate, ETA and gauges", () => {
  const { progress, writes, at } = setup({ mode: "tty", total: 100 });
  progress.gauge("busy", 3);
  assert.deepEqual(writes, [`${ERASE}sync ${bar(0)} 0/100 0% 0.0/s busy=3`]);
  at(2000);
  progress.tick(50);
  assert.equal(writes.at(-1), `${ERASE}sync ${bar(15)} 50/100 50% 25/s ETA 2s busy=3`);
});

Deno.test("createProgress() tty redraws at most once per interval", () => {
  const { progress, writes, at } = setup({ mode: "tty", total: 10 });
  progress.tick();
  at(50);
  progress.tick();
  progress.gauge("queue", 4);
  at(99);
  progress.tick();
  assert.equal(writes.length, 1, "updates within 100 ms are not drawn");
  at(100);
  progress.tick();
  assert.equal(writes.length, 2);
  assert.ok(writes[1].includes("4/10") && writes[1].includes("queue=4"));
});

Deno.test("createProgress() tty computes the ETA from the average rate and formats it", () => {
  const { progress, writes, at } = setup({ mode: "tty", total: 750 });
  at(10_000);
  progress.set(100);
  assert.equal(writes.at(-1), `${ERASE}sync ${bar(4)} 100/750 13% 10/s ETA 1m05s`);
});

Deno.test("createProgress() tty ends with a final line and a newline on done()", () => {
  const { progress, writes, at } = setup({ mode: "tty", total: 40 });
  at(10);
  progress.tick(39);
  at(20);
  progress.tick();
  at(4000);
  progress.done();
  assert.equal(writes.at(-1), `${ERASE}sync ${bar(30)} 40/40 100% 10/s in 4s\n`);
  const count = writes.length;
  progress.tick();
  progress.done();
  progress.redraw();
  assert.equal(writes.length, count, "nothing is written after done()");
});

Deno.test("createProgress() tty with an unknown total shows count and rate, no bar or ETA", () => {
  const { progress, writes, at } = setup({ mode: "tty" });
  at(10_000);
  progress.tick(42);
  assert.equal(writes.at(-1), `${ERASE}sync 42 4.2/s`);
  at(20_000);
  progress.total(84);
  assert.equal(writes.at(-1), `${ERASE}sync ${bar(15)} 42/84 50% 2.1/s ETA 20s`);
});

Deno.test("createProgress() tty clear() erases the bar and redraw() draws it at once", () => {
  const { progress, writes } = setup({ mode: "tty", total: 10 });
  progress.clear();
  assert.deepEqual(writes, [], "nothing to clear before the first draw");
  progress.tick();
  progress.clear();
  assert.equal(writes.at(-1), ERASE);
  progress.clear();
  assert.equal(writes.length, 2, "clearing twice erases once");
  progress.tick();
  assert.equal(writes.length, 2, "still throttled");
  progress.redraw();
  assert.equal(writes.at(-1), `${ERASE}sync ${bar(6)} 2/10 20% 0.0/s`);
});

Deno.test("createProgress() tty fits the line into narrow terminals", () => {
  const { progress, writes } = setup({
    mode: "tty",
    total: 10,
    columns: 24,
    label: "a-long-label",
  });
  progress.tick();
  const line = writes[0].slice(ERASE.length);
  assert.equal(line, "a-long-label 1/10 10% 0");
  assert.equal(line.length, 23);
});

Deno.test("createProgress() tty hands the bar to status() when given", () => {
  const statuses: string[] = [];
  const { progress, writes, at } = setup({
    mode: "tty",
    total: 2,
    status: (text) => statuses.push(text),
  });
  progress.tick();
  assert.deepEqual(statuses, [`sync ${bar(15)} 1/2 50% 0.0/s`]);
  progress.clear();
  assert.equal(statuses.at(-1), "");
  at(1000);
  progress.tick();
  progress.done();
  assert.deepEqual(statuses.slice(-2), [`sync ${bar(30)} 2/2 100% 2.0/s ETA 0s`, ""]);
  assert.deepEqual(writes, [`sync ${bar(30)} 2/2 100% 2.0/s in 1s\n`]);
});

Deno.test("createProgress() json writes one line per second with every field", () => {
  const { progress, writes, at } = setup({ mode: "json", total: 100 });
  progress.gauge("busy", 2);
  at(400);
  progress.tick(10);
  at(999);
  progress.tick(10);
  assert.equal(writes.length, 1, "updates within the interval are not written");
  at(2000);
  progress.tick(30);
  assert.equal(writes.length, 2);
  assert.ok(writes.every((line) => line.endsWith("\n")));
  assert.deepEqual(JSON.parse(writes[1]), {
    type: "progress",
    label: "sync",
    done: 50,
    total: 100,
    rate: 25,
    eta_s: 2,
    elapsed_s: 2,
    gauges: { busy: 2 },
    ts: "2024-01-01T12:00:02.000Z",
    final: false,
  });
});

Deno.test("createProgress() json writes a final line on done() even within the interval", () => {
  const { progress, writes, at } = setup({ mode: "json", total: 3 });
  progress.tick();
  at(300);
  progress.tick(2);
  progress.done();
  progress.done();
  assert.equal(writes.length, 2);
  const last = JSON.parse(writes[1]);
  assert.equal(last.final, true);
  assert.equal(last.done, 3);
  assert.equal(last.rate, 10);
  assert.equal(last.eta_s, 0);
  assert.equal(last.ts, "2024-01-01T12:00:00.300Z");
});

Deno.test("createProgress() json with an unknown total has null total and ETA", () => {
  const { progress, writes, at } = setup({ mode: "json" });
  at(4000);
  progress.tick(10);
  const line = JSON.parse(writes[0]);
  assert.equal(line.total, null);
  assert.equal(line.eta_s, null);
  assert.equal(line.rate, 2.5);
});

Deno.test("createProgress() counts initial items as done but not in the rate", () => {
  const { progress, writes, at } = setup({ mode: "json", total: 1000, initial: 500 });
  at(10_000);
  progress.set(600);
  const line = JSON.parse(writes[0]);
  assert.equal(line.done, 600);
  assert.equal(line.rate, 10);
  assert.equal(line.eta_s, 40);
});

Deno.test("createProgress() silent writes nothing", () => {
  const { progress, writes } = setup({ mode: "silent", total: 5 });
  progress.tick();
  progress.gauge("busy", 1);
  progress.redraw();
  progress.clear();
  progress.done();
  assert.deepEqual(writes, []);
});

Deno.test("createProgress() clamps the bar and ETA when done exceeds total", () => {
  const { progress, writes, at } = setup({ mode: "tty", total: 4 });
  at(1000);
  progress.set(6);
  assert.equal(writes.at(-1), `${ERASE}sync ${bar(30)} 6/4 100% 6.0/s ETA 0s`);
});

Deno.test("createProgress() rejects negative or non-numeric counts", () => {
  const { progress } = setup({ mode: "silent" });
  assert.throws(() => progress.tick(-1), {
    name: "RangeError",
    message: 'Cannot report progress as tick must be a finite number from 0: current value is "-1"',
  });
  assert.throws(() => progress.total(NaN), {
    name: "RangeError",
    message:
      'Cannot report progress as total must be a finite number from 0: current value is "NaN"',
  });
  assert.throws(() => progress.set("3" as unknown as number), {
    name: "TypeError",
    message: 'Cannot report progress as done must be a number: current value is "3"',
  });
});

Deno.test("formatDuration() writes seconds, minutes and hours", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [0.2, "1s"],
    [59, "59s"],
    [60, "1m00s"],
    [65, "1m05s"],
    [3599, "59m59s"],
    [3600, "1h00m"],
    [7380, "2h03m"],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDuration(seconds), text, `${seconds}`);
});
