/** callChild() turns every way a child can misbehave into a reason, and kills what will not stop. */
import assert from "node:assert/strict";
import { callChild, ChildCallError, readLines } from "../../../lib/child/mod.ts";

const READ = "const { value } = await Deno.stdin.readable.getReader().read();";
const call = (code: string, extra: Partial<Parameters<typeof callChild>[0]> = {}) =>
  callChild({
    args: ["eval", READ + code],
    request: { type: "ping" },
    replies: ["pong"],
    ...extra,
  });

Deno.test("callChild() returns the one answer and passes stderr lines on", async () => {
  const lines: string[] = [];
  const reply = await call(
    'console.error("a log line"); console.log(JSON.stringify({ type: "pong", n: 1 }));',
    { onStderr: (l) => lines.push(l) },
  );
  assert.deepEqual(reply, { type: "pong", n: 1 });
  assert.deepEqual(lines, ["a log line"]);
});

for (
  const [what, code, reason] of [
    ["writes to stdout", 'console.log("hello");', 'wrote to stdout outside the protocol: "hello"'],
    [
      "sends a message of another type",
      'console.log(JSON.stringify({ type: "other" }));',
      'sent a malformed message: Cannot accept a message as its type must be "pong": current value is "other"',
    ],
    ["exits before answering", "Deno.exit(7);", "exited with code 7 before answering"],
    [
      "writes after its answer",
      'console.log(JSON.stringify({ type: "pong" })); console.log("more");',
      'wrote to stdout after its answer: "more"',
    ],
  ] as const
) {
  Deno.test(`callChild() fails with a reason when the child ${what}`, async () => {
    await assert.rejects(call(code), (err) => {
      assert.ok(err instanceof ChildCallError);
      assert.equal(err.message, reason);
      return true;
    });
  });
}

Deno.test("callChild() kills a child that does not answer in time", async () => {
  await assert.rejects(
    call("await new Promise(() => setInterval(() => {}, 1000));", { timeoutMs: 300 }),
    {
      message: "did not answer within 0.3 s",
    },
  );
});

Deno.test("callChild() sends abort, then kills a child that ignores it after the grace period", async () => {
  const controller = new AbortController();
  const pending = call("await new Promise(() => setInterval(() => {}, 1000));", {
    signal: controller.signal,
    graceMs: 200,
  });
  controller.abort();
  await assert.rejects(pending, { message: "did not stop within 0.2 s of the abort" });
});

Deno.test("readLines() refuses a line longer than its cap", async () => {
  const stream = ReadableStream.from([new TextEncoder().encode("x".repeat(50))]);
  await assert.rejects(Array.fromAsync(readLines(stream, 10)), RangeError);
});
