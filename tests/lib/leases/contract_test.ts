/**
 * The lease port's contract, run on SQLite (a temporary file) and PostgreSQL
 * (a table of its own per case). Every store reads an injected clock
 * ({@linkcode LeaseTestClock}) that the cases move forward instead of waiting
 * for expiry; `holdLease`'s renewal timer runs on fake timers that follow it.
 * Races between processes and connections are in `race_test.ts`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import {
  holdLease,
  type Lease,
  type LeaseClock,
  LeaseLostError,
  type LeaseStore,
  MAX_LEASE_TTL_MS,
  PostgresLeaseStore,
  SqliteLeaseStore,
} from "../../../lib/leases/mod.ts";
import { type ContractAdapter, contractSuite, runContract } from "../../helpers/contract.ts";
import { LeaseTestClock } from "../../helpers/lease_clock.ts";
import { requireService } from "../../helpers/services.ts";

/** A lease store under test, its clock, and a way to open more stores on the same table. */
interface LeaseFixture {
  /** The store under test. */
  store: LeaseStore;
  /** The clock every store of the fixture reads. */
  clock: LeaseTestClock;
  /** Opens another store (another connection) on the same table and clock; closed with the fixture. */
  another(): Promise<LeaseStore>;
  /**
   * Installs fake timers (see {@linkcode LeaseTestClock.fakeTimers}) once
   * every store's connection is open, so no client timer becomes fake.
   */
  fakeTimers(): Promise<Disposable>;
}

