/**
 * The sandbox keeps what a task reports: an error's class, exit code and
 * message, the failures recorded before it threw, and the redaction of
 * secrets in the Worker's logs.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../kernel/errors.ts";
import type { Layer } from "../../kernel/phases.ts";
import { PermanentError } from "../../lib/async/retry.ts";
import { UsageError } from "../../lib/errors.ts";
import { weir } from "../helpers/cli.ts";
import { testKernel } from "../helpers/kernel.ts";

for (
  const [kind, Class, exit] of [
    ["usage", UsageError, 2],
    ["config", ConfigError, 2],
    ["permanent", PermanentError, 1],
    ["type", TypeError, 1],
  ] as const
) {
  Deno.test(`a ${Class.name} thrown in the sandbox arrives with its class, message and exit code ${exit}`, async () => {
    let seen: unknown;
    const spy: Layer = async (_run, next) => {
      const outcome = await next();
      seen = outcome.error;
      return outcome;
    };
    const t = await testKernel({ layers: [spy] });
    try {
      const result = await t.kernel.runTask(
        "probe.throw",
        { error: kind, note: "n1", failures: ["a.md", "b.md"] },
        { sandbox: true },
      );
      assert.ok(seen instanceof Class, `got ${String(seen)}`);
      assert.equal((seen as Error).name, Class.name);
      assert.equal(
        (seen as Error).message,
        "Cannot go on as the probe was told to throw: n1",
      );
      assert.equal(result.status, "failed");
      assert.equal(result.exitCode, exit);
      assert.equal(result.error, "Cannot go on as the probe was told to throw: n1");
      // Failures recorded before the throw are kept, in the result and the record.
      assert.deepEqual(result.failures.map((f) => f.item), ["a.md", "b.md"]);
      assert.deepEqual(
        t.kernel.records().get(result.runId)?.failures.map((f) => f.item),
        ["a.md", "b.md"],
      );
    } finally {
      await t.close();
    }
  });
}

Deno.test("a sandboxed step's error gives the pipeline its exit code, and the sandbox's logs redact secrets from the environment", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-sandbox-" });
  const secret = "hunter2-sandbox-secret";
  try {
    const run = await weir([
      "--plugin",
      "tests/fixtures/probe_plugin.ts",
      "--home",
      home,
      "pipeline",
      "probe-sandbox-throw",
      "--note",
      `password is ${secret}`,
    ], {
      perms: ["--allow-read", "--allow-write", "--allow-env"],
      env: { NEO4J_PASSWORD: secret },
    });
    assert.equal(run.code, 2, run.stderr);
    const envelope = run.json as { status: string; error: string; failures: { item: string }[] };
    assert.equal(envelope.status, "failed");
    assert.equal(
      envelope.error,
      'Step "boom" failed: Cannot go on as the probe was told to throw: password is [redacted]',
    );
    assert.deepEqual(envelope.failures.map((f) => f.item), ["boom: a.md"]);
    // The Worker logged the note (and an Error carrying it); neither leaks the secret.
    const note = run.lines.find((l) => String(l.msg).startsWith("about to throw"));
    assert.ok(note, run.stderr);
    assert.equal(note.sandbox, true);
    assert.ok(!run.stderr.includes(secret), run.stderr);
    assert.ok(!run.stdout.includes(secret), run.stdout);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
