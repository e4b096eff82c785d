/**
 * The job-state port's contract, run on SQLite (a temporary file) and
 * PostgreSQL (a schema of its own per case, dropped afterwards).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import type { JobSpec, TransformRun } from "../../../plugins/canonical/model.ts";
import type { JobState } from "../../../plugins/canonical/state/port.ts";
import { openJobState } from "../../../plugins/canonical/state/open.ts";
import { type ContractAdapter, contractSuite, runContract } from "../../helpers/contract.ts";
import { requireService } from "../../helpers/services.ts";

/** A state under test and a way to open another connection to it. */
interface Fixture {
  state: JobState;
  another(): Promise<JobState>;
}

const T = { tenant: "acme", service: "crm" };

function spec(job = "j1"): JobSpec {
  return {
    job,
    source: "jsonl:in",
    batchSize: 10,
    chunks: [
      { chunk: 0, ...T, table: "contacts", start: 0, end: 20 },
      { chunk: 1, ...T, table: "contacts", start: 20, end: 30 },
      { chunk: 2, ...T, table: "deals", start: 0, end: 5 },
    ],
  };
}

function run(over: Partial<TransformRun> = {}): TransformRun {
  return {
    run: crypto.randomUUID(),
    job: "j1",
    ...T,
    table: "contacts",
    mode: "files",
    trigger: "job",
    filesListed: 2,
    filesRead: 2,
    recordsRead: 30,
    recordsOut: 12,
    noop: false,
    ...over,
  };
}

const ok = (files: string[], records = 10) => ({ ok: true, records, files });

