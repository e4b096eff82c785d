/**
 * The lease port's contract, run on SQLite (a temporary file) and PostgreSQL
 * (a table of its own per case), then races between processes (SQLite) and
 * connections (PostgreSQL) for one lease.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import {
  holdLease,
  type Lease,
  LeaseLostError,
  type LeaseStore,
  MAX_LEASE_TTL_MS,
  PostgresLeaseStore,
  SqliteLeaseStore,
} from "../../../lib/leases/mod.ts";
import { openSqlite } from "../../../lib/sqlite/open.ts";
import { type ContractAdapter, contractSuite, runContract } from "../../helpers/contract.ts";
import { requireService, serviceTest } from "../../helpers/services.ts";

/** A lease store under test, with a way around it to the same table. */
interface LeaseFixture {
  /** The store under test. */
  store: LeaseStore;
  /** Opens another store (another connection) on the same table; closed with the fixture. */
  another(): Promise<LeaseStore>;
  /** Moves a lease's expiry one second into the past, directly in the table. */
  expire(name: string): Promise<void>;
}

/** Polls `check` every few milliseconds until it returns true; fails after `timeoutMs`. */
async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 2_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) {
      assert.fail(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Expires `name` and lets `thief` acquire it, again until the holder's renewals stop winning. */
async function steal(fx: LeaseFixture, thief: LeaseStore, name: string): Promise<Lease> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await fx.expire(name);
    const lease = await thief.acquire(name, "thief", 60_000);
    if (lease) return lease;
  }
  return assert.fail(`Could not steal lease "${name}" in 50 attempts`);
}

