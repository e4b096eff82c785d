import assert from "node:assert/strict";
import { resolve } from "node:path";
import { loadConfig } from "../../kernel/config.ts";
import { ConfigError } from "../../kernel/errors.ts";

Deno.test("loadConfig() takes flags over environment and defaults the rest", () => {
  const { config } = loadConfig({ home: "h1", features: ["b"] }, {
    WEIR_HOME: "h2",
    WEIR_FEATURES: "a, c",
  });
  assert.equal(config.home, resolve("h1"));
  assert.deepEqual(config.features, ["a", "c", "b"]);
  assert.equal(config.objects, "fs");
  assert.equal(config.s3.region, "us-east-1");
});

Deno.test("loadConfig() chooses S3 objects when S3_BUCKET is set and collects secrets", () => {
  const { config, secrets } = loadConfig({}, {
    S3_BUCKET: "weir-bucket",
    S3_ENDPOINT: "http://127.0.0.1:9000",
    AWS_SECRET_ACCESS_KEY: "very-secret-key",
    NEO4J_PASSWORD: "neo-pass",
  });
  assert.equal(config.objects, "s3");
  assert.deepEqual(secrets.sort(), ["neo-pass", "very-secret-key"]);
});

Deno.test("loadConfig() names the variable that is not a URL", () => {
  assert.throws(
    () => loadConfig({}, { NEO4J_URI: "not a url" }),
    (e: unknown) =>
      e instanceof ConfigError && e.exitCode === 2 &&
      e.message === "Cannot use NEO4J_URI as it is not a URL",
  );
});

Deno.test("loadConfig() refuses S3 objects without a bucket", () => {
  assert.throws(() => loadConfig({}, { WEIR_OBJECTS: "s3" }), {
    name: "ConfigError",
    message: 'Cannot use S3 objects as S3_BUCKET is not set: current value is ""',
  });
});

Deno.test("loadConfig() names WEIR_OBJECTS, a bad feature flag and a bad bucket", () => {
  assert.throws(() => loadConfig({}, { WEIR_OBJECTS: "disk" }), {
    name: "ConfigError",
    message: 'Cannot use WEIR_OBJECTS as it must be "fs" or "s3": current value is "disk"',
  });
  assert.throws(() => loadConfig({ features: ["no spaces"] }, {}), {
    name: "ConfigError",
    message:
      'Cannot use a feature flag as it must be letters, digits, _, . or -: current value is "no spaces"',
  });
  assert.throws(() => loadConfig({}, { S3_BUCKET: "ab" }), {
    name: "ConfigError",
    message: 'Cannot use S3_BUCKET as it must be 3 to 63 characters long: current value is "ab"',
  });
});

Deno.test("loadConfig() does not echo a URL that may hold a password", () => {
  assert.throws(() => loadConfig({}, { DATABASE_URL: "postgres://u:hunter2@" + " bad" }), {
    name: "ConfigError",
    message: "Cannot use DATABASE_URL as it is not a URL",
  });
});