const suite = contractSuite<Fixture>("JobState", {
  "createJob() stores pending chunks once; a second create returns false and changes nothing":
    async ({ state }) => {
      assert.equal(await state.createJob(spec()), true);
      assert.equal(await state.createJob({ ...spec(), batchSize: 99 }), false);
      const job = await state.job("j1");
      assert.deepEqual(job, {
        job: "j1",
        source: "jsonl:in",
        batchSize: 10,
        chunks: 3,
        status: "running",
      });
      const chunks = await state.chunks("j1");
      assert.deepEqual(chunks.map((c) => [c.chunk, c.table, c.start, c.end, c.status]), [
        [0, "contacts", 0, 20, "pending"],
        [1, "contacts", 20, 30, "pending"],
        [2, "deals", 0, 5, "pending"],
      ]);
      assert.equal(await state.job("absent"), undefined);
    },

  "startChunk() marks running and counts attempts; an unknown chunk is a RangeError": async (
    { state },
  ) => {
    await state.createJob(spec());
    await state.startChunk("j1", 1);
    const row = await state.startChunk("j1", 1);
    assert.equal(row.status, "running");
    assert.equal(row.attempts, 2);
    await assert.rejects(state.startChunk("j1", 9), RangeError);
  },

  "commitBatch() is idempotent and batches() returns them in order": async ({ state }) => {
    await state.createJob(spec());
    await state.commitBatch("j1", 0, { batch: 1, key: "b1", records: 10, endOffset: 20 });
    await state.commitBatch("j1", 0, { batch: 0, key: "b0", records: 10, endOffset: 10 });
    await state.commitBatch("j1", 0, { batch: 0, key: "other", records: 3, endOffset: 3 });
    assert.deepEqual(await state.batches("j1", 0), [
      { batch: 0, key: "b0", records: 10, endOffset: 10 },
      { batch: 1, key: "b1", records: 10, endOffset: 20 },
    ]);
  },

  "aggregate() decides only when every chunk ended: one transform per table with its exact files":
    async ({ state }) => {
      await state.createJob(spec());
      const first = await state.aggregate("j1", 1, ok(["c1b0"]));
      assert.equal(first.decided, false);
      assert.equal(first.ended, 1);
      assert.equal(first.status, "running");
      await state.aggregate("j1", 2, ok(["c2b0"], 5));
      const last = await state.aggregate("j1", 0, ok(["c0b0", "c0b1"], 20));
      assert.equal(last.decided, true);
      assert.equal(last.status, "completed");
      assert.deepEqual(last.failedTables, []);
      assert.deepEqual(last.created.map((t) => [t.table, t.files]), [
        ["contacts", ["c0b0", "c0b1", "c1b0"]],
        ["deals", ["c2b0"]],
      ]);
      assert.deepEqual((await state.transforms("j1")).map((t) => [t.table, t.status]), [
        ["contacts", "pending"],
        ["deals", "pending"],
      ]);
      // A late duplicate report neither decides again nor adds a transform.
      const again = await state.aggregate("j1", 0, ok(["c0b0", "c0b1"], 20));
      assert.equal(again.decided, false);
      assert.equal((await state.transforms("j1")).length, 2);
    },

  "a failed chunk makes the job partial_success and its table untransformed until reopenFailed() and a new success":
    async ({ state }) => {
      await state.createJob(spec());
      await state.aggregate("j1", 0, ok(["c0b0"]));
      await state.aggregate("j1", 1, { ok: false, records: 0, files: [], error: "S3 down" });
      const d = await state.aggregate("j1", 2, ok(["c2b0"]));
      assert.equal(d.status, "partial_success");
      assert.deepEqual(d.failedTables, [{ ...T, table: "contacts" }]);
      assert.deepEqual(d.created.map((t) => t.table), ["deals"]);
      assert.equal((await state.chunks("j1"))[1].error, "S3 down");
      assert.deepEqual(await state.reopenFailed("j1"), [1]);
      assert.equal((await state.job("j1"))?.status, "running");
      assert.deepEqual(await state.reopenFailed("j1"), []);
      const retried = await state.aggregate("j1", 1, ok(["c1b0"]));
      assert.equal(retried.decided, true);
      assert.equal(retried.status, "completed");
      assert.deepEqual(retried.created.map((t) => [t.table, t.files]), [
        ["contacts", ["c0b0", "c1b0"]],
      ]);
      assert.equal((await state.transforms("j1")).length, 2);
    },

  "a job whose chunks all failed is failed, with no transform": async ({ state }) => {
    await state.createJob(spec());
    for (const chunk of [0, 1, 2]) {
      await state.aggregate("j1", chunk, { ok: false, records: 0, files: [], error: "x" });
    }
    assert.equal((await state.job("j1"))?.status, "failed");
    assert.deepEqual(await state.transforms("j1"), []);
  },

  "of concurrent aggregate() calls on separate connections exactly one decides": async (fx) => {
    const big: JobSpec = {
      job: "race",
      source: "jsonl:in",
      batchSize: 1,
      chunks: Array.from({ length: 8 }, (_, i) => ({
        chunk: i,
        ...T,
        table: `t${i % 3}`,
        start: 0,
        end: 1,
      })),
    };
    await fx.state.createJob(big);
    const states = [
      fx.state,
      ...(await Promise.all(Array.from({ length: 7 }, () => fx.another()))),
    ];
    const results = await Promise.all(
      states.map((s, i) => s.aggregate("race", i, ok([`f${i}`], 1))),
    );
    assert.equal(results.filter((r) => r.decided).length, 1);
    assert.equal(results.flatMap((r) => r.created).length, 3);
    assert.equal((await fx.state.transforms("race")).length, 3);
  },

  "claimTransform() hands a transform out once; finishRun() records the run, the ledger and done":
    async ({ state }) => {
      await state.createJob(spec());
      for (const c of [0, 1, 2]) await state.aggregate("j1", c, ok([`c${c}`]));
      const t = { ...T, table: "contacts" };
      const claimed = await state.claimTransform("j1", t);
      assert.deepEqual(claimed?.files, ["c0", "c1"]);
      assert.equal(await state.claimTransform("j1", t), undefined);
      assert.deepEqual(await state.consumed(t, ["c0", "c1"]), new Set());
      const r = run();
      await state.finishRun(r, ["c0", "c1"]);
      assert.deepEqual(await state.consumed(t, ["c0", "c1", "zz"]), new Set(["c0", "c1"]));
      assert.deepEqual(await state.consumed({ ...t, table: "deals" }, ["c0"]), new Set());
      assert.equal(
        (await state.transforms("j1")).find((x) => x.table === "contacts")?.status,
        "done",
      );
      assert.equal(await state.claimTransform("j1", t), undefined);
      const noop = run({
        noop: true,
        filesRead: 0,
        recordsRead: 0,
        recordsOut: 0,
        trigger: "manual",
      });
      await state.finishRun(noop, ["c9"]);
      assert.deepEqual(await state.consumed(t, ["c9"]), new Set(), "a no-op consumes nothing");
      assert.deepEqual(await state.runs("j1"), [r, noop]);
    },
});

const pg = requireService("postgres");

async function sqliteAdapter(): Promise<{ adapter: Fixture; close(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "weir-canonical-state-" });
  const path = join(dir, "state.db");
  const opened: JobState[] = [];
  const open = async () => {
    const s = await openJobState({ sqlitePath: path });
    opened.push(s);
    return s;
  };
  const state = await open();
  return {
    adapter: { state, another: open },
    async close() {
      for (const s of opened) await s.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function postgresAdapter(): Promise<{ adapter: Fixture; close(): Promise<void> }> {
  if (!pg.available) throw new Error(pg.reason);
  const schema = `canon_state_${crypto.randomUUID().replaceAll("-", "")}`;
  const url = new URL(pg.settings.url);
  url.searchParams.set("search_path", schema);
  const opened: JobState[] = [];
  const open = async () => {
    const s = await openJobState({ sqlitePath: "", databaseUrl: url.toString() });
    opened.push(s);
    return s;
  };
  const state = await open();
  return {
    adapter: { state, another: open },
    async close() {
      for (const s of opened) await s.close();
      const admin = postgres(pg.settings.url, { max: 1, onnotice: () => {} });
      try {
        await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
      } finally {
        await admin.end();
      }
    },
  };
}

const adapters: ContractAdapter<Fixture>[] = [
  { name: "sqlite", open: sqliteAdapter },
  {
    name: "postgres",
    open: postgresAdapter,
    ...(pg.available ? {} : { skip: pg.reason }),
  },
];

runContract(suite, adapters);
