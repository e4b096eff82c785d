/**
 * Which partitions an instance works on, per mode. `none` takes every
 * record; `static` takes `partition == instance-id`; `lease` holds
 * partitions as leases from `lib/leases` (renewed in the background), asks
 * for its fair share of the partitions that still have work
 * (`ceil(open / live instances)`, live = a heartbeat younger than the ttl),
 * gives back what is above its share when instances join, and takes over
 * the expired leases of instances whose heartbeat stopped.
 *
 * @module
 */
import { delay } from "../../lib/async/delay.ts";
import { type HeldLease, holdLease, type LeaseStore } from "../../lib/leases/mod.ts";
import type { Logger } from "../../kernel/report/logger.ts";
import { type PartitionBy, partitionOf } from "./rule.ts";
import type { Fence, PartitionStore } from "./store.ts";

/** Decides the partitions an instance takes next. */
export interface Coordinator {
  /** The partitions to claim from now, or `null` for every record. */
  mine(): Promise<readonly number[] | null>;
  /** Whether the record's partition is still this instance's. */
  holds(appId: number): boolean;
  /** The lease the record's partition is held under (lease mode), for the commit to check. */
  fence(appId: number): Fence | undefined;
  /**
   * Called when a claim over `mine()` found nothing.
   *
   * @returns `true` when the instance is done; `false` to claim again.
   */
  idle(): Promise<boolean>;
  /** Releases what is held. */
  close(): Promise<void>;
}

/**
 * The coordinator of `none` (`mine` is `null`) and `static` (`mine` is the
 * instance's own partition): done when a claim finds nothing.
 *
 * @param mine The partitions, or `null`.
 * @returns The coordinator.
 *
 * @example
 * ```ts
 * import { fixedCoordinator } from "./coordinator.ts";
 * import assert from "node:assert/strict";
 * const c = fixedCoordinator([1]);
 * assert.deepEqual(await c.mine(), [1]);
 * assert.equal(await c.idle(), true);
 * ```
 */
