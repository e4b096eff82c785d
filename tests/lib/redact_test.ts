import assert from "node:assert/strict";
import { isSecretName, REDACTED, Redactor } from "../../lib/redact.ts";

Deno.test("isSecretName() recognises passwords, secrets, tokens and credentials", () => {
  for (
    const name of ["NEO4J_PASSWORD", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "apiKey", "db_passwd"]
  ) {
    assert.ok(isSecretName(name), name);
  }
  for (const name of ["NEO4J_USER", "S3_BUCKET", "passes", "bypass", "DATABASE_URL"]) {
    assert.equal(isSecretName(name), false, name);
  }
});

Deno.test("Redactor.text() replaces the whole userinfo of a URI and keeps its host", () => {
  const r = new Redactor();
  assert.equal(
    r.text("connect postgres://weir:s3cret@127.0.0.1:5432/db and bolt://u:p@h:7687"),
    `connect postgres://${REDACTED}@127.0.0.1:5432/db and bolt://${REDACTED}@h:7687`,
  );
  assert.equal(r.text("https://example.org/a@b"), "https://example.org/a@b");
});

Deno.test("Redactor.value() replaces secret keys deeply and known values anywhere", () => {
  const r = new Redactor(["tok-123456"]);
  const out = r.value({
    config: { neo4j: { user: "neo4j", password: "pw" }, list: [{ apiKey: "k" }] },
    message: "sent tok-123456 to the server",
    counters: { tokens: 5 },
  });
  assert.deepEqual(out, {
    config: { neo4j: { user: "neo4j", password: REDACTED }, list: [{ apiKey: REDACTED }] },
    message: `sent ${REDACTED} to the server`,
    counters: { tokens: 5 },
  });
});

Deno.test("Redactor ignores secret values shorter than 4 characters", () => {
  const r = new Redactor(["ab"]);
  assert.equal(r.text("abc"), "abc");
});

Deno.test("Redactor.value() redacts an Error's message in a field and in the causes it keeps", () => {
  const r = new Redactor(["tok-123456"]);
  const inner = new Error("login to postgres://weir:hunter2@db/weir refused");
  const outer = new Error("sent tok-123456 and failed", { cause: inner });
  const out = r.value({ error: outer, cause: inner, list: [inner], nested: { err: outer } });
  const expectedInner = `login to postgres://${REDACTED}@db/weir refused`;
  const expectedOuter = `sent ${REDACTED} and failed (caused by: ${expectedInner})`;
  assert.deepEqual(out, {
    error: expectedOuter,
    cause: expectedInner,
    list: [expectedInner],
    nested: { err: expectedOuter },
  });
  assert.ok(!JSON.stringify(out).includes("hunter2"));
  assert.ok(!JSON.stringify(out).includes("tok-123456"));
});

Deno.test("Redactor.value() redacts a cause that is not an Error and a URL object", () => {
  const r = new Redactor();
  const err = new Error("failed", { cause: { url: "postgres://weir:hunter2@db/weir" } });
  assert.equal(
    r.value(err),
    `failed (caused by: {"url":"postgres://${REDACTED}@db/weir"})`,
  );
  assert.equal(
    r.value(new URL("postgres://weir:hunter2@db/weir")),
    `postgres://${REDACTED}@db/weir`,
  );
});