/** A store that counts its renewals and lets a test wait for those in flight. */
class TrackedStore implements LeaseStore {
  renewals = 0;
  readonly #store: LeaseStore;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(store: LeaseStore) {
    this.#store = store;
  }

  /** Waits until no call is in flight. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  acquire(name: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    return this.#track(this.#store.acquire(name, owner, ttlMs));
  }

  renew(lease: Lease, ttlMs?: number): Promise<Lease | undefined> {
    this.renewals++;
    return this.#track(this.#store.renew(lease, ttlMs));
  }

  release(lease: Lease): Promise<boolean> {
    return this.#track(this.#store.release(lease));
  }

  current(name: string) {
    return this.#store.current(name);
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const done = () => this.#pending.delete(promise);
    promise.then(done, done);
    return promise;
  }
}

const suite = contractSuite<LeaseFixture>("LeaseStore", {
  "acquire() of a free lease returns it with token 1, expiring ttl ahead by the store's clock":
    async ({ store, clock }) => {
      const now = clock.now();
      const lease = await store.acquire("jobs", "worker-1", 30_000);
      assert.deepEqual(lease, {
        name: "jobs",
        owner: "worker-1",
        token: 1,
        ttlMs: 30_000,
        expiresAt: new Date(now + 30_000),
      });
      const info = await store.current("jobs");
      assert.ok(info);
      assert.equal(info.acquiredAt.getTime(), now);
      assert.equal(info.expiresAt.getTime(), now + 30_000);
      assert.equal(info.remainingMs, 30_000);
    },

  "acquire() by a second owner returns undefined while the lease is live": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 30_000);
    assert.equal(await fx.store.acquire("jobs", "worker-2", 30_000), undefined);
    const other = await fx.another();
    await fx.clock.advance(29_999);
    assert.equal(await other.acquire("jobs", "worker-2", 1), undefined);
    const info = await other.current("jobs");
    assert.equal(info?.owner, "worker-1");
    assert.equal(info?.token, lease?.token);
    assert.equal(info?.remainingMs, 1);
  },

  "acquire() again by the holder renews the lease and keeps its token and acquiredAt": async (
    { store, clock },
  ) => {
    const start = clock.now();
    const first = await store.acquire("jobs", "worker-1", 1_000);
    await clock.advance(500);
    const again = await store.acquire("jobs", "worker-1", 60_000);
    assert.equal(again?.token, first?.token);
    assert.equal(again?.ttlMs, 60_000);
    assert.equal(again?.expiresAt.getTime(), start + 500 + 60_000);
    const after = await store.current("jobs");
    assert.equal(after?.acquiredAt.getTime(), start);
  },

  "renew() extends the expiry, keeps the token and defaults to the last ttl": async (
    { store, clock },
  ) => {
    const lease = await store.acquire("jobs", "worker-1", 1_000);
    await clock.advance(900);
    const longer = await store.renew(lease!, 60_000);
    assert.equal(longer?.token, lease?.token);
    assert.equal(longer?.ttlMs, 60_000);
    assert.equal(longer?.expiresAt.getTime(), clock.now() + 60_000);
    await clock.advance(30_000);
    const again = await store.renew(longer!);
    assert.equal(again?.ttlMs, 60_000);
    assert.equal(again?.expiresAt.getTime(), clock.now() + 60_000);
    assert.equal((await store.current("jobs"))?.remainingMs, 60_000);
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

  "an expired lease is taken over by another owner with a higher token; the old holder's renew returns undefined":
    async (fx) => {
      const old = await fx.store.acquire("jobs", "worker-1", 50);
      assert.equal(old?.token, 1);
      const other = await fx.another();
      await fx.clock.advance(49);
      assert.equal(await other.acquire("jobs", "worker-2", 60_000), undefined, "still live");
      await fx.clock.advance(1);
      assert.equal(await fx.store.current("jobs"), undefined, "expired at its expiresAt");
      const taken = await other.acquire("jobs", "worker-2", 60_000);
      assert.equal(taken?.owner, "worker-2");
      assert.equal(taken?.token, 2);
      assert.equal(await fx.store.renew(old!), undefined);
      assert.equal(await fx.store.release(old!), false);
      assert.equal(await fx.store.acquire("jobs", "worker-1", 60_000), undefined);
      assert.equal((await fx.store.current("jobs"))?.owner, "worker-2");
      assert.equal((await other.renew(taken!))?.token, 2);
    },

  "renew() of an expired lease that nobody took keeps its token": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 60_000);
    await fx.clock.advance(61_000);
    assert.equal(await fx.store.current("jobs"), undefined);
    const renewed = await fx.store.renew(lease!);
    assert.equal(renewed?.token, lease?.token);
    assert.equal(renewed?.expiresAt.getTime(), fx.clock.now() + 60_000);
    assert.equal((await fx.store.current("jobs"))?.owner, "worker-1");
  },

  "acquire() by the same owner after its lease expired takes it with a new token": async (fx) => {
    const lease = await fx.store.acquire("jobs", "worker-1", 60_000);
    await fx.clock.advance(60_000);
    const again = await fx.store.acquire("jobs", "worker-1", 60_000);
    assert.equal(again?.token, lease!.token + 1);
    assert.equal(await fx.store.renew(lease!), undefined);
  },

  "current() reports the live holder and undefined for unknown or released leases": async (
    { store, clock },
  ) => {
    assert.equal(await store.current("never"), undefined);
    const start = clock.now();
    const lease = await store.acquire("jobs", "worker-1", 45_000);
    await clock.advance(15_000);
    const info = await store.current("jobs");
    assert.ok(info);
    const { acquiredAt, remainingMs, ...rest } = info;
    assert.deepEqual(rest, lease);
    assert.equal(acquiredAt.getTime(), start);
    assert.equal(remainingMs, 30_000);
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
    const ttl = 300;
    const other = await fx.another();
    const tracked = new TrackedStore(fx.store);
    using _timers = await fx.fakeTimers();
    const held = await holdLease(tracked, "jobs", "holder", ttl);
    assert.ok(held);
    try {
      const first = held.lease;
      // Renewals every ttl / 3 keep every other owner out for 10 beats (3.3 ttls).
      for (let beat = 1; beat <= 10; beat++) {
        await fx.clock.advance(ttl / 3);
        await tracked.idle();
        assert.equal(tracked.renewals, beat);
        assert.equal(await other.acquire("jobs", "other", 60_000), undefined, `beat ${beat}`);
      }
      assert.equal(held.lease.token, first.token);
      assert.equal(held.lease.expiresAt.getTime(), fx.clock.now() + ttl);
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
    const other = await fx.another();
    const tracked = new TrackedStore(fx.store);
    using _timers = await fx.fakeTimers();
    const held = await holdLease(tracked, "jobs", "holder", 60, { signal: controller.signal });
    assert.ok(held);
    try {
      controller.abort();
      assert.equal((await fx.store.current("jobs"))?.owner, "holder");
      await fx.clock.advance(60);
      await tracked.idle();
      assert.equal(tracked.renewals, 0);
      assert.equal(await fx.store.current("jobs"), undefined);
      assert.equal((await other.acquire("jobs", "other", 60_000))?.token, held.lease.token + 1);
      assert.equal(held.signal.aborted, false, "an abort is not a loss");
    } finally {
      assert.equal(await held.release(), false);
    }
  },

  "holdLease() calls onLost and aborts its signal when another owner takes the expired lease":
    async (fx) => {
      const { promise: lost, resolve } = Promise.withResolvers<LeaseLostError>();
      const thief = await fx.another();
      const tracked = new TrackedStore(fx.store);
      using _timers = await fx.fakeTimers();
      const held = await holdLease(tracked, "jobs", "holder", 90, { onLost: resolve });
      assert.ok(held);
      try {
        // The holder stalls past its ttl before its first renewal is due.
        fx.clock.jump(90);
        const stolen = await thief.acquire("jobs", "thief", 60_000);
        assert.equal(stolen?.token, held.lease.token + 1);
        await fx.clock.advance(30);
        await tracked.idle();
        assert.equal(tracked.renewals, 1);
        const error = await lost;
        assert.ok(error instanceof LeaseLostError);
        assert.equal(error.code, "lease_lost");
        assert.equal(error.lease.owner, "holder");
        assert.equal(
          error.message,
          `Cannot keep lease "jobs" as another owner took it over after it expired (token ${error.lease.token})`,
        );
        assert.equal(held.signal.aborted, true);
        assert.equal(held.signal.reason, error);
        await fx.clock.advance(300);
        await tracked.idle();
        assert.equal(tracked.renewals, 1, "no renewal after the loss");
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

/** Installs fake timers once every store has answered, so their connections are open. */
async function fakeTimersAfter(clock: LeaseTestClock, stores: LeaseStore[]): Promise<Disposable> {
  for (const store of stores) await store.current("warm-up");
  return clock.fakeTimers();
}

