/**
 * One instance run's session row: started with its first heartbeat, beaten
 * every third of the ttl (with its counts) while the instance works, and
 * closed with how the run ended. Lease mode counts an instance as live while
 * its heartbeat is younger than the ttl.
 *
 * @module
 */
import type { Logger } from "../../kernel/report/logger.ts";
import type { PartitionStore, SessionCounts, SessionStart } from "./store.ts";

/** A running session with its heartbeat timer. */
export class InstanceSession {
  readonly #store: PartitionStore;
  readonly #id: string;
  readonly #timer: ReturnType<typeof setInterval>;
  #counts: SessionCounts = { processed: 0, failed: 0, duplicates: 0 };
  #beating: Promise<void> | undefined;

  private constructor(store: PartitionStore, id: string, everyMs: number, log: Logger) {
    this.#store = store;
    this.#id = id;
    this.#timer = setInterval(() => {
      if (this.#beating) return;
      this.#beating = store.beat(id, this.#counts)
        .catch((err) => log.warn(`heartbeat failed: ${err}`))
        .finally(() => this.#beating = undefined);
    }, everyMs);
    Deno.unrefTimer(this.#timer);
  }

  /**
   * Records the session's start and starts its heartbeat.
   *
   * @param store The store.
   * @param s The session.
   * @param ttlMs The heartbeat ttl; it beats every third of it.
   * @param log Where a failed heartbeat is reported.
   * @returns The running session.
   */
  static async start(
    store: PartitionStore,
    s: SessionStart,
    ttlMs: number,
    log: Logger,
  ): Promise<InstanceSession> {
    await store.startSession(s);
    return new InstanceSession(store, s.sessionId, Math.max(100, Math.floor(ttlMs / 3)), log);
  }

  /** The counts the next heartbeat saves. */
  set counts(c: SessionCounts) {
    this.#counts = { processed: c.processed, failed: c.failed, duplicates: c.duplicates };
  }

  /**
   * Stops the heartbeat and records how the run ended (best effort: the
   * database may be what failed).
   *
   * @param status `finished`, `interrupted` or `failed`.
   */
  async end(status: "finished" | "interrupted" | "failed"): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    await this.#store.beat(this.#id, this.#counts, status).catch(() => {});
  }
}
