/**
 * One writer per database: a sync holds a process lock beside its database
 * (`<db>.writer`, see `lib/sqlite/process_lock.ts`) for as long as it runs,
 * with a note (`<db>.writer.json`) naming its run and process. A second
 * sync of the same database waits for the lock (`--wait`, up to a time
 * limit) or stops at once with exit 2 naming the holder; it never starts
 * the work, so it neither redoes it nor reports itself as resumed. The
 * operating system drops the lock when the holder dies, kill -9 included.
 *
 * @module
 */
import { WeirError } from "../../lib/errors.ts";
import { delay } from "../../lib/async/delay.ts";
import { type HeldProcessLock, holdProcessLock } from "../../lib/sqlite/process_lock.ts";

/** Who holds a database. */
export interface Writer {
  /** The sync's run id. */
  run_id: string;
  /** Its process id. */
  pid: number;
  /** When it took the lock (ISO 8601). */
  since: string;
}

/**
 * Another sync writes the database. Exit code 2: the run was not started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseBusyError } from "./writer_lock.ts";
 * const err = new DatabaseBusyError("/h/o.db", { run_id: "r1", pid: 42, since: "2026-01-01T00:00:00.000Z" }, 0);
 * assert.equal(err.exitCode, 2);
 * assert.match(err.message, /run "r1" \(process 42\)/);
 * ```
 */
export class DatabaseBusyError extends WeirError {
  /** The holder, when its note could be read. */
  readonly holder: Writer | undefined;

  /**
   * Creates the error.
   *
   * @param db The database.
   * @param holder Who holds it, when known.
   * @param waitedMs How long this run waited (0 without `--wait`).
   */
  constructor(db: string, holder: Writer | undefined, waitedMs: number) {
    const who = holder
      ? `run "${holder.run_id}" (process ${holder.pid}) has held it since ${holder.since}`
      : "a process holds it";
    const what = waitedMs > 0
      ? `another sync kept writing it for longer than the ${waitedMs} ms waited`
      : "another sync is writing it";
    const hint = waitedMs > 0 ? "" : "; pass --wait to wait for it";
    super(
      `Cannot sync into "${db}" as ${what}: ${who}${hint}`,
      "database_busy",
      2,
    );
    this.name = "DatabaseBusyError";
    this.holder = holder;
  }
}

/** A held writer lock; releasing it removes the note and the lock file. */
export interface WriterLock {
  /** Lets the next writer in. A second call does nothing. */
  release(): void;
}

/**
 * Takes the writer lock of a database.
 *
 * @param db The database file.
 * @param me This run's id.
 * @param options `waitMs`: how long to wait for a holder (0: not at all);
 * `signal` stops the wait.
 * @returns The held lock.
 * @throws {DatabaseBusyError} When another process holds it past the wait.
 *
 * @example The second taker is refused, naming the first
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseBusyError, takeWriterLock } from "./writer_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const first = await takeWriterLock(`${dir}/o.db`, "r1");
 * await assert.rejects(takeWriterLock(`${dir}/o.db`, "r2"), DatabaseBusyError);
 * first.release();
 * (await takeWriterLock(`${dir}/o.db`, "r2")).release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function takeWriterLock(
  db: string,
  me: string,
  options: { waitMs?: number; signal?: AbortSignal } = {},
): Promise<WriterLock> {
  const { waitMs = 0, signal } = options;
  const note = `${db}.writer.json`;
  const started = Date.now();
  let lock: HeldProcessLock | undefined;
  for (let pause = 20;; pause = Math.min(pause * 2, 250)) {
    try {
      lock = holdProcessLock(`${db}.writer`);
      break;
    } catch {
      if (Date.now() - started >= waitMs) throw new DatabaseBusyError(db, holder(note), waitMs);
      await delay(pause, signal);
    }
  }
  const writer: Writer = { run_id: me, pid: Deno.pid, since: new Date().toISOString() };
  Deno.writeTextFileSync(note, JSON.stringify(writer));
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        Deno.removeSync(note);
      } catch { /* already gone */ }
      lock.release();
    },
  };
}

function holder(note: string): Writer | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(note)) as Writer;
  } catch {
    return undefined; // Taken a moment ago, its note not yet written.
  }
}
