/**
 * A canonical job end to end on every combination of object store and job
 * state: one transform per table, output checked record by record against
 * an independent computation, failed chunks retried, idempotent
 * re-triggers, the time window, spilling, and the legacy per-batch mode.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { canonicalize } from "../../../plugins/canonical/canonicalize.ts";
import { canonicalKeys } from "../../../plugins/canonical/keys.ts";
import { mappingFor } from "../../../plugins/canonical/mapping.ts";
import { tableKey, type TableRef } from "../../../plugins/canonical/model.ts";
import { JsonlSource } from "../../../plugins/canonical/sources/jsonl.ts";
import type { SourcePage } from "../../../plugins/canonical/sources/port.ts";
import {
  type CanonicalEnv,
  ENVS,
  expectedCanonical,
  matrixTest,
  sourceRecords,
} from "../../helpers/canonical.ts";
import { MAPPING, readJsonl, runFlow, SAMPLE } from "./_flow.ts";

const TABLES: TableRef[] = await new JsonlSource(SAMPLE).tables();

async function assertCanonical(env: CanonicalEnv, job: string, t: TableRef): Promise<void> {
  const expected = expectedCanonical(await sourceRecords(SAMPLE, t), mappingFor(MAPPING, t));
  const actual = await readJsonl(env, canonicalKeys(t, job).output);
  assert.equal(actual.length, expected.size, `${tableKey(t)}: record count`);
  const keys = [...expected.keys()];
  actual.forEach((record, i) => {
    assert.deepEqual(record, expected.get(keys[i]), `${tableKey(t)}: record ${keys[i]}`);
  });
}

matrixTest(
  "a job yields exactly one transform per table whose output matches an independent computation record by record",
  async (env) => {
    const { chunks, transforms } = await runFlow(env);
    assert.equal(chunks.length, 12);
    assert.ok(chunks.every((c) => c.result.completed));
    assert.deepEqual(chunks[0].result.s3_files_written, [
      "raw/acme/billing/invoices/j1/chunk-0-batch-0.jsonl",
      "raw/acme/billing/invoices/j1/chunk-0-batch-1.jsonl",
      "raw/acme/billing/invoices/j1/chunk-0-batch-2.jsonl",
    ]);
    assert.equal(chunks[0].result.records_processed, 60);
    assert.equal(chunks[0].result.final_offset, 60);
    assert.equal(chunks[0].result.s3_files_count, 3);
    assert.equal(transforms.length, TABLES.length);
    assert.deepEqual(transforms.map(tableKey), TABLES.map(tableKey));
    const ingested = chunks.reduce((n, c) => n + c.result.records_processed, 0);
    const processed = transforms.reduce((n, t) => n + t.recordsRead, 0);
    assert.equal(ingested, 720);
    assert.equal(processed / ingested, 1);
    assert.ok(transforms.every((t) => t.mode === "files" && t.filesListed === 6));
    for (const t of TABLES) await assertCanonical(env, "j1", t);
    const manifest = JSON.parse(
      (await env.store.getText(canonicalKeys(TABLES[0], "j1").manifest))!,
    );
    assert.equal(manifest.source_files.length, 6);
    assert.equal(manifest.records_read, 120);
    assert.equal((await env.state.runs("j1")).length, TABLES.length);
  },
);

/** The sample, failing every read of one table while `broken` is true. */
class FlakySource extends JsonlSource {
  broken = true;
  constructor(readonly victim: string) {
    super(SAMPLE);
  }
  override async *read(
    t: TableRef,
    start: number,
    end: number,
    size: number,
  ): AsyncIterable<SourcePage> {
    let n = 0;
    for await (const page of super.read(t, start, end, size)) {
      if (this.broken && tableKey(t) === this.victim && n++ === 1) {
        throw new Error("Cannot read the page as the source is down");
      }
      yield page;
    }
  }
}

