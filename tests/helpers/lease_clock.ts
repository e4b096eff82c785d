/**
 * A test clock for lease stores: the `now` a store is given reads it, and a
 * test moves it forward instead of waiting. While fake timers are installed
 * (for `holdLease`, whose renewals run on `setTimeout`), the clock follows
 * them, so a renewal fires at the same fake time the store judges it by.
 *
 * @module
 */
import FakeTimers from "@sinonjs/fake-timers";

/** An arbitrary start, far from the real time, so that nothing reads the real clock unnoticed. */
const START = Date.UTC(2030, 0, 1);

/** Which timers a lease test fakes: what `holdLease` uses, nothing a database client needs. */
const FAKED = ["setTimeout", "clearTimeout", "performance"] as const;

/**
 * A clock that lease stores read through their `now` option.
 *
 * @example Move a store's time forward
 * ```ts
 * import { LeaseTestClock } from "./lease_clock.ts";
 * import { SqliteLeaseStore } from "../../lib/leases/sqlite.ts";
 * import assert from "node:assert/strict";
 * const clock = new LeaseTestClock();
 * const store = SqliteLeaseStore.open(":memory:", { now: clock.now });
 * await store.acquire("jobs", "a", 1_000);
 * await clock.advance(1_000);
 * assert.equal(await store.current("jobs"), undefined);
 * await store.close();
 * ```
 */
export class LeaseTestClock {
  #ms = START;
  #timers: ReturnType<typeof FakeTimers.install> | undefined;

  /** The time in milliseconds since the epoch; pass it as a store's `now`. */
  readonly now = (): number => this.#timers?.now ?? this.#ms;

  /**
   * Moves time forward by `ms`, firing the fake timers that fall due on the
   * way (and awaiting what they start synchronously) when they are installed.
   *
   * @param ms How far, in milliseconds.
   */
  async advance(ms: number): Promise<void> {
    if (this.#timers) await this.#timers.tickAsync(ms);
    else this.#ms += ms;
  }

  /**
   * Moves time forward by `ms` without firing timers, which stay due the same
   * time from now: a process that stalled (a pause, a slow disk) while time went on.
   *
   * @param ms How far, in milliseconds.
   */
  jump(ms: number): void {
    if (this.#timers) this.#timers.setSystemTime(this.#timers.now + ms);
    else this.#ms += ms;
  }

  /**
   * Installs fake `setTimeout`, `clearTimeout` and `performance` at this
   * clock's time; disposing of the result uninstalls them and keeps the time.
   *
   * @returns What uninstalls them, for `using`.
   */
  fakeTimers(): Disposable {
    if (this.#timers) throw new Error("Cannot fake the timers as they are already fake");
    const timers = FakeTimers.install({ now: this.#ms, toFake: [...FAKED] });
    this.#timers = timers;
    return {
      [Symbol.dispose]: () => {
        this.#ms = timers.now;
        this.#timers = undefined;
        timers.uninstall();
      },
    };
  }
}