const suite = contractSuite<LeaseFixture>("LeaseStore", {
  "acquire() of a free lease returns it with token 1, expiring ttl ahead by the database's clock":
    async ({ store }) => {
      const lease = await store.acquire("jobs", "worker-1", 30_000);
      assert.ok(lease);
      const { expiresAt, ...rest } = lease;
      assert.deepEqual(rest, { name: "jobs", owner: "worker-1", token: 1, ttlMs: 30_000 });
      assert.ok(expiresAt instanceof Date);
      const info = await store.current("jobs");
      assert.ok(info);
      assert.equal(info.expiresAt.getTime(), expiresAt.getTime());
      assert.ok(Math.abs(info.expiresAt.getTime() - info.acquiredAt.getTime() - 30_000) <= 1);
      assert.ok(info.remainingMs > 29_000 && info.remainingMs <= 30_000, `${info.remainingMs}`);
    },

  "acquire() by a second owner returns undefined while the lease is live": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 30_000);
    assert.equal(await fx.store.acquire("jobs", "worker-2", 30_000), undefined);
    const other = await fx.another();
    assert.equal(await other.acquire("jobs", "worker-2", 1), undefined);
    const info = await other.current("jobs");
    assert.equal(info?.owner, "worker-1");
    assert.equal(info?.token, lease?.token);
  },

  "acquire() again by the holder renews the lease and keeps its token and acquiredAt": async (
    { store },
  ) => {
    const first = await store.acquire("jobs", "worker-1", 1_000);
    const before = await store.current("jobs");
    const again = await store.acquire("jobs", "worker-1", 60_000);
    assert.equal(again?.token, first?.token);
    assert.equal(again?.ttlMs, 60_000);
    assert.ok(again!.expiresAt.getTime() > first!.expiresAt.getTime());
    const after = await store.current("jobs");
    assert.equal(after?.acquiredAt.getTime(), before?.acquiredAt.getTime());
  },

  "renew() extends the expiry, keeps the token and defaults to the last ttl": async ({ store }) => {
    const lease = await store.acquire("jobs", "worker-1", 1_000);
    const longer = await store.renew(lease!, 60_000);
    assert.equal(longer?.token, lease?.token);
    assert.equal(longer?.ttlMs, 60_000);
    assert.ok(longer!.expiresAt.getTime() > lease!.expiresAt.getTime());
    const again = await store.renew(longer!);
    assert.equal(again?.ttlMs, 60_000);
    assert.ok(again!.expiresAt.getTime() >= longer!.expiresAt.getTime());
    assert.ok((await store.current("jobs"))!.remainingMs > 59_000);
  },

  "release() frees the lease at once and the next holder gets a higher token": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 60_000);
    assert.equal(await fx.store.release(lease!), true);
    assert.equal(await fx.store.current("jobs"), undefined);
    assert.equal(await fx.store.release(lease!), false);
    assert.equal(await fx.store.renew(lease!), undefined);
    const other = await fx.another();
    const next = await other.acquire("jobs", "worker-2", 60_000);
    assert.equal(next?.token, 2);
    // Released and taken again by the first owner: the lease changed hands twice.
    await other.release(next!);
    assert.equal((await fx.store.acquire("jobs", "worker-1", 60_000))?.token, 3);
  },

  "release() of someone else's lease returns false and leaves it held": async ({ store }) => {
    const lease = await store.acquire("jobs", "worker-1", 60_000);
    assert.equal(await store.release({ ...lease!, owner: "worker-2" }), false);
    assert.equal(await store.release({ ...lease!, token: lease!.token + 1 }), false);
    assert.equal(await store.release({ ...lease!, name: "other" }), false);
    assert.equal((await store.current("jobs"))?.owner, "worker-1");
  },

  "an expired lease is taken over with a higher token and the old holder's renew returns undefined":
    async (fx) => {
      const old = await fx.store.acquire("jobs", "worker-1", 50);
      assert.equal(old?.token, 1);
      await until("the 50 ms lease has expired", async () => !await fx.store.current("jobs"));
      const other = await fx.another();
      const taken = await other.acquire("jobs", "worker-2", 60_000);
      assert.equal(taken?.token, 2);
      assert.equal(await fx.store.renew(old!), undefined);
      assert.equal(await fx.store.release(old!), false);
      assert.equal((await fx.store.current("jobs"))?.owner, "worker-2");
      assert.equal((await other.renew(taken!))?.token, 2);
    },

  "renew() of an expired lease that nobody took keeps its token": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 60_000);
    await fx.expire("jobs");
    assert.equal(await fx.store.current("jobs"), undefined);
    const renewed = await fx.store.renew(lease!);
    assert.equal(renewed?.token, lease?.token);
    assert.equal((await fx.store.current("jobs"))?.owner, "worker-1");
  },

  "acquire() by the same owner after its lease expired takes it with a new token": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 60_000);
    await fx.expire("jobs");
    const again = await fx.store.acquire("jobs", "worker-1", 60_000);
    assert.equal(again?.token, lease!.token + 1);
    assert.equal(await fx.store.renew(lease!), undefined);
  },

  "current() reports the live holder and undefined for unknown or released leases": async (
    { store },
  ) => {
    assert.equal(await store.current("never"), undefined);
    const lease = await store.acquire("jobs", "worker-1", 45_000);
    const info = await store.current("jobs");
    assert.ok(info);
    const { acquiredAt, remainingMs, ...rest } = info;
    assert.deepEqual(rest, lease);
    assert.ok(acquiredAt instanceof Date && acquiredAt <= info.expiresAt);
    assert.ok(remainingMs > 0 && remainingMs <= 45_000);
    await store.release(lease!);
    assert.equal(await store.current("jobs"), undefined);
  },

  "leases of different names are independent": async ({ store }) => {
    const a = await store.acquire("partition-0", "worker-1", 60_000);
    const b = await store.acquire("partition-1", "worker-2", 60_000);
    assert.deepEqual([a?.token, b?.token], [1, 1]);
    await store.release(a!);
    assert.equal((await store.current("partition-1"))?.owner, "worker-2");
  },

  "invalid arguments reject with TypeError or RangeError in the house voice": async ({ store }) => {
    await assert.rejects(store.acquire("", "worker-1", 1_000), {
      name: "TypeError",
      message: 'Cannot acquire a lease as its name must be a non-empty string: current value is ""',
    });
    await assert.rejects(store.acquire(42 as unknown as string, "worker-1", 1_000), {
      name: "TypeError",
      message:
        'Cannot acquire a lease as its name must be a non-empty string: current value is "42"',
    });
    await assert.rejects(store.acquire("jobs", "", 1_000), {
      name: "TypeError",
      message:
        'Cannot acquire lease "jobs" as its owner must be a non-empty string: current value is ""',
    });
    for (const ttl of [0, -5, 1.5, MAX_LEASE_TTL_MS + 1, Number.NaN]) {
      await assert.rejects(store.acquire("jobs", "worker-1", ttl), {
        name: "RangeError",
        message:
          `Cannot acquire lease "jobs" as ttlMs must be an integer from 1 to 86400000: current value is "${ttl}"`,
      });
    }
    await assert.rejects(store.acquire("jobs", "worker-1", "100" as unknown as number), {
      name: "TypeError",
      message:
        'Cannot acquire lease "jobs" as ttlMs must be an integer from 1 to 86400000: current value is "100"',
    });
    const lease = await store.acquire("jobs", "worker-1", MAX_LEASE_TTL_MS);
    await assert.rejects(store.renew(lease!, 0), {
      name: "RangeError",
      message:
        'Cannot renew lease "jobs" as ttlMs must be an integer from 1 to 86400000: current value is "0"',
    });
    await assert.rejects(store.renew({ name: "jobs" } as Lease), {
      name: "TypeError",
      message:
        'Cannot renew a lease as it is not one that acquire() returned: current value is "{"name":"jobs"}"',
    });
    await assert.rejects(store.release(null as unknown as Lease), {
      name: "TypeError",
      message:
        'Cannot release a lease as it is not one that acquire() returned: current value is "null"',
    });
    await assert.rejects(store.current(""), {
      name: "TypeError",
      message: 'Cannot read a lease as its name must be a non-empty string: current value is ""',
    });
    // Nothing was changed by the rejected calls.
    assert.equal((await store.current("jobs"))?.token, 1);
  },

  "a closed store rejects every call": async (fx) => {
    const other = await fx.another();
    const lease = await other.acquire("jobs", "worker-1", 60_000);
    await other.close();
    await other.close();
    const closed = { message: 'Cannot acquire lease "jobs" as the lease store is closed' };
    await assert.rejects(other.acquire("jobs", "worker-1", 1_000), closed);
    await assert.rejects(other.renew(lease!), { message: /^Cannot renew lease "jobs" as/ });
    await assert.rejects(other.release(lease!), { message: /^Cannot release lease "jobs" as/ });
    await assert.rejects(other.current("jobs"), { message: /^Cannot read lease "jobs" as/ });
    assert.equal((await fx.store.current("jobs"))?.owner, "worker-1");
  },

  "holdLease() keeps the lease alive past several ttls while held": async (fx) => {
    const ttl = 100;
    const held = await holdLease(fx.store, "jobs", "holder", ttl);
    assert.ok(held);
    try {
      const other = await fx.another();
      const start = performance.now();
      const first = held.lease;
      // Renewals every ttl / 3 keep every other owner out for 3.5 ttls.
      while (performance.now() - start < 3.5 * ttl) {
        assert.equal(await other.acquire("jobs", "other", 60_000), undefined);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(held.lease.token, first.token);
      assert.ok(held.lease.expiresAt > first.expiresAt, "the lease was never renewed");
      assert.equal(held.signal.aborted, false);
      assert.equal((await other.current("jobs"))?.owner, "holder");
    } finally {
      assert.equal(await held.release(), true);
    }
    assert.equal(await fx.store.current("jobs"), undefined);
    assert.equal(await held.release(), true); // the same answer again, without a second release
  },

  "holdLease() stops renewing when its signal aborts, without releasing": async (fx) => {
    const controller = new AbortController();
    const held = await holdLease(fx.store, "jobs", "holder", 60, { signal: controller.signal });
    assert.ok(held);
    try {
      controller.abort();
      assert.equal((await fx.store.current("jobs"))?.owner, "holder");
      await until("the unrenewed lease has expired", async () => !await fx.store.current("jobs"));
      const other = await fx.another();
      assert.equal((await other.acquire("jobs", "other", 60_000))?.token, held.lease.token + 1);
      assert.equal(held.signal.aborted, false, "an abort is not a loss");
    } finally {
      assert.equal(await held.release(), false);
    }
  },

  "holdLease() calls onLost and aborts its signal when another owner takes the expired lease":
    async (fx) => {
      const { promise: lost, resolve } = Promise.withResolvers<LeaseLostError>();
      const held = await holdLease(fx.store, "jobs", "holder", 90, { onLost: resolve });
      assert.ok(held);
      try {
        const thief = await fx.another();
        const stolen = await steal(fx, thief, "jobs");
        // The renewal timer does not keep the process alive: poll while it runs.
        await until("the holder noticed the loss", () => held.signal.aborted);
        const error = await lost;
        assert.ok(error instanceof LeaseLostError);
        assert.equal(error.code, "lease_lost");
        assert.equal(error.lease.owner, "holder");
        assert.equal(
          error.message,
          `Cannot keep lease "jobs" as another owner took it over after it expired (token ${error.lease.token})`,
        );
        assert.ok(stolen.token > error.lease.token);
        assert.equal(held.signal.aborted, true);
        assert.equal(held.signal.reason, error);
        assert.equal((await fx.store.current("jobs"))?.owner, "thief");
      } finally {
        assert.equal(await held.release(), false);
      }
      assert.equal((await fx.store.current("jobs"))?.owner, "thief");
    },

  "holdLease() returns undefined when another owner holds the lease": async (fx) => {
    await fx.store.acquire("jobs", "other", 60_000);
    assert.equal(await holdLease(fx.store, "jobs", "holder", 60_000), undefined);
  },

  "holdLease() with an aborted signal throws its reason and acquires nothing": async (fx) => {
    const reason = new Error("stopping");
    await assert.rejects(
      holdLease(fx.store, "jobs", "holder", 60_000, { signal: AbortSignal.abort(reason) }),
      (err) => err === reason,
    );
    assert.equal(await fx.store.current("jobs"), undefined);
  },
});

