/**
 * Deduplication by primary key, newest version kept (by the ordering
 * value, then by reading order), with bounded memory: up to
 * `memoryRecords` keys live in a `Map`; beyond that they spill into a
 * temporary SQLite table that keeps the newest row per key by an upsert.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openSqlite, transaction } from "../../lib/sqlite/open.ts";
import type { Version } from "./body.ts";
import { KeyTable } from "./key_table.ts";
import { keyText, type RecordKey } from "./mapping.ts";

/** Options of a {@linkcode Deduper}. */
export interface DeduperOptions {
  /** Keys kept in memory before spilling. */
  memoryRecords: number;
  /** The SQLite file to spill to (created on first spill). */
  spillPath: string;
  /** The text of a version given as a ref (needed when refs are given and keys spill). */
  lineText?: (ref: number) => string;
  /** Called after each spill, when no ref is held any more. */
  onSpill?: () => void;
}

/** Whether a key's text is a number's (other keys' JSON starts with `"`, `[`, `{`, `t` or `f`). */
const numericText = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return c === 45 || (c >= 48 && c <= 57);
};

/**
 * Keeps the newest version per key.
 *
 * @example
 * ```ts
 * import { Deduper } from "./dedupe.ts";
 * import assert from "node:assert/strict";
 * const d = new Deduper({ memoryRecords: 10, spillPath: ":memory:" });
 * d.add("[1]", 1, false, '{"v":1}');
 * d.add("[1]", 2, false, '{"v":2}');
 * d.add("[2]", 1, false, '{"v":"x"}');
 * d.add("[2]", 2, true, '{"deleted":true}');
 * assert.deepEqual([...d.finish()], [['{"v":2}']]);
 * assert.equal(d.deletedKeys, 1);
 * d.close();
 * ```
 */
export class Deduper {
  /** Whether any key has spilled to disk. */
  spilled = false;
  /** Live keys dropped because their newest version deletes them (set by finish). */
  deletedKeys = 0;
  readonly #memory = new KeyTable();
  readonly #limit: number;
  readonly #spillPath: string;
  readonly #lineText: ((ref: number) => string) | undefined;
  readonly #onSpill: (() => void) | undefined;
  #seq = 0;
  #db: DatabaseSync | undefined;
  #upsert: StatementSync | undefined;

  /**
   * Creates a deduper.
   *
   * @param options The memory limit, the spill file, and how refs read.
   */
  constructor(options: DeduperOptions) {
    this.#limit = options.memoryRecords;
    this.#spillPath = options.spillPath;
    this.#lineText = options.lineText;
    this.#onSpill = options.onSpill;
  }

  /**
   * Offers one version of a key; later calls win ties of the ordering value.
   *
   * @param pk The key (a number or a string; see {@linkcode RecordKey}).
   * @param ord The ordering value.
   * @param deleted Whether this version deletes the key.
   * @param value The version: a ref to its source line, its JSON, or an object (stringified only if it is kept).
   */
  add(
    pk: RecordKey,
    ord: number | string,
    deleted: boolean,
    value: Version,
  ): void {
    if (this.#memory.offer(pk, ord, this.#seq++, deleted, value)) {
      if (this.#memory.size > this.#limit) this.#flush();
    }
  }

  /**
   * Yields the live keys' newest versions, sorted by key, in batches of at
   * most `batch`: as they were given while nothing spilled, as JSON after;
   * deleted keys are counted in {@linkcode Deduper.deletedKeys}.
   *
   * @param batch The most versions per yielded array.
   */
  *finish(batch = 8192): Generator<Version[]> {
    let out: Version[] = [];
    if (!this.spilled) {
      const memory = this.#memory;
      for (const key of this.#sortedKeys()) {
        const row = memory.row(numericText(key) ? Number(key) : key)!;
        if (memory.deleted(row)) this.deletedKeys++;
        else if (out.push(memory.value(row)) === batch) {
          yield out;
          out = [];
        }
      }
    } else {
      this.#flush();
      const db = this.#db!;
      this.deletedKeys = Number(db.prepare("SELECT count(*) AS n FROM d WHERE del = 1").get()!.n);
      const rows = db.prepare("SELECT json FROM d WHERE del = 0 ORDER BY pk").iterate();
      for (const row of rows) {
        if (out.push(String(row.json)) === batch) {
          yield out;
          out = [];
        }
      }
    }
    if (out.length > 0) yield out;
  }

  /** Removes the spill file. */
  close(): void {
    if (this.#db?.isOpen) this.#db.close();
    if (this.#db && this.#spillPath !== ":memory:") {
      for (const suffix of ["", "-wal", "-shm"]) {
        try {
          Deno.removeSync(this.#spillPath + suffix);
        } catch { /* absent */ }
      }
    }
  }

  /**
   * The texts of the keys in memory, sorted (contiguous strings, no
   * comparator; each entry is looked up by its key after).
   */
  #sortedKeys(): string[] {
    const keys: string[] = new Array(this.#memory.size);
    for (let row = 0; row < keys.length; row++) keys[row] = keyText(this.#memory.key(row));
    return keys.sort();
  }

  #json(v: Version): string {
    if (typeof v === "string") return v;
    if (typeof v !== "number") return JSON.stringify(v);
    if (!this.#lineText) {
      throw new TypeError("Cannot spill a version given as a ref without lineText");
    }
    return this.#lineText(v);
  }

  #flush(): void {
    if (!this.#db) {
      this.#db = openSqlite(this.#spillPath);
      this.#db.exec("PRAGMA synchronous = OFF");
      this.#db.exec("DROP TABLE IF EXISTS d");
      this.#db.exec(
        "CREATE TABLE d (pk TEXT PRIMARY KEY, ord ANY, seq INTEGER, del INTEGER, json TEXT) STRICT",
      );
      this.#upsert = this.#db.prepare(
        `INSERT INTO d (pk, ord, seq, del, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pk) DO UPDATE SET ord = excluded.ord, seq = excluded.seq,
           del = excluded.del, json = excluded.json
         WHERE excluded.ord > d.ord OR (excluded.ord = d.ord AND excluded.seq > d.seq)`,
      );
      this.spilled = true;
    }
    const upsert = this.#upsert!;
    transaction(this.#db, () => {
      const m = this.#memory;
      for (let row = 0; row < m.size; row++) {
        const deleted = m.deleted(row);
        upsert.run(
          keyText(m.key(row)),
          m.ord(row),
          m.seq(row),
          deleted ? 1 : 0,
          deleted ? "" : this.#json(m.value(row)),
        );
      }
    });
    this.#memory.clear();
    this.#onSpill?.();
  }
}
