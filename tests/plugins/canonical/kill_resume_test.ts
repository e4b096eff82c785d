/**
 * `kill -9` of a chunk processor at 20 seeded points (after a batch file is
 * stored but before its commit, or just after a commit), each followed by a
 * resume: no batch file is written twice or skipped, the batch files hold
 * every record of the chunk exactly once, and the canonical output is the
 * same as a clean run's.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { seeded } from "../../../fixtures/canonical/generate.ts";
import { canonicalize } from "../../../plugins/canonical/canonicalize.ts";
import { canonicalKeys, rawPrefix } from "../../../plugins/canonical/keys.ts";
import { mappingFor } from "../../../plugins/canonical/mapping.ts";
import { planJob } from "../../../plugins/canonical/plan.ts";
import { processChunk } from "../../../plugins/canonical/process_chunk.ts";
import { JsonlSource } from "../../../plugins/canonical/sources/jsonl.ts";
import { type CanonicalEnv, ENVS, matrixTest, sourceRecords } from "../../helpers/canonical.ts";
import { MAPPING, readJsonl, SAMPLE } from "./_flow.ts";

const WORKER = fileURLToPath(new URL("../../fixtures/canonical_chunk_worker.ts", import.meta.url));
const TABLE = { tenant: "acme", service: "crm", table: "contacts" };
const BATCH = 3;
const BATCHES = 120 / BATCH;
const KILLS = 20;

/** Runs the worker on `chunk` of `job`; kills it with SIGKILL once it prints `target`. */
async function runWorker(env: CanonicalEnv, job: string, chunk: number, target?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      "--allow-sys",
      WORKER,
      JSON.stringify({ state: env.stateConfig, store: env.storeConfig, job, chunk, mode: "crash" }),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const go = child.stdin.getWriter();
  let seen = "";
  let rest = "";
  let killed = false;
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    seen += text;
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      if (killed || line === "done") continue;
      // The worker waits after each step: kill it there, or let it go on.
      if (line === target) {
        child.kill("SIGKILL");
        killed = true;
      } else await go.write(new TextEncoder().encode("go\n")).catch(() => {});
    }
  }
  await go.close().catch(() => {});
  const status = await child.status;
  return { status, seen, killed, stderr: await stderr };
}

async function killAndResume(env: CanonicalEnv): Promise<void> {
  const source = new JsonlSource(SAMPLE);
  const spec = await planJob(source, "crash", {
    source: `jsonl:${SAMPLE}`,
    batchSize: BATCH,
    chunkSize: 120,
  });
  const chunk = spec.chunks.find((c) => c.tenant === "acme" && c.table === "contacts")!.chunk;
  await env.state.createJob(spec);
  const random = seeded(20260101);
  let kills = 0;
  const puts: string[] = [];
  const putsOf = (seen: string) => seen.split("\n").filter((l) => l.startsWith("put "));
  for (let round = 0; round < KILLS; round++) {
    const committed = (await env.state.batches("crash", chunk)).length;
    if (committed >= BATCHES) break;
    // A stored but uncommitted batch is adopted on resume, not put again: a
    // "put" point is therefore one batch ahead of the last commit.
    const put = random() < 0.5;
    const batch = Math.min(BATCHES - 1, committed + (put ? 1 : Math.floor(random() * 2)));
    const target = `${put ? "put" : "commit"} ${batch}`;
    const run = await runWorker(env, "crash", chunk, target);
    puts.push(...putsOf(run.seen));
    if (run.killed) {
      kills++;
      assert.equal(run.status.signal, "SIGKILL");
    } else assert.equal(run.status.code, 0, run.stderr);
    // After every crash: committed batches are numbered 0..n-1 with no gap.
    const batches = await env.state.batches("crash", chunk);
    assert.deepEqual(batches.map((b) => b.batch), batches.map((_, i) => i));
  }
  assert.equal(kills, KILLS);
  const last = await runWorker(env, "crash", chunk);
  assert.equal(last.status.code, 0, last.stderr);
  assert.ok(last.seen.includes("done"));
  puts.push(...putsOf(last.seen));
  // Every batch file was stored exactly once across all the crashed runs.
  assert.deepEqual(puts, Array.from({ length: BATCHES }, (_, b) => `put ${b}`));

  // Exactly one file per batch, holding the chunk's records once, in order.
  const prefix = `${rawPrefix(TABLE)}crash/`;
  const keys: string[] = [];
  for await (const e of env.store.list(prefix)) keys.push(e.key);
  const expectedKeys = Array.from(
    { length: BATCHES },
    (_, b) => `${prefix}chunk-${chunk}-batch-${b}.jsonl`,
  );
  assert.deepEqual(keys.sort(), [...expectedKeys].sort());
  const written = [];
  for (const key of expectedKeys) written.push(...await readJsonl(env, key));
  assert.deepEqual(written, await sourceRecords(SAMPLE, TABLE));

  // The canonical output equals a clean run's.
  const deps = { state: env.state, store: env.store, spillDir: env.spillDir };
  const request = {
    ...TABLE,
    windowHours: 72,
    trigger: "manual" as const,
    mapping: mappingFor(MAPPING, TABLE),
    memoryRecords: 1000,
  };
  await canonicalize(deps, { ...request, job: "crash", files: expectedKeys });
  const clean = (await env.state.job("crash"))!;
  await env.state.createJob({ ...spec, job: "clean" });
  const cleanRun = await processChunk(
    { state: env.state, store: env.store, source },
    { ...clean, job: "clean" },
    chunk,
  );
  assert.equal(cleanRun.result.s3_files_count, BATCHES);
  await canonicalize(deps, { ...request, job: "clean", files: cleanRun.result.s3_files_written });
  assert.equal(
    await env.store.getText(canonicalKeys(TABLE, "crash").output),
    await env.store.getText(canonicalKeys(TABLE, "clean").output),
  );
}

matrixTest(
  `kill -9 of a chunk processor at ${KILLS} seeded points, then resume: no batch written twice, same output as a clean run`,
  killAndResume,
  ENVS.filter((e) => e.name === "fs+sqlite" || e.name === "s3+postgres"),
);