export function fixedCoordinator(mine: readonly number[] | null): Coordinator {
  return {
    mine: () => Promise.resolve(mine),
    holds: () => true,
    fence: () => undefined,
    idle: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}

/** Settings of {@linkcode LeaseCoordinator}. */
export interface LeaseSettings {
  /** Partition rule. */
  by: PartitionBy;
  /** How many partitions (more than instances). */
  partitions: number;
  /** This instance's session id (its heartbeat row). */
  sessionId: string;
  /** The lease owner name (`host:pid:instance`). */
  owner: string;
  /** Lease and heartbeat ttl, in milliseconds. */
  ttlMs: number;
  /** How long to wait before claiming again when others hold all open partitions. */
  pollMs: number;
  /** Stops waiting. */
  signal: AbortSignal;
}

/** Lease mode: partitions held as leases, shared fairly among live instances. */
export class LeaseCoordinator implements Coordinator {
  readonly #store: PartitionStore;
  readonly #leases: LeaseStore;
  readonly #s: LeaseSettings;
  readonly #log: Logger;
  readonly #held = new Map<number, HeldLease>();
  readonly #timer: ReturnType<typeof setInterval>;
  #rebalancedAt = -Infinity;
  /** The rebalance in flight: the batch loop's and the timer's never overlap. */
  #busy: Promise<void> | undefined;

  /**
   * Creates the coordinator.
   *
   * @param store The partition store (heartbeats, remaining work).
   * @param leases The lease store.
   * @param settings Rule, partitions, names, ttl.
   * @param log Where rebalancing is logged.
   */
  constructor(store: PartitionStore, leases: LeaseStore, settings: LeaseSettings, log: Logger) {
    this.#store = store;
    this.#leases = leases;
    this.#s = settings;
    this.#log = log;
    // Between batches the loop rebalances; meanwhile a timer takes free and expired leases up
    // to the share, so a dead instance's partitions are taken over without waiting for a batch.
    this.#timer = setInterval(() => {
      if (this.#busy === undefined) this.#run(false).catch((err) => log.warn(`rebalance: ${err}`));
    }, this.#everyMs);
    Deno.unrefTimer(this.#timer);
  }

  /** How often the share is recomputed: a quarter of the ttl, at most every 250 ms. */
  get #everyMs(): number {
    return Math.max(10, Math.min(250, Math.floor(this.#s.ttlMs / 4)));
  }

  /** Runs one rebalance at a time. */
  async #run(mayGiveBack: boolean): Promise<void> {
    while (this.#busy) await this.#busy;
    this.#busy = this.#rebalance(mayGiveBack).finally(() => this.#busy = undefined);
    await this.#busy;
  }

  async mine(): Promise<readonly number[]> {
    for (const [k, held] of this.#held) {
      if (held.signal.aborted) {
        this.#held.delete(k);
        this.#log.warn(`lost partition ${k}: its lease expired and another instance took it`);
      }
    }
    if (performance.now() - this.#rebalancedAt >= this.#everyMs) await this.#run(true);
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  holds(appId: number): boolean {
    const held = this.#held.get(partitionOf(this.#s.by, appId, this.#s.partitions));
    return held !== undefined && !held.signal.aborted;
  }

  fence(appId: number): Fence | undefined {
    const held = this.#held.get(partitionOf(this.#s.by, appId, this.#s.partitions));
    if (held === undefined) return undefined;
    const { name, owner, token } = held.lease;
    return { name, owner, token };
  }

  async idle(): Promise<boolean> {
    this.#rebalancedAt = -Infinity; // rebalance before the next claim
    const remaining = await this.#store.remaining(this.#s.by, this.#s.partitions);
    if (remaining.size === 0) return true;
    // Open partitions exist; when none is ours, another live instance holds them: wait.
    if (![...this.#held.keys()].some((k) => remaining.has(k))) {
      await delay(this.#s.pollMs, this.#s.signal).catch(() => {});
    }
    return false;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#busy) await this.#busy;
    for (const [k, held] of this.#held) {
      await held.release().catch(() => false);
      this.#held.delete(k);
    }
  }

  /**
   * Recomputes the share; gives back what is above it only when `mayGiveBack`
   * (between batches, when no record is in flight).
   */
  async #rebalance(mayGiveBack: boolean): Promise<void> {
    if (mayGiveBack) this.#rebalancedAt = performance.now();
    const { partitions, sessionId, owner, ttlMs } = this.#s;
    const live = await this.#store.liveSessions(ttlMs);
    const remaining = await this.#store.remaining(this.#s.by, partitions);
    for (const [k, held] of this.#held) {
      if (!remaining.has(k)) { // finished: give it back
        this.#held.delete(k);
        await held.release();
      }
    }
    const open = [...remaining.keys()].sort((a, b) => a - b);
    const share = Math.ceil(open.length / Math.max(1, live.length));
    for (const k of [...this.#held.keys()].sort((a, b) => b - a)) {
      if (!mayGiveBack || this.#held.size <= share) break;
      await this.#held.get(k)!.release();
      this.#held.delete(k);
      this.#log.info(`rebalance: gave back partition ${k}`, { share, live: live.length });
    }
    // Start at a different place per instance, so that instances rarely race for one lease.
    const rank = Math.max(0, live.indexOf(sessionId));
    const start = open.length === 0 ? 0 : Math.floor(rank * open.length / Math.max(1, live.length));
    for (let i = 0; i < open.length && this.#held.size < share; i++) {
      const k = open[(start + i) % open.length];
      if (this.#held.has(k)) continue;
      const held = await holdLease(this.#leases, `partition-${k}`, owner, ttlMs);
      if (!held) continue;
      this.#held.set(k, held);
      this.#log.info(`took partition ${k}`, { share, live: live.length, token: held.lease.token });
    }
  }
}
