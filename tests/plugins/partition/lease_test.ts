/**
 * Lease mode under churn, on SQLite and on PostgreSQL: an instance killed
 * with SIGKILL midway loses its partitions to the live ones and every
 * record is still processed exactly once; an instance that joins late takes
 * a share without stopping the others.
 */
import assert from "node:assert/strict";
import { delay } from "../../../lib/async/delay.ts";
import { MappingError, mapRecord } from "../../../plugins/partition/mapper.ts";
import type { Generated } from "../../../plugins/partition/generator.ts";
import { backendTest, outputOf, type TestBackend } from "./_backends.ts";

const LEASE = ["--mode", "lease", "--lease-ttl-ms", "1500", "--poll-ms", "50", "--partitions", "9"];

/** How many records an instance's sessions logged. */
async function loggedBy(b: TestBackend, instanceId: number): Promise<number> {
  const [row] = await b.query(
    `SELECT CAST(count(*) AS INTEGER) AS n FROM ${
      b.backend.store.dialect.table("partition_log")
    } WHERE instance_id = $1`,
    [instanceId],
  );
  return Number(row.n);
}

/** Waits until `instanceId` has logged at least `n` records. */
async function untilLogged(b: TestBackend, instanceId: number, n: number): Promise<void> {
  while (await loggedBy(b, instanceId) < n) await delay(50);
}

/** Rows per target table that the records' successful conversions must leave. */
function expectedRows(b: TestBackend, generated: Generated): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of generated.records) {
    try {
      for (const [table, rows] of mapRecord(b.backend.store.contract, r.appId, r.xml)) {
        out[table] = (out[table] ?? 0) + rows.length;
      }
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
    }
  }
  return out;
}

async function actualRows(b: TestBackend): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of b.backend.store.contract.tables) {
    const [row] = await b.query(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM ${b.backend.store.dialect.table(t.name)}`,
    );
    out[t.name] = Number(row.n);
  }
  return out;
}

function instance(
  b: TestBackend,
  k: number,
  n: number,
  onSpawn?: (c: Deno.ChildProcess) => Promise<void>,
) {
  return b.run(
    "partition.process",
    [
      "--instance-id",
      String(k),
      "--instance-count",
      String(n),
      ...LEASE,
      "--delay-ms",
      "4",
      "--workers",
      "2",
      "--batch-size",
      "20",
    ],
    onSpawn ? { onSpawn: (child) => onSpawn(child) } : {},
  );
}

backendTest(
  "lease mode: kill -9 one of three midway and every record is processed exactly once",
  async (b) => {
    const generated = await b.seed(3_000);
    const [killed, ...live] = await Promise.all([
      instance(b, 0, 3, async (child) => {
        await untilLogged(b, 0, 150);
        child.kill("SIGKILL");
      }),
      instance(b, 1, 3),
      instance(b, 2, 3),
    ]);
    assert.notEqual(killed.code, 0, "the killed instance did not finish");
    for (const r of live) assert.ok(r.code === 0 || r.code === 3, r.stderr);
    const verify = await b.run("partition.verify");
    assert.equal(verify.code, 0, verify.stderr);
    // Exactly once: one log entry per record, and the target rows of each success once.
    const [log] = await b.query(
      `SELECT CAST(count(*) AS INTEGER) AS n, CAST(count(DISTINCT app_id) AS INTEGER) AS d FROM ${
        b.backend.store.dialect.table("partition_log")
      }`,
    );
    assert.deepEqual([Number(log.n), Number(log.d)], [3_000, 3_000]);
    assert.deepEqual(await actualRows(b), expectedRows(b, generated));
    const survivors = live.reduce(
      (s, r) => s + Number(outputOf(r).processed) + Number(outputOf(r).failed),
      0,
    );
    assert.equal(survivors + await loggedBy(b, 0), 3_000);
  },
);

backendTest(
  "lease mode: an instance that joins late takes a share while the others go on",
  async (b) => {
    await b.seed(1_500);
    const first = [instance(b, 0, 3), instance(b, 1, 3)];
    await untilLogged(b, 0, 100);
    const joined = await instance(b, 2, 3);
    const runs = [...await Promise.all(first), joined];
    for (const r of runs) assert.ok(r.code === 0 || r.code === 3, r.stderr);
    assert.ok(Number(outputOf(joined).processed) > 0, "the joining instance converted records");
    assert.equal(runs.reduce((s, r) => s + Number(outputOf(r).duplicates), 0), 0);
    const verify = await b.run("partition.verify");
    assert.equal(verify.code, 0, verify.stderr);
  },
);
