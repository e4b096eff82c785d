/**
 * Attacks on redaction: credentials in URLs of every shape, in query
 * strings and in a task's own environment must not reach any output that
 * leaves the process (log lines, progress lines, error messages, the run
 * record's row and its manifest, the JSON result).
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { z } from "zod";
import { definePlugin, lazyTask } from "../../kernel/plugin.ts";
import { Registry } from "../../kernel/registry.ts";
import { defineTask } from "../../kernel/task.ts";
import { Redactor } from "../../lib/redact.ts";
import { weir } from "../helpers/cli.ts";
import { testKernel } from "../helpers/kernel.ts";
import { tempDir } from "../helpers/temp.ts";

/** A task that sends its text everywhere a secret could leak: log, progress, failures, output, error. */
const leak = defineTask({
  id: "leak.everything",
  summary: "Writes its text to every output",
  input: z.object({
    text: z.string(),
    fail: z.boolean().default(false),
    env: z.string().optional(),
  }),
  output: z.object({ text: z.string() }),
  permissions: (i) => (i.env ? { env: [i.env] } : {}),
  run: (ctx, i) => {
    ctx.log.info(`saw ${i.text}`, { detail: i.text });
    ctx.progress(`reading ${i.text}`, 1).done();
    ctx.failures.add(i.text, `item ${i.text} failed`);
    const text = i.env ? `${i.text} ${Deno.env.get(i.env)}` : i.text;
    if (i.fail) return Promise.reject(new Error(`cannot open ${text}`, { cause: text }));
    return Promise.resolve({ text });
  },
});
const plugin = definePlugin({
  name: "leak",
  version: "1.0.0",
  summary: "Leaks its input",
  tasks: [lazyTask(leak.id, leak.summary, () => Promise.resolve(leak))],
});

/** Runs the leaking task in a kernel; returns every output it left, as one text per place. */
async function everywhere(
  input: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  await using k = await testKernel({ registry: new Registry().add(plugin), env });
  const result = await k.kernel.runTask("leak.everything", input);
  const record = k.kernel.records().get(result.runId);
  k.kernel.close();
  const manifest = await Deno.readTextFile(join(k.home, "runs", result.runId, "manifest.json"));
  const db = new TextDecoder().decode(await Deno.readFile(join(k.home, "weir.db")));
  let wal = "";
  try {
    wal = new TextDecoder().decode(await Deno.readFile(join(k.home, "weir.db-wal")));
  } catch { /* checkpointed */ }
  return {
    terminal: k.output(),
    result: JSON.stringify(result),
    record: JSON.stringify(record),
    manifest,
    database: db + wal,
  };
}

function assertAbsent(outputs: Record<string, string>, secret: string, what: string): void {
  for (const [where, text] of Object.entries(outputs)) {
    assert.ok(!text.includes(secret), `${what}: the ${where} holds ${JSON.stringify(secret)}`);
  }
}

const SHAPES: [string, (secret: string) => string][] = [
  ["a token-only URL", (s) => `git:http://${s}@127.0.0.1:9/repo.git`],
  ["a user:password URL", (s) => `https://weir:${s}@example.com/repo.git`],
  ["a token user with x-oauth-basic", (s) => `https://${s}:x-oauth-basic@github.com/o/r`],
  ["a password holding @", (s) => `postgres://weir:${s}@x@db.internal:5432/weir`],
  ["a password holding a space", (s) => `postgres://weir:${s} more@db.internal/weir`],
  ["a password holding a colon", (s) => `postgres://weir:${s}:x@db.internal/weir`],
  ["a percent-encoded password", (s) => `postgres://weir:${encodeURIComponent(`${s}@ :`)}@db/weir`],
  ["?password=", (s) => `https://host/x?password=${s}&page=2`],
  ["&token=", (s) => `https://host/x?a=1&token=${s}`],
  ["access_token=", (s) => `https://host/x?access_token=${s}`],
  ["secret=", (s) => `https://host/x?secret=${s}#frag`],
  ["X-Amz-Signature", (s) => `https://bucket.s3/k?X-Amz-Signature=${s}&X-Amz-Expires=60`],
  ["X-Amz-Credential", (s) => `https://bucket.s3/k?X-Amz-Credential=${s}%2F20260101`],
];

for (const [what, shape] of SHAPES) {
  Deno.test(`redaction: ${what} never reaches a log, progress line, record, manifest or error`, async () => {
    const secret = "Zq7-secret-VALUE";
    const ok = await everywhere({ text: shape(secret) });
    assertAbsent(ok, secret, what);
    const failed = await everywhere({ text: shape(secret), fail: true });
    assertAbsent(failed, secret, `${what} (failed run)`);
    assert.match(failed.record, /\[redacted\]/);
  });
}

Deno.test("redaction: a parameter named in WEIR_REDACT_PARAMS loses its value", async () => {
  const out = await everywhere({ text: "https://host/x?session_key=Zq7-secret-VALUE" }, {
    WEIR_REDACT_PARAMS: "session_key",
  });
  assertAbsent(out, "Zq7-secret-VALUE", "session_key");
});

