/**
 * Races for one lease: between processes on one SQLite file, and between
 * connections to PostgreSQL. Each race is run twice: for a new lease, then,
 * once it has expired, among everyone but its winner, so that a takeover by
 * another owner is proven (the previous winner re-taking it would not show
 * whether others can).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { type Lease, PostgresLeaseStore, SqliteLeaseStore } from "../../../lib/leases/mod.ts";
import { openSqlite } from "../../../lib/sqlite/open.ts";
import { LeaseTestClock } from "../../helpers/lease_clock.ts";
import { serviceTest } from "../../helpers/services.ts";
import { tempDir } from "../../helpers/temp.ts";

const WORKER = fileURLToPath(new URL("../../fixtures/lease_worker.ts", import.meta.url));
const RACERS = 8;
const OWNERS = Array.from({ length: RACERS }, (_, i) => `racer-${i}`);

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/**
 * Starts a process per owner that opens the database at `path`, waits until
 * all have it open, then lets them acquire lease `name` at once; returns each
 * owner's token (`null` when it lost).
 */
async function raceInProcesses(
  path: string,
  name: string,
  owners: readonly string[],
): Promise<Map<string, number | null>> {
  const children = owners.map((owner) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "--allow-write", WORKER, path, name, owner],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn()
  );
  const stderr = children.map((child) => new Response(child.stderr).text());
  const stdout = children.map((child) => lines(child.stdout));
  const ready = await Promise.all(stdout.map((out) => out.next()));
  assert.deepEqual(ready.map((r) => r.value), Array(owners.length).fill("ready"));
  // Closing stdin is the starting signal: every racer has the database open.
  await Promise.all(children.map((child) => child.stdin.close()));
  const rest = await Promise.all(stdout.map((out) => Array.fromAsync(out)));
  const statuses = await Promise.all(children.map((child) => child.status));
  const errors = await Promise.all(stderr);
  const tokens = new Map<string, number | null>();
  statuses.forEach((status, i) => {
    assert.equal(status.code, 0, `racer ${owners[i]} failed: ${errors[i]}`);
    assert.equal(rest[i].length, 1, `racer ${owners[i]} wrote ${JSON.stringify(rest[i])}`);
    const { owner, token } = JSON.parse(rest[i][0]);
    tokens.set(owner, token);
  });
  return tokens;
}

/** Checks that exactly one owner won, with `token`, and returns it. */
function theWinner(tokens: Map<string, number | null>, token: number): string {
  const winners = [...tokens].filter(([, t]) => t !== null);
  assert.equal(winners.length, 1, JSON.stringify([...tokens]));
  assert.equal(winners[0][1], token);
  return winners[0][0];
}

/** The lease `owner` held with `token`, as acquire returned it to that owner. */
function leaseOf(owner: string, token: number): Lease {
  return { name: "jobs", owner, token, ttlMs: 60_000, expiresAt: new Date(0) };
}

Deno.test("SqliteLeaseStore: of 8 processes racing for a new lease, one wins; once it expires, another owner takes it over", async () => {
  await using dir = await tempDir("weir-leases-race-");
  const path = join(dir.path, "leases.db");
  const first = theWinner(await raceInProcesses(path, "jobs", OWNERS), 1);
  const store = SqliteLeaseStore.open(path);
  try {
    assert.equal((await store.current("jobs"))?.owner, first);
    // The processes judge expiry by SQLite's clock: move the lease into the past.
    const db = openSqlite(path);
    try {
      db.prepare("UPDATE weir_leases SET expires_at = expires_at - 120000").run();
    } finally {
      db.close();
    }
    const others = OWNERS.filter((owner) => owner !== first);
    const second = theWinner(await raceInProcesses(path, "jobs", others), 2);
    assert.notEqual(second, first);
    const info = await store.current("jobs");
    assert.equal(info?.owner, second);
    assert.equal(info?.token, 2);
    assert.equal(await store.renew(leaseOf(first, 1)), undefined, "the old winner lost it");
  } finally {
    await store.close();
  }
});

serviceTest(
  "PostgresLeaseStore: of 8 connections racing for a new lease, one wins; once it expires, another owner takes it over",
  "postgres",
  async ({ url }) => {
    const table = `weir_leases_test_${crypto.randomUUID().replaceAll("-", "")}`;
    const clock = new LeaseTestClock();
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    // Opened at once, so the table is created by one of them while the others wait.
    const opening = await Promise.allSettled(
      OWNERS.map(() => PostgresLeaseStore.open(url, { table, max: 1, now: clock.now })),
    );
    const stores = opening.flatMap((o) => o.status === "fulfilled" ? [o.value] : []);
    try {
      for (const o of opening) if (o.status === "rejected") throw o.reason;
      const race = async (owners: readonly string[]) => {
        const leases = await Promise.all(
          owners.map((owner) => stores[OWNERS.indexOf(owner)].acquire("jobs", owner, 60_000)),
        );
        return new Map(leases.map((lease, i) => [owners[i], lease?.token ?? null]));
      };
      const first = theWinner(await race(OWNERS), 1);
      assert.equal((await stores[0].current("jobs"))?.owner, first);
      await clock.advance(60_000);
      assert.equal(await stores[0].current("jobs"), undefined);
      const second = theWinner(await race(OWNERS.filter((owner) => owner !== first)), 2);
      assert.notEqual(second, first);
      const info = await stores[0].current("jobs");
      assert.equal(info?.owner, second);
      assert.equal(info?.token, 2);
      const loser = stores[OWNERS.indexOf(first)];
      assert.equal(await loser.renew(leaseOf(first, 1)), undefined, "the old winner lost it");
      assert.equal(await loser.acquire("jobs", first, 60_000), undefined);
    } finally {
      try {
        for (const store of stores) await store.close();
        await admin`DROP TABLE IF EXISTS ${admin(table)}`;
      } finally {
        await admin.end();
      }
    }
  },
);
