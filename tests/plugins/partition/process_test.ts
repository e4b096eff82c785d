/**
 * `partition.process` on SQLite and on PostgreSQL: visible duplicate
 * attempts without partitioning, exclusion of processed records on a rerun,
 * malformed records logged as failed, and what `partition.status` reports.
 */
import assert from "node:assert/strict";
import { generateRecords } from "../../../plugins/partition/generator.ts";
import { partitionOf } from "../../../plugins/partition/rule.ts";
import { backendTest, logged, outputOf, runInstances, total, verifyOk } from "./_backends.ts";

backendTest(
  "without partitioning, instances make duplicate attempts and still end correct",
  async (b) => {
    const { malformed } = await b.seed(2_000);
    const runs = await runInstances(b, 3, [
      "--mode",
      "none",
      "--batch-size",
      "20",
      "--workers",
      "2",
    ]);
    for (const r of runs) assert.ok(r.code === 0 || r.code === 3, r.stderr);
    assert.ok(total(runs, "duplicates") > 0, "duplicate attempts are counted");
    assert.equal(total(runs, "processed") + total(runs, "failed"), 2_000);
    await verifyOk(b);
    assert.deepEqual(await logged(b), { success: 2_000 - malformed.size, failed: malformed.size });
  },
);

backendTest(
  "a rerun skips processed records; --retry-failed takes only the failed ones",
  async (b) => {
    const { malformed } = await b.seed(300, { malformedRate: 0.1 });
    const first = await b.run("partition.process");
    assert.equal(first.code, 3, first.stderr + first.stdout); // partial: the malformed records failed
    assert.equal(Number(outputOf(first).processed), 300 - malformed.size);
    const again = await b.run("partition.process");
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([outputOf(again).processed, outputOf(again).failed], [0, 0]);
    const retry = await b.run("partition.process", ["--retry-failed"]);
    assert.equal(retry.code, 3, retry.stderr);
    assert.deepEqual([outputOf(retry).processed, outputOf(retry).failed], [0, malformed.size]);
    await verifyOk(b);
  },
);

backendTest(
  "malformed records are logged as failed with their element path and reason",
  async (b) => {
    const { malformed } = await b.seed(200, { malformedRate: 0.15 });
    const run = await b.run("partition.process");
    assert.equal(run.code, 3, run.stderr);
    const failures = (run.json as { failures: { item: string; reason: string }[] }).failures;
    assert.deepEqual(failures.map((f) => Number(f.item)).sort((x, y) => x - y), [
      ...malformed.keys(),
    ]);
    const expected = {
      xml: /^\(xml\): malformed XML/,
      type: /fee\[1\]\/@amount: expected a number, found "12,5x"$/,
      required: /^\/application\[1\]\/title: required string "title" is missing$/,
    };
    for (const f of failures) assert.match(f.reason, expected[malformed.get(Number(f.item))!]);
    const out = await verifyOk(b);
    assert.equal(out.failed.count, malformed.size);
  },
);

backendTest("partition.status reports instances and partitions after a static run", async (b) => {
  await b.seed(600, { malformedRate: 0 });
  const runs = await runInstances(b, 2, ["--mode", "static"]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const run = await b.run("partition.status");
  assert.equal(run.code, 0, run.stderr);
  const out = outputOf(run) as unknown as {
    partitions: number;
    remaining: number;
    instances: { instance_id: number; processed: number; status: string; live: boolean }[];
    per_partition: {
      partition: number;
      processed: number;
      remaining: number;
      lease_holder: null;
    }[];
  };
  assert.equal(out.partitions, 2);
  assert.equal(out.remaining, 0);
  assert.deepEqual(out.instances.map((i) => i.instance_id).sort(), [0, 1]);
  assert.ok(out.instances.every((i) => i.status === "finished" && !i.live && i.processed === 300));
  assert.deepEqual(
    out.per_partition.map((p) => [p.partition, p.processed, p.remaining, p.lease_holder]),
    [
      [0, 300, 0, null],
      [1, 300, 0, null],
    ],
  );
});

backendTest(
  "--partition-by hash spreads clustered ids and keeps each instance in its partition",
  async (b) => {
    // Ids that are all multiples of 3: modulo 3 would put every one in partition 0.
    const { records } = generateRecords({
      count: 300,
      seed: 5,
      malformedRate: 0,
      minBytes: 600,
      maxBytes: 700,
    });
    await b.backend.store.loadSource(records.map((r, i) => ({ appId: 3 * (i + 1), xml: r.xml })));
    const runs = await runInstances(b, 3, ["--mode", "static", "--partition-by", "hash"]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const counts = runs.map((r) => Number(outputOf(r).processed));
    assert.deepEqual(
      counts,
      [0, 1, 2].map((k) =>
        records.filter((_, i) => partitionOf("hash", 3 * (i + 1), 3) === k).length
      ),
    );
    assert.ok(counts.every((n) => n > 50), `hash shares ${counts}`);
    const out = await verifyOk(b);
    assert.deepEqual(out.per_partition.map((p) => p.remaining), [0, 0, 0]);
  },
);