matrixTest(
  "a table with a failed chunk is not transformed; retry_chunks' steps complete it",
  async (env) => {
    const victim = "globex/crm/deals";
    const source = new FlakySource(victim);
    const first = await runFlow(env, { source });
    assert.equal((await env.state.job("j1"))?.status, "partial_success");
    assert.equal(first.transforms.length, TABLES.length - 1);
    assert.ok(!first.transforms.some((t) => tableKey(t) === victim));
    assert.equal(
      await env.store.head(
        canonicalKeys({ tenant: "globex", service: "crm", table: "deals" }, "j1").output,
      ),
      undefined,
    );
    const failed = await env.state.reopenFailed("j1");
    assert.equal(failed.length, 2);
    source.broken = false;
    const second = await runFlow(env, { source, chunks: failed });
    assert.equal((await env.state.job("j1"))?.status, "completed");
    assert.deepEqual(second.transforms.map(tableKey), [victim]);
    // Resumed after its committed batch: batch 0 was not written again.
    assert.equal(second.chunks[0].result.table_metadata.batches_resumed, 1);
    await assertCanonical(env, "j1", { tenant: "globex", service: "crm", table: "deals" });
    assert.equal((await env.state.transforms("j1")).length, TABLES.length);
  },
);

matrixTest(
  "re-triggering a transform with the same files is a recorded no-op; consumed files are not processed twice",
  async (env) => {
    await runFlow(env);
    const t = TABLES[1];
    const files =
      (await env.state.transforms("j1")).find((x) => tableKey(x) === tableKey(t))!.files;
    const deps = { state: env.state, store: env.store, spillDir: env.spillDir };
    const req = {
      ...t,
      job: "j1",
      files,
      windowHours: 72,
      trigger: "manual" as const,
      mapping: mappingFor(MAPPING, t),
      memoryRecords: 1000,
    };
    const before = await env.store.getText(canonicalKeys(t, "j1").output);
    const again = await canonicalize(deps, req);
    assert.equal(again.noop, true);
    assert.equal(again.reason, "every file was already consumed");
    assert.equal(again.recordsRead, 0);
    assert.equal(await env.store.getText(canonicalKeys(t, "j1").output), before);
    // The window finds the same files: also nothing new to process.
    const window = await canonicalize(deps, { ...req, files: undefined });
    assert.equal(window.mode, "window");
    assert.equal(window.filesListed, 6);
    assert.equal(window.noop, true);
    const runs = (await env.state.runs("j1")).filter((r) => tableKey(r) === tableKey(t));
    assert.deepEqual(runs.map((r) => [r.trigger, r.mode, r.noop]), [
      ["job", "files", false],
      ["manual", "files", true],
      ["manual", "window", true],
    ]);
  },
);

matrixTest(
  "time-based discovery is limited to its window",
  async (env) => {
    await runFlow(env);
    const t = TABLES[0];
    const all = (await env.state.transforms("j1")).find((x) => tableKey(x) === tableKey(t))!.files;
    const { discoverFiles } = await import("../../../plugins/canonical/canonicalize.ts");
    const now = Date.now();
    assert.deepEqual(await discoverFiles(env.store, t, 72, now), all);
    assert.deepEqual(await discoverFiles(env.store, t, 72, now + 73 * 3_600_000), []);
    if (env.storeConfig.kind === "fs") {
      // Age half of the files by 100 hours: only the others are in a 72-hour window.
      const old = new Date(now - 100 * 3_600_000);
      for (const key of all.slice(0, 3)) {
        await Deno.utime(join(env.storeConfig.root, ...key.split("/")), old, old);
      }
      assert.deepEqual(await discoverFiles(env.store, t, 72, now), all.slice(3));
      assert.deepEqual(await discoverFiles(env.store, t, 101, now), all);
    }
  },
);

matrixTest(
  "a table larger than memoryRecords spills to SQLite and gives the same output",
  async (env) => {
    const { transforms } = await runFlow(env, { memoryRecords: 7 });
    assert.ok(transforms.every((t) => t.spilled));
    for (const t of TABLES) await assertCanonical(env, "j1", t);
  },
  ENVS.filter((e) => e.name.endsWith("+sqlite")),
);

matrixTest(
  "the legacy per-batch mode transforms after every batch and processes records many times over",
  async (env) => {
    const { chunks } = await runFlow(env, { perBatch: true });
    const batches = chunks.reduce((n, c) => n + c.result.s3_files_count, 0);
    const runs = await env.state.runs("j1");
    assert.equal(runs.length, batches);
    assert.ok(runs.every((r) => r.trigger === "batch" && r.mode === "window"));
    const processed = runs.reduce((n, r) => n + r.recordsRead, 0);
    assert.ok(processed / 720 > 3, `processed ${processed} for 720 ingested`);
    // Its last run per table saw every file, so the final output is still right.
    for (const t of TABLES) await assertCanonical(env, "j1", t);
  },
  ENVS.filter((e) => e.name === "fs+sqlite"),
);