/** Runs `fn` on a new temporary folder, removed afterwards. */
async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const sqliteAdapter: ContractAdapter<LeaseFixture> = {
  name: "sqlite",
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "weir-leases-" });
    const path = join(dir, "leases.db");
    const stores = [SqliteLeaseStore.open(path)];
    const raw = openSqlite(path);
    const expire = raw.prepare(
      "UPDATE weir_leases SET expires_at = CAST(round(unixepoch('subsec') * 1000) AS INTEGER) - 1000 WHERE name = ?",
    );
    return {
      adapter: {
        store: stores[0],
        another: () => {
          stores.push(SqliteLeaseStore.open(path));
          return Promise.resolve(stores.at(-1)!);
        },
        expire: (name) => {
          expire.run(name);
          return Promise.resolve();
        },
      },
      async close() {
        for (const store of stores) await store.close();
        raw.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
};

const pg = requireService("postgres");
type Sql = ReturnType<typeof postgres>;

/** A table name no other test uses. */
function uniqueTable(): string {
  return `weir_leases_test_${crypto.randomUUID().replaceAll("-", "")}`;
}

const postgresAdapter: ContractAdapter<LeaseFixture> = {
  name: "postgres",
  ...(pg.available ? {} : { skip: pg.reason }),
  async open() {
    if (!pg.available) throw new Error(pg.reason);
    const { url } = pg.settings;
    const table = uniqueTable();
    const stores = [await PostgresLeaseStore.open(url, { table, max: 2 })];
    const admin: Sql = postgres(url, { max: 1, onnotice: () => {} });
    return {
      adapter: {
        store: stores[0],
        async another() {
          stores.push(await PostgresLeaseStore.open(url, { table, max: 1 }));
          return stores.at(-1)!;
        },
        async expire(name) {
          await admin`UPDATE ${
            admin(table)
          } SET expires_at = clock_timestamp() - interval '1 second'
            WHERE name = ${name}`;
        },
      },
      async close() {
        try {
          for (const store of stores) await store.close();
          await admin`DROP TABLE IF EXISTS ${admin(table)}`;
        } finally {
          await admin.end();
        }
      },
    };
  },
};

runContract(suite, [sqliteAdapter, postgresAdapter]);

const WORKER = fileURLToPath(new URL("../../fixtures/lease_worker.ts", import.meta.url));
const RACERS = 8;

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
 * Starts {@linkcode RACERS} processes that each open the database at `path`,
 * waits until all have it open, then lets them acquire lease `name` at once;
 * returns each owner's token (`null` when it lost).
 */
async function raceInProcesses(path: string, name: string): Promise<Map<string, number | null>> {
  const children = Array.from({ length: RACERS }, (_, i) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-read",
        "--allow-write",
        WORKER,
        path,
        name,
        `racer-${i}`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  const stderr = children.map((child) => new Response(child.stderr).text());
  const stdout = children.map((child) => lines(child.stdout));
  const ready = await Promise.all(stdout.map((out) => out.next()));
  assert.deepEqual(ready.map((r) => r.value), Array(RACERS).fill("ready"));
  // Closing stdin is the starting signal: every racer has the database open.
  await Promise.all(children.map((child) => child.stdin.close()));
  const rest = await Promise.all(stdout.map((out) => Array.fromAsync(out)));
  const statuses = await Promise.all(children.map((child) => child.status));
  const errors = await Promise.all(stderr);
  const tokens = new Map<string, number | null>();
  statuses.forEach((status, i) => {
    assert.equal(status.code, 0, `racer ${i} failed: ${errors[i]}`);
    assert.equal(rest[i].length, 1, `racer ${i} wrote ${JSON.stringify(rest[i])}`);
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

Deno.test("SqliteLeaseStore: of 8 processes racing for a new lease on one file, exactly one wins", async () => {
  await withTempDir("weir-leases-race-", async (dir) => {
    const path = join(dir, "leases.db");
    const tokens = await raceInProcesses(path, "jobs");
    const winner = theWinner(tokens, 1);
    const store = SqliteLeaseStore.open(path);
    try {
      assert.equal((await store.current("jobs"))?.owner, winner);
    } finally {
      await store.close();
    }
  });
});

Deno.test("SqliteLeaseStore: of 8 processes racing for an expired lease, exactly one takes it over", async () => {
  await withTempDir("weir-leases-race-", async (dir) => {
    const path = join(dir, "leases.db");
    const store = SqliteLeaseStore.open(path);
    try {
      const old = await store.acquire("jobs", "old", 60_000);
      const db = openSqlite(path);
      db.prepare("UPDATE weir_leases SET expires_at = expires_at - 120000").run();
      db.close();
      const winner = theWinner(await raceInProcesses(path, "jobs"), 2);
      assert.equal((await store.current("jobs"))?.owner, winner);
      assert.equal(await store.renew(old!), undefined);
    } finally {
      await store.close();
    }
  });
});

serviceTest(
  "PostgresLeaseStore: of 8 connections racing for a lease, new or expired, exactly one wins",
  "postgres",
  async ({ url }) => {
    const table = uniqueTable();
    // Opened at once, so the table is created by one of them while the others wait.
    const stores = await Promise.all(
      Array.from({ length: RACERS }, () => PostgresLeaseStore.open(url, { table, max: 1 })),
    );
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const race = async () => {
        const leases = await Promise.all(
          stores.map((s, i) => s.acquire("jobs", `racer-${i}`, 60_000)),
        );
        return new Map(leases.map((lease, i) => [`racer-${i}`, lease?.token ?? null]));
      };
      const first = theWinner(await race(), 1);
      assert.equal((await stores[0].current("jobs"))?.owner, first);
      await admin`UPDATE ${admin(table)} SET expires_at = clock_timestamp() - interval '1 second'`;
      const second = theWinner(await race(), 2);
      assert.equal((await stores[0].current("jobs"))?.owner, second);
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
