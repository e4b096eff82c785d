/**
 * Group commit: several pages share one transaction, each inside its own
 * savepoint, so a page that fails rolls back only itself, and a commit
 * costs one WAL append for up to {@linkcode GroupCommitOptions.maxPages}
 * pages. A page's rows and its checkpoint row (`pages`) are written in the
 * same savepoint, so they commit together: a crash loses at most the open
 * group, which the next run redoes.
 *
 * WAL checkpoints are taken here, not by SQLite's automatic checkpoint
 * (which runs inside a COMMIT and made the commit latency's long tail):
 * the automatic one is switched off while the group commit is open, a
 * PASSIVE checkpoint runs between groups once
 * {@linkcode GroupCommitOptions.checkpointPages} pages were committed since
 * the last, and a TRUNCATE one when it closes.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Options of {@linkcode GroupCommit}. */
export interface GroupCommitOptions {
  /**
   * The most pages one transaction holds.
   *
   * @default {32}
   */
  maxPages?: number;
  /**
   * The longest a transaction stays open, in ms: a group is committed when
   * it is this old, even with fewer pages (also by a timer, when no page
   * comes).
   *
   * @default {50}
   */
  maxMs?: number;
  /**
   * Committed pages between two WAL checkpoints (about 8 KB of WAL each).
   *
   * @default {2048}
   */
  checkpointPages?: number;
}

/** What a group commit measured. */
export interface GroupCommitStats {
  /** Transactions committed. */
  commits: number;
  /** Pages committed. */
  pages: number;
  /** Each COMMIT's duration, in ms. */
  commitMs: number[];
  /** Each WAL checkpoint's duration, in ms. */
  checkpointMs: number[];
}

/**
 * Runs page writes in shared transactions.
 *
 * @example Three pages, one of which fails: two commit, in one transaction
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatabaseSync } from "node:sqlite";
 * import { GroupCommit } from "./group_commit.ts";
 * const db = new DatabaseSync(":memory:");
 * db.exec("CREATE TABLE t (x INTEGER)");
 * const group = new GroupCommit(db, { maxPages: 32 });
 * const insert = db.prepare("INSERT INTO t VALUES (?)");
 * group.page(() => insert.run(1));
 * assert.throws(() => group.page(() => { insert.run(2); throw new Error("bad page"); }));
 * group.page(() => insert.run(3));
 * group.close();
 * assert.deepEqual(db.prepare("SELECT x FROM t").all().map((r) => r.x), [1, 3]);
 * assert.equal(group.stats.commits, 1);
 * db.close();
 * ```
 */
export class GroupCommit {
  /** What was measured so far. */
  readonly stats: GroupCommitStats = { commits: 0, pages: 0, commitMs: [], checkpointMs: [] };
  readonly #db: DatabaseSync;
  readonly #maxPages: number;
  readonly #maxMs: number;
  readonly #checkpointPages: number;
  readonly #s: Record<"begin" | "commit" | "save" | "release" | "undo", StatementSync>;
  #open = false;
  #opened = 0;
  #inGroup = 0;
  #sinceCheckpoint = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #autocheckpoint: number;

  /**
   * Starts group commits on a connection with no transaction open.
   *
   * @param db The connection (WAL).
   * @param options Group size and age, checkpoint interval.
   * @throws {RangeError} When a size or age is not a positive integer.
   */
  constructor(db: DatabaseSync, options: GroupCommitOptions = {}) {
    const { maxPages = 32, maxMs = 50, checkpointPages = 2048 } = options;
    for (const [name, v] of Object.entries({ maxPages, maxMs, checkpointPages })) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(
          `Cannot start group commits as ${name} must be a positive integer: current value is "${v}"`,
        );
      }
    }
    this.#db = db;
    this.#maxPages = maxPages;
    this.#maxMs = maxMs;
    this.#checkpointPages = checkpointPages;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      begin: p("BEGIN IMMEDIATE"),
      commit: p("COMMIT"),
      save: p("SAVEPOINT page"),
      release: p("RELEASE page"),
      undo: p("ROLLBACK TO page"),
    };
    this.#autocheckpoint = Number(
      db.prepare("PRAGMA wal_autocheckpoint").get()?.wal_autocheckpoint ?? 1000,
    );
    db.exec("PRAGMA wal_autocheckpoint = 0");
  }

  /**
   * Runs one page's writes in a savepoint of the open group (opening one
   * when none is), then commits the group when it is full or old enough.
   *
   * @typeParam T What `fn` returns.
   * @param fn The page's writes; synchronous.
   * @returns What `fn` returned.
   * @throws {unknown} Whatever `fn` threw, after rolling back its savepoint
   * (the group's other pages stay).
   */
  page<T>(fn: () => T): T {
    const s = this.#s;
    if (!this.#open) {
      s.begin.run();
      this.#open = true;
      this.#opened = performance.now();
      this.#timer = setTimeout(() => this.flush(), this.#maxMs);
    }
    s.save.run();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      s.undo.run();
      s.release.run();
      throw err;
    }
    s.release.run();
    this.#inGroup++;
    if (this.#inGroup >= this.#maxPages || performance.now() - this.#opened >= this.#maxMs) {
      this.flush();
    }
    return result;
  }

  /** Commits the open group now, if any, then checkpoints the WAL when due. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#open) return;
    const start = performance.now();
    this.#s.commit.run();
    this.stats.commitMs.push(performance.now() - start);
    this.#open = false;
    this.stats.commits++;
    this.stats.pages += this.#inGroup;
    this.#sinceCheckpoint += this.#inGroup;
    this.#inGroup = 0;
    if (this.#sinceCheckpoint >= this.#checkpointPages) this.#checkpoint("PASSIVE");
  }

  /**
   * Commits what is open, truncates the WAL and gives the connection its
   * automatic checkpoints back. Closing twice is harmless.
   */
  close(): void {
    if (!this.#db.isOpen) return;
    this.flush();
    if (this.stats.commits > 0) this.#checkpoint("TRUNCATE");
    this.#db.exec(`PRAGMA wal_autocheckpoint = ${this.#autocheckpoint}`);
  }

  #checkpoint(mode: "PASSIVE" | "TRUNCATE"): void {
    const start = performance.now();
    this.#db.prepare(`PRAGMA wal_checkpoint(${mode})`).get();
    this.stats.checkpointMs.push(performance.now() - start);
    this.#sinceCheckpoint = 0;
  }
}
