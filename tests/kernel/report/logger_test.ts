/**
 * The logger as a task uses it: every line, in either format, passes through
 * the redactor, including Errors placed in fields.
 */
import assert from "node:assert/strict";
import { createLogger } from "../../../kernel/report/logger.ts";
import { Redactor } from "../../../lib/redact.ts";
import { Terminal } from "../../../lib/terminal.ts";

/** A logger writing into an array of lines, with a fixed clock. */
function capture(format: "json" | "text", secrets: string[] = []) {
  const lines: string[] = [];
  const sink = {
    writeSync: (b: Uint8Array) => (lines.push(new TextDecoder().decode(b).trimEnd()), b.length),
  };
  const log = createLogger({
    terminal: new Terminal(sink, false),
    format,
    redactor: new Redactor(secrets),
    now: () => new Date("2024-01-01T00:00:00Z"),
  });
  return { log, lines };
}

const URL_WITH_PASSWORD = "postgres://weir:hunter2@db.internal:5432/weir";

Deno.test("logger redacts a password inside an Error's message placed in a field (JSON lines)", () => {
  const { log, lines } = capture("json", ["s3cr3t-token"]);
  log.error("cannot connect", { error: new Error(`connect ${URL_WITH_PASSWORD} refused`) });
  log.warn("retrying", {
    cause: new Error("upstream said no", { cause: new Error("bad s3cr3t-token") }),
  });
  log.child({ task: "probe.echo" }).info("nested", {
    detail: { errors: [new Error(URL_WITH_PASSWORD)] },
  });
  assert.equal(lines.length, 3);
  for (const line of lines) {
    assert.ok(!line.includes("hunter2"), line);
    assert.ok(!line.includes("s3cr3t-token"), line);
  }
  const [first, second, third] = lines.map((l) => JSON.parse(l));
  assert.equal(first.error, "connect postgres://[redacted]@db.internal:5432/weir refused");
  assert.equal(second.cause, "upstream said no (caused by: bad [redacted])");
  assert.deepEqual(third.detail, { errors: ["postgres://[redacted]@db.internal:5432/weir"] });
  assert.equal(third.task, "probe.echo");
});

Deno.test("logger redacts a password inside an Error's message placed in a field (text lines)", () => {
  const { log, lines } = capture("text");
  log.error(`cannot reach ${URL_WITH_PASSWORD}`, { error: new Error(URL_WITH_PASSWORD) });
  assert.equal(
    lines[0],
    "00:00:00 ERROR cannot reach postgres://[redacted]@db.internal:5432/weir " +
      "error=postgres://[redacted]@db.internal:5432/weir",
  );
});
