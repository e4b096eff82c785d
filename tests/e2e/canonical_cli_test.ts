/**
 * The canonical plugin through the CLI, as a user runs it: the
 * `ingest:canonical` pipeline under its own permissions, both trigger
 * modes on the same job, the chunk processor's exact return shape, an
 * idempotent re-trigger, the permission pre-flight for an HTTP source, and
 * the S3 server stopped mid-run and restarted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, SOURCE_FOLDERS, waitFor, weir as weirCli } from "../helpers/cli.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { tempDir } from "../helpers/temp.ts";
import { expectedCanonical, sourceRecords } from "../helpers/canonical.ts";
import { mappingFor } from "../../plugins/canonical/mapping.ts";
import { JsonlSource } from "../../plugins/canonical/sources/jsonl.ts";
import { openObjectStore } from "../../lib/objects/open.ts";

const SAMPLE = "fixtures/canonical/sample/source";

/**
 * weir with the SQLite job state, whatever the test's environment holds:
 * CI exports DATABASE_URL, which would select PostgreSQL (tested in
 * tests/plugins/canonical) and need its host and `PG*` granted.
 */
const weir = (args: string[], options: Parameters<typeof weirCli>[1] = {}) =>
  weirCli(args, { ...options, env: { DATABASE_URL: "", ...options.env } });
const MAPPING = "fixtures/canonical/sample/mapping.json";
const SOURCE = `jsonl:${SAMPLE}`;

type Summary = Record<string, unknown> & {
  status: string;
  chunks: number;
  files: number;
  transforms_triggered: number;
  transform_invocations: number;
  processed_per_ingested: number;
  records_ingested: number;
};

/** The `ingest-canonical` permission set, with the home given instead of `.weir`. */
function pipelinePerms(home: string): string[] {
  return [
    `--allow-read=${[...SOURCE_FOLDERS, join(ROOT, "fixtures/canonical"), home].join(",")}`,
    `--allow-write=${home}`,
    "--allow-env=WEIR_HOME,WEIR_OBJECTS,WEIR_FEATURES",
    "--allow-sys=hostname",
  ];
}

Deno.test("ingest:canonical runs under its permission set: one transform per table, 1.0 record processed per record ingested", async () => {
  await using home = await tempDir("weir-canonical-cli-");
  const run = await weir(["--home", home.path, "pipeline", "ingest:canonical"], {
    perms: pipelinePerms(home.path),
  });
  assert.equal(run.code, 0, run.stderr);
  const out = (run.json as { output: { job: Summary } }).output.job;
  assert.equal(out.status, "completed");
  assert.equal(out.transforms_triggered, 6);
  assert.equal(out.transform_invocations, 6);
  assert.equal(out.records_ingested, 720);
  assert.equal(out.processed_per_ingested, 1);
});

Deno.test("canonical.run_job: coordinated runs 1 transform per table, per-batch one per batch file and reprocesses records", async () => {
  await using home = await tempDir("weir-canonical-cli-");
  const args = [
    "--source",
    SOURCE,
    "--mapping",
    MAPPING,
    "--batch-size",
    "20",
    "--chunk-size",
    "40",
  ];
  const coordinated = await weir([
    "--home",
    home.path,
    "run",
    "canonical.run_job",
    ...args,
    "--job",
    "c1",
  ]);
  assert.equal(coordinated.code, 0, coordinated.stderr);
  const c = (coordinated.json as { output: Summary }).output;
  assert.equal(c.transform_invocations, 6);
  assert.equal(c.processed_per_ingested, 1);
  const legacy = await weir([
    "--home",
    join(home.path, "legacy"),
    "run",
    "canonical.run_job",
    ...args,
    "--job",
    "c1",
    "--trigger",
    "per-batch",
  ]);
  assert.equal(legacy.code, 0, legacy.stderr);
  const l = (legacy.json as { output: Summary }).output;
  assert.equal(l.files, 36);
  assert.equal(l.transform_invocations, l.files);
  assert.ok(l.processed_per_ingested > 3, String(l.processed_per_ingested));
});