const sqliteAdapter: ContractAdapter<LeaseFixture> = {
  name: "sqlite",
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "weir-leases-" });
    const path = join(dir, "leases.db");
    const clock = new LeaseTestClock();
    const stores: LeaseStore[] = [];
    const open = (now: LeaseClock) => {
      stores.push(SqliteLeaseStore.open(path, { now }));
      return stores.at(-1)!;
    };
    try {
      return {
        adapter: {
          store: open(clock.now),
          clock,
          another: () => Promise.resolve(open(clock.now)),
          fakeTimers: () => fakeTimersAfter(clock, stores),
        },
        async close() {
          try {
            for (const store of stores) await store.close();
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        },
      };
    } catch (err) {
      await Deno.remove(dir, { recursive: true });
      throw err;
    }
  },
};

const pg = requireService("postgres");

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
    const clock = new LeaseTestClock();
    const stores: LeaseStore[] = [];
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const close = async () => {
      try {
        for (const store of stores) await store.close();
        await admin`DROP TABLE IF EXISTS ${admin(table)}`;
      } finally {
        await admin.end();
      }
    };
    // One connection per store: all open before fake timers are installed.
    const open = async () => {
      stores.push(await PostgresLeaseStore.open(url, { table, max: 1, now: clock.now }));
      return stores.at(-1)!;
    };
    try {
      return {
        adapter: {
          store: await open(),
          clock,
          another: open,
          fakeTimers: () => fakeTimersAfter(clock, stores),
        },
        close,
      };
    } catch (err) {
      await close();
      throw err;
    }
  },
};

runContract(suite, [sqliteAdapter, postgresAdapter]);
