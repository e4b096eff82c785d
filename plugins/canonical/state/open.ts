/**
 * Opens the job state the configuration asks for: PostgreSQL when a
 * database URL is set, else the SQLite file under the home. Each adapter
 * loads only when used.
 *
 * @module
 */
import type { JobState } from "./port.ts";

/** Where job state lives. */
export interface JobStateConfig {
  /** The PostgreSQL URL (`DATABASE_URL`); SQLite when absent. */
  databaseUrl?: string;
  /** The SQLite file. */
  sqlitePath: string;
}

/**
 * Opens the job state.
 *
 * @param config The URL or the file.
 * @returns The open state; close it when done.
 *
 * @example
 * ```ts
 * import { openJobState } from "./open.ts";
 * import assert from "node:assert/strict";
 * const state = await openJobState({ sqlitePath: ":memory:" });
 * assert.equal(state.kind, "sqlite");
 * await state.close();
 * ```
 */
export async function openJobState(config: JobStateConfig): Promise<JobState> {
  if (config.databaseUrl) {
    const { PostgresJobState } = await import("./postgres.ts");
    return await PostgresJobState.open(config.databaseUrl);
  }
  const { SqliteJobState } = await import("./sqlite.ts");
  return SqliteJobState.open(config.sqlitePath);
}