Deno.test("canonical.ingest_chunk returns the exact shape; aggregate decides; transform re-triggered is a recorded no-op", async () => {
  await using home = await tempDir("weir-canonical-cli-");
  const h = ["--home", home.path];
  const plan = await weir([
    ...h,
    "run",
    "canonical.run_job",
    "--job",
    "p1",
    "--plan-only",
    "--source",
    SOURCE,
  ]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.equal((plan.json as { output: Summary }).output.chunks, 6);
  for (let chunk = 0; chunk < 6; chunk++) {
    const r = await weir([
      ...h,
      "run",
      "canonical.ingest_chunk",
      "--params",
      JSON.stringify({ job: "p1", chunk, source: SOURCE }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = (r.json as { output: Record<string, unknown> }).output;
    assert.deepEqual(Object.keys(out).sort(), [
      "completed",
      "final_offset",
      "final_page",
      "processing_time",
      "records_processed",
      "s3_files_count",
      "s3_files_written",
      "table_metadata",
    ]);
    assert.equal(out.completed, true);
    assert.equal(out.records_processed, 120);
  }
  const first = await weir([
    ...h,
    "run",
    "canonical.transform",
    "--job",
    "p1",
    "--mapping",
    MAPPING,
  ]);
  assert.equal(first.code, 0, first.stderr);
  const runs =
    (first.json as { output: { runs: { noop: boolean; records_out: number }[] } }).output.runs;
  assert.equal(runs.length, 6);
  assert.ok(runs.every((r) => !r.noop && r.records_out > 0));
  const files = ["raw/acme/crm/contacts/p1/chunk-1-batch-0.jsonl"];
  const params = {
    job: "p1",
    tenant: "acme",
    service: "crm",
    table: "contacts",
    source_files: files,
  };
  const again = await weir([
    ...h,
    "run",
    "canonical.transform",
    "--params",
    JSON.stringify(params),
  ]);
  assert.equal(again.code, 0, again.stderr);
  const noop =
    (again.json as { output: { runs: { noop: boolean; reason: string }[] } }).output.runs[0];
  assert.equal(noop.noop, true);
  assert.equal(noop.reason, "every file was already consumed");
  const none = await weir([...h, "run", "canonical.transform", "--job", "p1"]);
  assert.deepEqual((none.json as { output: { runs: unknown[] } }).output.runs, []);
});

Deno.test("canonical.run_job with an HTTP source stops with exit 2 naming the --allow-net host", async () => {
  await using home = await tempDir("weir-canonical-cli-");
  const run = await weir([
    "--home",
    home.path,
    "run",
    "canonical.run_job",
    "--source",
    "http://127.0.0.1:9/api",
  ], {
    perms: ["--allow-read", "--allow-write", "--allow-env"],
  });
  assert.equal(run.code, 2, run.stderr);
  assert.ok(run.stderr.includes("--allow-net=127.0.0.1:9"), run.stderr);
});

Deno.test("the S3 server stopped mid-run then restarted: writes are retried, the job ends completed or partial (exit 3) and retry_chunks completes it", async () => {
  await using home = await tempDir("weir-canonical-cli-");
  await using data = await tempDir("weir-canonical-s3-");
  let s3 = await startS3rver({ directory: data.path });
  const port = Number(new URL(s3.endpoint).port);
  const env = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
  };
  const perms = [
    "--allow-read",
    `--allow-write=${home.path}`,
    "--allow-env",
    `--allow-net=127.0.0.1:${port}`,
    "--allow-sys",
  ];
  const args = [
    "--home",
    home.path,
    "-v",
    "run",
    "canonical.run_job",
    "--source",
    SOURCE,
    "--mapping",
    MAPPING,
    "--job",
    "o1",
    "--batch-size",
    "4",
    "--chunk-size",
    "40",
    "--concurrency",
    "2",
  ];
  let restarted = false;
  try {
    const run = await weir(args, {
      perms,
      env,
      async onSpawn(_child, stderr) {
        const [wait, rest] = stderr.tee();
        await waitFor(wait, "batch committed");
        await s3.close();
        await waitFor(rest, "retrying object write");
        s3 = await startS3rver({ port, directory: data.path });
        restarted = true;
      },
    });
    assert.ok(restarted);
    assert.ok(run.code === 0 || run.code === 3, `exit ${run.code}: ${run.stderr.slice(-2000)}`);
    assert.ok(run.stderr.includes("retrying object write"));
    let summary = (run.json as { output: Summary }).output;
    if (run.code === 3) {
      assert.equal(summary.status === "partial_success" || summary.status === "failed", true);
      const retry = await weir([
        "--home",
        home.path,
        "run",
        "canonical.retry_chunks",
        "--job",
        "o1",
        "--source",
        SOURCE,
        "--mapping",
        MAPPING,
      ], { perms, env });
      assert.equal(retry.code, 0, retry.stderr);
      summary = (retry.json as { output: Summary }).output;
    }
    assert.equal(summary.status, "completed");
    assert.equal(summary.transforms_triggered, 6);
    const store = await openObjectStore({
      kind: "s3",
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      credentials: s3.credentials,
    });
    try {
      const mapping = JSON.parse(await Deno.readTextFile(MAPPING));
      for (const t of await new JsonlSource(SAMPLE).tables()) {
        const text = await store.getText(`canonical/${t.tenant}/${t.service}/${t.table}/o1.jsonl`);
        const expected = expectedCanonical(await sourceRecords(SAMPLE, t), mappingFor(mapping, t));
        assert.deepEqual(text!.split("\n").filter(Boolean).map((l) => JSON.parse(l)), [
          ...expected.values(),
        ]);
      }
    } finally {
      await store.close();
    }
  } finally {
    await s3.close();
  }
});
