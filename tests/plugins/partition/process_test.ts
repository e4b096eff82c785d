/**
 * `partition.process` with several instances as separate processes, on
 * SQLite and on PostgreSQL: zero collisions and completeness in static and
 * lease modes, visible duplicate attempts without partitioning, exclusion of
 * processed records on a rerun, malformed records logged as failed.
 */
import assert from "node:assert/strict";
import { backendTest, outputOf, runInstances, type TestBackend } from "./_backends.ts";

/** Sums a field over the instances' outputs. */
const total = (runs: { json: unknown }[], key: string) =>
  runs.reduce((sum, r) => sum + Number(outputOf(r as never)[key] ?? 0), 0);

/** Runs partition.verify and returns its checks (exit 0 expected). */
async function verifyOk(b: TestBackend) {
  const run = await b.run("partition.verify");
  assert.equal(run.code, 0, run.stderr);
  const out = outputOf(run) as unknown as {
    checks: Record<string, { ok: boolean }>;
    per_partition: { remaining: number }[];
    failed: { count: number };
  };
  assert.deepEqual(Object.values(out.checks).map((c) => c.ok), [true, true, true]);
  return out;
}

/** Counts log rows per status and target rows of one table. */
async function logged(b: TestBackend): Promise<{ success: number; failed: number }> {
  const rows = await b.query(
    b.kind === "sqlite"
      ? "SELECT status, count(*) AS n FROM partition_log GROUP BY status"
      : `SELECT status, CAST(count(*) AS INTEGER) AS n FROM ${
        b.backend.store.dialect.table("partition_log")
      } GROUP BY status`,
  );
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  return { success: by.success ?? 0, failed: by.failed ?? 0 };
}

for (const mode of ["static", "lease"] as const) {
  backendTest(
    `three ${mode}-mode instances over 10,000 records: zero collisions, every record logged once`,
    async (b) => {
      const { malformed } = await b.seed(10_000);
      const runs = await runInstances(b, 3, [
        "--mode",
        mode,
        "--lease-ttl-ms",
        "3000",
        "--workers",
        "2",
      ]);
      for (const r of runs) assert.ok(r.code === 0 || r.code === 3, r.stderr);
      assert.equal(total(runs, "duplicates"), 0);
      assert.equal(total(runs, "processed") + total(runs, "failed"), 10_000);
      assert.ok(
        runs.every((r) => Number(outputOf(r).processed) > 0),
        "every instance took a share",
      );
      const out = await verifyOk(b);
      assert.equal(out.failed.count, malformed.size);
      assert.deepEqual(await logged(b), {
        success: 10_000 - malformed.size,
        failed: malformed.size,
      });
    },
  );
}

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
