/**
 * The example plugin end to end on S3: the kernel reads S3_* and AWS_*
 * settings, the demo pipeline writes and verifies its snapshot in a real
 * S3-protocol server (s3rver), and no secret reaches the run records.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { S3ObjectStore } from "../../lib/objects/s3.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { testKernel } from "../helpers/kernel.ts";

Deno.test("the demo pipeline snapshots and verifies the fixtures in S3", async () => {
  const s3 = await startS3rver();
  const t = await testKernel({
    env: {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_PREFIX: "weir",
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    },
  });
  try {
    assert.equal(t.kernel.config.objects, "s3");
    const result = await t.kernel.runPipeline("demo", {});
    assert.equal(result.status, "succeeded", result.error);
    const out = result.output as { verify: { verified: number; merkle_ok: boolean } };
    assert.equal(out.verify.verified, 4);
    assert.equal(out.verify.merkle_ok, true);

    const store = new S3ObjectStore({
      kind: "s3",
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    const keys: string[] = [];
    for await (const entry of store.list("weir/snapshots/demo/")) keys.push(entry.key);
    await store.close();
    assert.deepEqual(keys, [
      "weir/snapshots/demo/files/README.md",
      "weir/snapshots/demo/files/data/records.csv",
      "weir/snapshots/demo/files/notes/canonical.md",
      "weir/snapshots/demo/files/notes/streaming.md",
      "weir/snapshots/demo/manifest.json",
    ]);
    const db = await Deno.readFile(join(t.home, "weir.db"));
    assert.ok(!new TextDecoder().decode(db).includes(s3.credentials.secretAccessKey));
  } finally {
    await t.close();
    await s3.close();
  }
});