Deno.test("redaction: the value of a secret variable a task declares (GITHUB_TOKEN) is redacted", async () => {
  const token = "ghp_Zq7secretTokenValue0123456789";
  Deno.env.set("WEIR_TEST_LEAK_TOKEN", token);
  try {
    const out = await everywhere({
      text: "token follows",
      env: "WEIR_TEST_LEAK_TOKEN",
      fail: true,
    });
    assertAbsent(out, token, "a declared secret variable");
  } finally {
    Deno.env.delete("WEIR_TEST_LEAK_TOKEN");
  }
});

Deno.test("redaction: a token-only git URL stays out of the CLI's log, result, run record and manifest", async () => {
  await using tmp = await tempDir("weir-sec-");
  const token = "ghp_TOKENonlyZq7Secret42";
  const run = await weir([
    "--home",
    tmp.path,
    "run",
    "streaming.sync",
    "--params",
    JSON.stringify({
      source: { kind: "git", repo: `http://${token}@127.0.0.1:9/graph.git` },
      db: join(tmp.path, "o.db"),
    }),
  ], { perms: ["--allow-read", "--allow-write", "--allow-run=git", "--allow-env"] });
  assert.equal(run.code, 1, run.stderr);
  const files: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
  for await (const entry of Deno.readDir(tmp.path)) {
    if (entry.isFile) files[entry.name] = await Deno.readTextFile(join(tmp.path, entry.name));
  }
  for await (const run of Deno.readDir(join(tmp.path, "runs"))) {
    files.manifest = await Deno.readTextFile(join(tmp.path, "runs", run.name, "manifest.json"));
  }
  assert.ok(files.manifest, "a manifest was written");
  assertAbsent(files, token, "the CLI run");
});

Deno.test("redaction: an error reported before the kernel exists is redacted too", async () => {
  const secret = "Zq7-secret-in-plugin-url";
  const run = await weir(["--plugin", `http://u:${secret}@127.0.0.1:9/plugin.ts`, "list"], {
    perms: ["--allow-read", "--allow-import=127.0.0.1:9"],
  });
  assert.equal(run.code, 2, run.stderr);
  // weir's own lines (Deno itself prints "Download <url>" before weir runs, out of its reach).
  const lines = JSON.stringify(run.lines);
  assert.match(lines, /Cannot load plugin/);
  assert.ok(!lines.includes(secret), lines);
});

/** Random secrets: printable, with the characters that broke the old rules (`@`, `:`, space, `/`-free). */
const secretArb = fc.string({
  unit: fc.constantFrom(..."abcXYZ0189-_.~!$&'()*+,;=:@ %"),
  minLength: 8,
  maxLength: 40,
}).filter((s) => /[A-Za-z0-9]{2}/.test(s) && s.trim() === s && !s.includes("[redacted]"));

const shapeArb = fc.constantFrom(
  (s: string) => `http://${s}@127.0.0.1:9/r.git`,
  (s: string) => `https://user:${s}@host.example/r.git`,
  (s: string) => `https://${encodeURIComponent(s)}@host.example/r.git`,
  (s: string) => `postgres://weir:${encodeURIComponent(s)}@db/weir?sslmode=off`,
  (s: string) => `https://host/p?password=${encodeURIComponent(s)}`,
  (s: string) => `https://host/p?x=1&access_token=${encodeURIComponent(s)}&y=2`,
  (s: string) => `https://b.s3/k?X-Amz-Signature=${encodeURIComponent(s)}`,
  (s: string) => `https://b.s3/k?X-Amz-Credential=${encodeURIComponent(s)}`,
  (s: string) => `https://b.s3/k?token=${encodeURIComponent(s)}`,
  (s: string) => `https://b.s3/k?secret=${encodeURIComponent(s)}`,
);

Deno.test("redaction (property): no random secret in a random URL shape survives into any output", async () => {
  await fc.assert(
    fc.asyncProperty(secretArb, shapeArb, fc.boolean(), async (secret, shape, fail) => {
      const text = `see ${shape(secret)} now`;
      const out = await everywhere({ text, fail });
      for (const [where, written] of Object.entries(out)) {
        for (const form of new Set([secret, encodeURIComponent(secret)])) {
          if (written.includes(form)) {
            throw new Error(`the ${where} holds ${JSON.stringify(form)} from ${text}`);
          }
        }
      }
    }),
    { numRuns: 60, seed: 9 },
  );
});

Deno.test("redaction (property): the redactor alone removes the userinfo of any URL, whatever its length", () => {
  fc.assert(
    fc.property(secretArb, shapeArb, (secret, shape) => {
      const out = new Redactor().text(`a ${shape(secret)} b`);
      assert.ok(!out.includes(secret) && !out.includes(encodeURIComponent(secret)), out);
    }),
    { numRuns: 500, seed: 4 },
  );
});
