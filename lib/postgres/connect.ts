/**
 * A PostgreSQL connection that lives in one schema of its own: the schema
 * comes from the URL's `search_path` parameter (or an option), is created
 * if absent under an advisory lock (so processes opening it at once do not
 * race), and becomes the connection's `search_path`, so unqualified table
 * names land in it. The `postgres` client loads only when a connection opens,
 * with a bounded pool, a connect timeout and a first round trip, so an
 * unreachable server fails at once with a message that names the host
 * (never the password).
 *
 * @module
 */
import type postgres from "postgres";

/** A `postgres` client (a pool of connections). */
export type PostgresSql = postgres.Sql;

/**
 * The environment variables postgres.js reads when it connects (libpq's
 * `PG*` variables: `PGAPPNAME`, `PGSSL`, ...), as a Deno permission value:
 * grant it with `--allow-env=PG*` wherever a client is opened.
 */
export const POSTGRES_CLIENT_ENV: readonly string[] = ["PG*"];

/** Options of {@linkcode connectPostgres}. */
export interface ConnectPostgresOptions {
  /**
   * The schema to live in: letters, digits and `_`, starting with a letter or `_`.
   *
   * @default {the URL's `search_path` parameter, else "public"}
   */
  schema?: string;
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

/** A connection and the schema it lives in. */
export interface PostgresConnection {
  /** The client; `end()` it (or call {@linkcode PostgresConnection.close}) when done. */
  readonly sql: PostgresSql;
  /** The schema every unqualified name resolves to. */
  readonly schema: string;
  /** Closes every connection of the pool. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** The first key of the advisory lock that serializes schema creation ("wsch"). */
const SCHEMA_LOCK = 0x77736368;

/**
 * Splits a connection URL into the URL without `search_path` and that schema.
 *
 * @param url A `postgres://` URL, possibly with `?search_path=<schema>`.
 * @returns The URL to connect with and the schema named in it, if any.
 * @throws {TypeError} When `url` is not a valid URL.
 *
 * @example
 * ```ts
 * import { splitSchema } from "./connect.ts";
 * import assert from "node:assert/strict";
 * const { url, schema } = splitSchema("postgres://u@h:5432/db?search_path=job_42");
 * assert.equal(url, "postgres://u@h:5432/db");
 * assert.equal(schema, "job_42");
 * ```
 */
export function splitSchema(url: string): { url: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError("Cannot connect to PostgreSQL as DATABASE_URL is not a valid URL", {
      cause,
    });
  }
  const schema = parsed.searchParams.get("search_path") ?? undefined;
  parsed.searchParams.delete("search_path");
  const text = parsed.toString().replace(/\?$/, "");
  return schema === undefined ? { url: text } : { url: text, schema };
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
 * Loads the `postgres` client, connects, creates the schema if absent and
 * makes it the `search_path` of every connection of the pool.
 *
 * @param url The connection URL (`?search_path=<schema>` selects the schema).
 * @param options The schema, the pool size, the connect timeout and the purpose.
 * @returns The connection; close it when done.
 * @throws {TypeError} When the URL or the schema name is invalid.
 * @throws {RangeError} When `max` or `connectTimeoutS` is not a positive integer.
 * @throws {Error} When the server cannot be reached in time, naming host, port and database
 *   (the pool is closed then).
 *
 * @example Work in a schema of one's own
 * ```ts ignore
 * import { connectPostgres } from "./connect.ts";
 * const pg = await connectPostgres(Deno.env.get("DATABASE_URL")!, { schema: "canonical" });
 * try {
 *   await pg.sql`CREATE TABLE IF NOT EXISTS jobs (id text PRIMARY KEY)`;
 * } finally {
 *   await pg.close();
 * }
 * ```
 */
export async function connectPostgres(
  url: string,
  options: ConnectPostgresOptions = {},
): Promise<PostgresConnection> {
  const split = splitSchema(url);
  const schema = options.schema ?? split.schema ?? "public";
  const { max = 4, connectTimeoutS = 10, purpose = "PostgreSQL" } = options;
  if (!SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `Cannot connect to PostgreSQL as the schema must be letters, digits and "_": current value is "${schema}"`,
    );
  }
  for (const [name, value] of [["max", max], ["connectTimeoutS", connectTimeoutS]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot connect to PostgreSQL as ${name} must be a positive integer: current value is "${value}"`,
      );
    }
  }
  const { default: connect } = await import("postgres");
  const sql = connect(split.url, {
    max,
    connect_timeout: connectTimeoutS,
    onnotice: () => {},
    connection: { search_path: schema },
  });
  try {
    const [{ exists }] = await sql`
      SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${schema}) AS exists`;
    if (!exists) {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK}::integer, hashtext(${schema}::text))`;
        await tx`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
      });
    }
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new Error(
      `Cannot connect to ${purpose} at ${
        describePostgresUrl(split.url)
      } within ${connectTimeoutS} s: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { sql, schema, close: () => sql.end() };
}
