/**
 * One error for a database that cannot be used: it names the file, says
 * whether it is corrupted or locked, and what to do about it. Every weir
 * database is opened through {@linkcode openSqlite} and migrated through
 * `migrate`, which both wrap SQLite's errors in it.
 *
 * @module
 */
import { ExitCode, WeirError } from "../errors.ts";

/** Why a database cannot be used. */
export type DatabaseProblem = "corrupt" | "busy" | "cannot_open";

/** SQLite's primary result codes that {@linkcode DatabaseError} tells apart. */
const PRIMARY: Record<number, DatabaseProblem> = {
  5: "busy", // SQLITE_BUSY
  6: "busy", // SQLITE_LOCKED
  11: "corrupt", // SQLITE_CORRUPT
  14: "cannot_open", // SQLITE_CANTOPEN
  26: "corrupt", // SQLITE_NOTADB
};

/** SQLite's messages, for errors that carry no `errcode` (`db.exec()` in Deno 2.9). */
const MESSAGES: [RegExp, DatabaseProblem][] = [
  [/file is not a database|database disk image is malformed/, "corrupt"],
  [/^database (?:table )?is locked/, "busy"],
  [/unable to open database file/, "cannot_open"],
];

/** A process that has a database file open, as `/proc` shows it. */
export interface FileHolder {
  /** Its process id. */
  pid: number;
  /** Its command name (`/proc/<pid>/comm`), when readable. */
  command?: string;
}

/**
 * Tells what kind of database problem an error from `node:sqlite` is.
 *
 * @param err Anything thrown.
 * @returns The problem, or `undefined` when it is not one of them.
 *
 * @example
 * ```ts
 * import { databaseProblem } from "./database_error.ts";
 * import assert from "node:assert/strict";
 * assert.equal(databaseProblem(Object.assign(new Error("x"), { errcode: 26 })), "corrupt");
 * assert.equal(databaseProblem(new Error("database is locked")), "busy");
 * assert.equal(databaseProblem(new Error("no such table: t")), undefined);
 * ```
 */
export function databaseProblem(err: unknown): DatabaseProblem | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof DatabaseError) return err.problem;
  const errcode = (err as { errcode?: unknown }).errcode;
  if (typeof errcode === "number" && PRIMARY[errcode & 0xff]) return PRIMARY[errcode & 0xff];
  const found = MESSAGES.find(([re]) => re.test(err.message))?.[1];
  return found ?? (err.cause === undefined ? undefined : databaseProblem(err.cause));
}

/**
 * Lists the other processes that have a file (or its `-wal`/`-shm`) open,
 * from `/proc/<pid>/fd`. Best effort: empty without `/proc`, and unless the
 * process runs with `--allow-all` (Deno's rule for reading `/proc`).
 *
 * @param path The database file, absolute.
 * @returns The processes, this one left out.
 *
 * @example
 * ```ts
 * import { fileHolders } from "./database_error.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(fileHolders("/nonexistent/weir.db"), []);
 * ```
 */
export function fileHolders(path: string): FileHolder[] {
  const targets = new Set([path, `${path}-wal`, `${path}-shm`]);
  const holders: FileHolder[] = [];
  try {
    // Deno lets only --allow-all read /proc; without it, asking could prompt.
    for (const name of ["run", "ffi"] as const) {
      if (Deno.permissions.querySync({ name }).state !== "granted") return [];
    }
    if (Deno.permissions.querySync({ name: "read", path: "/proc" }).state !== "granted") return [];
    for (const entry of Deno.readDirSync("/proc")) {
      const pid = Number(entry.name);
      if (!Number.isInteger(pid) || pid === Deno.pid) continue;
      try {
        for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
          if (!targets.has(Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`))) continue;
          let command: string | undefined;
          try {
            command = Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
          } catch { /* gone or hidden */ }
          holders.push({ pid, command });
          break;
        }
      } catch { /* another user's process, or it ended */ }
    }
  } catch { /* no /proc */ }
  return holders;
}

function advice(problem: DatabaseProblem, path: string, hint: string | undefined): string {
  if (problem === "corrupt") {
    return hint ??
      `check it with "sqlite3 ${path} 'PRAGMA integrity_check'" or restore it from a backup`;
  }
  if (problem === "busy") {
    const holders = fileHolders(path).map((h) => `${h.pid}${h.command ? ` (${h.command})` : ""}`);
    return holders.length
      ? `wait for process ${holders.join(", ")} that has it open to finish, then try again`
      : "wait for the other run using it to finish, then try again";
  }
  return "check that its directory exists and is writable";
}

const REASON: Record<DatabaseProblem, string> = {
  corrupt: "it is corrupted",
  busy: "another connection holds its lock",
  cannot_open: "the file cannot be opened",
};

/**
 * A database could not be used: it is corrupted (`SQLITE_CORRUPT`,
 * `SQLITE_NOTADB`), locked by another connection past the busy timeout
 * (`SQLITE_BUSY`, `SQLITE_LOCKED`) or cannot be opened (`SQLITE_CANTOPEN`).
 * The message names the file, the reason and what to do; `cause` keeps
 * SQLite's own error. Exit code 1 (failed): the input was fine, the state on
 * disk is not, and retrying (busy) or repairing (corrupt) is the fix.
 *
 * @example Wrap SQLite's error
 * ```ts
 * import { DatabaseError } from "./database_error.ts";
 * import assert from "node:assert/strict";
 * const sqlite = Object.assign(new Error("file is not a database"), { errcode: 26 });
 * const err = new DatabaseError("/h/app.db", sqlite, { hint: 'run "weir run app.check"' });
 * assert.equal(err.problem, "corrupt");
 * assert.equal(err.exitCode, 1);
 * assert.equal(
 *   err.message,
 *   'Cannot use database "/h/app.db" as it is corrupted (file is not a database): run "weir run app.check"',
 * );
 * ```
 */
export class DatabaseError extends WeirError {
  /** The database file. */
  readonly path: string;
  /** What is wrong with it. */
  readonly problem: DatabaseProblem;

  /**
   * Creates the error from SQLite's.
   *
   * @param path The database file.
   * @param cause SQLite's error (its problem is read from it; `cannot_open` when unknown).
   * @param options `hint`: what to do when the file is corrupted, e.g. the
   * check task to run. @default {an integrity check with sqlite3, or a backup}
   */
  constructor(path: string, cause: unknown, options: { hint?: string } = {}) {
    const problem = databaseProblem(cause) ?? "cannot_open";
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot use database "${path}" as ${REASON[problem]} (${detail}): ${
        advice(problem, path, options.hint)
      }`,
      `database_${problem}`,
      ExitCode.failed,
      { cause },
    );
    this.name = "DatabaseError";
    this.path = path;
    this.problem = problem;
  }
}

/**
 * Wraps SQLite's corrupt, busy and cannot-open errors in a
 * {@linkcode DatabaseError} naming the file; returns anything else as it is.
 *
 * @param err Anything thrown while using the database.
 * @param path The database file.
 * @param options `hint`: what to do when it is corrupted.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { asDatabaseError, DatabaseError } from "./database_error.ts";
 * import assert from "node:assert/strict";
 * assert.ok(asDatabaseError(new Error("database is locked"), "/h/a.db") instanceof DatabaseError);
 * const other = new Error("no such table: t");
 * assert.equal(asDatabaseError(other, "/h/a.db"), other);
 * ```
 */
export function asDatabaseError(
  err: unknown,
  path: string,
  options: { hint?: string } = {},
): unknown {
  if (err instanceof DatabaseError || databaseProblem(err) === undefined) return err;
  return new DatabaseError(path, err, options);
}
