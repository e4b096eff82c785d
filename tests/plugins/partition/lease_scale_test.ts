/**
 * Three lease-mode instances as separate processes over 10,000 records, on
 * SQLite and on PostgreSQL: zero collisions, every record logged once.
 */
import assert from "node:assert/strict";
import { backendTest, logged, outputOf, runInstances, total, verifyOk } from "./_backends.ts";

const mode = "lease";
backendTest(
  `three ${mode}-mode instances over 10,000 records: zero collisions, every record logged once`,
  async (b) => {
    const { malformed } = await b.seed(10_000);
    const runs = await runInstances(b, 3, [
      "--mode",
      mode,
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
