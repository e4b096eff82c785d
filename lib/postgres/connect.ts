/**
 * Opening a PostgreSQL client pool (postgres.js, loaded lazily) with weir's
 * settings: a bounded pool, a connect timeout, no notices printed, and a
 * first round trip so that an unreachable server fails at once with a
 * message that names the host (never the password).
 *
 * @module
 */
import type postgres from "postgres";

/** A postgres.js client (a pool of connections). */
export type PostgresClient = postgres.Sql;

/**
 * The environment variables postgres.js reads when it connects (libpq's
 * `PG*` variables: `PGAPPNAME`, `PGSSL`, ...), as a Deno permission value:
 * grant it with `--allow-env=PG*` wherever a client is opened.
 */
export const POSTGRES_CLIENT_ENV: readonly string[] = ["PG*"];

/** Options of {@linkcode connectPostgres}. */
export interface ConnectPostgresOptions {
  /**
   * The most connections the pool opens.
   *
   * @default {4}
   */
  max?: number;
  /**
   * How long to wait for a connection, in seconds.
   *
   * @default {10}
   */
  connectTimeoutS?: number;
  /** What the client is for, for the error message (for example "the processing log"). */
  purpose?: string;
}

/**
 * Describes where a URL points without its password: `host:port/database`.
 *
 * @param url A connection URL.
 * @returns The host, port and database.
 *
 * @example
 * ```ts
 * import { describePostgresUrl } from "./connect.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describePostgresUrl("postgres://u:secret@db.local:5433/app"), "db.local:5433/app");
 * ```
 */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

/**
 * Loads postgres.js, opens a pool and checks it with `SELECT 1`.
 *
 * @param url The connection URL (`postgres://user:pass@host:5432/db`).
 * @param options Pool size, connect timeout, purpose.
 * @returns The client; end it with `await sql.end()`.
 * @throws {RangeError} When `max` or `connectTimeoutS` is not a positive integer.
 * @throws {Error} When the server cannot be reached in time, naming host, port and database.
 *
 * @example
 * ```ts ignore
 * import { connectPostgres } from "./connect.ts";
 * const sql = await connectPostgres(Deno.env.get("DATABASE_URL")!, { max: 2 });
 * await sql.end();
 * ```
 */
export async function connectPostgres(
  url: string,
  options: ConnectPostgresOptions = {},
): Promise<PostgresClient> {
  const { max = 4, connectTimeoutS = 10, purpose = "PostgreSQL" } = options;
  for (const [name, value] of [["max", max], ["connectTimeoutS", connectTimeoutS]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot connect to PostgreSQL as ${name} must be a positive integer: current value is "${value}"`,
      );
    }
  }
  const { default: connect } = await import("postgres");
  const sql = connect(url, { max, connect_timeout: connectTimeoutS, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new Error(
      `Cannot connect to ${purpose} at ${describePostgresUrl(url)} within ${connectTimeoutS} s: ${
        (err as Error).message
      }`,
      { cause: err },
    );
  }
  return sql;
}
