/**
 * Many chunk processors, each in a process of its own, finishing at the
 * same instant: the aggregator still creates exactly one transform per
 * table, on SQLite and on PostgreSQL (filesystem store; the S3 store is
 * covered by the flow tests).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { planJob } from "../../../plugins/canonical/plan.ts";
import { JsonlSource } from "../../../plugins/canonical/sources/jsonl.ts";
import { type CanonicalEnv, ENVS, matrixTest } from "../../helpers/canonical.ts";

const WORKER = fileURLToPath(new URL("../../fixtures/canonical_chunk_worker.ts", import.meta.url));
const SOURCE = "fixtures/canonical/sample/source";

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

async function race(env: CanonicalEnv): Promise<void> {
  // 6 tables cut into 12 chunks of 60 records: 12 processes.
  const spec = await planJob(new JsonlSource(SOURCE), "race", {
    source: `jsonl:${SOURCE}`,
    batchSize: 25,
    chunkSize: 60,
  });
  assert.equal(spec.chunks.length, 12);
  await env.state.createJob(spec);
  const children = spec.chunks.map((c) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-net",
        "--allow-sys",
        WORKER,
        JSON.stringify({
          state: env.stateConfig,
          store: env.storeConfig,
          job: "race",
          chunk: c.chunk,
          mode: "race",
        }),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn()
  );
  const stderr = children.map((child) => new Response(child.stderr).text());
  const stdout = children.map((child) => lines(child.stdout));
  const ready = await Promise.all(stdout.map((out) => out.next()));
  assert.deepEqual(ready.map((r) => r.value), Array(children.length).fill("ready"));
  // Every processor has written its chunk: release them at once.
  await Promise.all(children.map((child) => child.stdin.close()));
  const rest = await Promise.all(stdout.map((out) => Array.fromAsync(out)));
  const statuses = await Promise.all(children.map((child) => child.status));
  const errors = await Promise.all(stderr);
  const results = statuses.map((status, i) => {
    assert.equal(status.code, 0, errors[i]);
    return JSON.parse(rest[i][0]) as { decided: boolean; created: number };
  });
  assert.equal(results.filter((r) => r.decided).length, 1, JSON.stringify(results));
  assert.equal(results.reduce((n, r) => n + r.created, 0), 6);
  const transforms = await env.state.transforms("race");
  assert.equal(transforms.length, 6);
  assert.equal((await env.state.job("race"))?.status, "completed");
  // Each table's transform lists all its files, in chunk and batch order.
  for (const t of transforms) {
    const chunks = spec.chunks.filter((c) => c.table === t.table && c.tenant === t.tenant);
    const expected = chunks.flatMap((c) =>
      Array.from(
        { length: Math.ceil((c.end - c.start) / 25) },
        (_, b) => `raw/${t.tenant}/${t.service}/${t.table}/race/chunk-${c.chunk}-batch-${b}.jsonl`,
      )
    );
    assert.deepEqual(t.files, expected);
  }
}

matrixTest(
  "12 chunk processors in separate processes finishing at once create exactly one transform per table",
  race,
  ENVS.filter((e) => e.name === "fs+sqlite" || e.name === "fs+postgres"),
);
