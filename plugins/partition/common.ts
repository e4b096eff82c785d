/**
 * What every partition task shares: the flags that say where the data is
 * (contract, SQLite file or `DATABASE_URL`, PostgreSQL schema, pool size,
 * connect timeout), the permissions they need, and opening the backend.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { PermissionNeeds } from "../../lib/permissions.ts";
import { POSTGRES_CLIENT_ENV } from "../../lib/postgres/connect.ts";
import type { WeirConfig } from "../../kernel/config.ts";
import { type Backend, openBackend } from "./backend.ts";
import { IDENTIFIER, readContract } from "./contract.ts";
import { UsageError } from "../../lib/errors.ts";
import type { Options } from "./options.ts";

/** The input fields of every partition task. */
export const backendFields = {
  backend: z.enum(["auto", "sqlite", "postgres"]).default("auto").describe(
    "auto: PostgreSQL when DATABASE_URL is set, else SQLite",
  ),
  contract: z.string().min(1).optional().describe(
    "mapping contract (JSON); default fixtures/partition/mapping.json",
  ),
  db: z.string().min(1).optional().describe(
    "SQLite database shared by the instances (default <home>/partition/partition.db); unused when DATABASE_URL is set",
  ),
  schema: z.string().regex(IDENTIFIER, "must be an SQL identifier").optional().describe(
    "PostgreSQL schema of every table (default: the contract's)",
  ),
  poolSize: z.number().int().min(1).max(100).default(4).describe("PostgreSQL pool size"),
  connectTimeout: z.number().int().min(1).max(300).default(10).describe(
    "PostgreSQL connect timeout, in seconds",
  ),
};

/** The parsed backend fields. */
export interface BackendInput {
  backend: "auto" | "sqlite" | "postgres";
  contract?: string;
  db?: string;
  schema?: string;
  poolSize: number;
  connectTimeout: number;
}

/**
 * The contract file and the database a task uses.
 *
 * @param i The input.
 * @param home The kernel's home.
 * @param options The plugin's options.
 * @returns Absolute paths.
 *
 * @example
 * ```ts
 * import { backendPaths } from "./common.ts";
 * import assert from "node:assert/strict";
 * const paths = backendPaths({}, "/h", { database: "p/p.db", contract: "/c.json" });
 * assert.deepEqual(paths, { contract: "/c.json", db: "/h/p/p.db" });
 * ```
 */
export function backendPaths(
  i: Pick<BackendInput, "contract" | "db">,
  home: string,
  options: Options,
): { contract: string; db: string } {
  return {
    contract: resolve(i.contract ?? options.contract),
    db: resolve(home, i.db ?? options.database),
  };
}

/**
 * What a task over the backend needs: the contract, the SQLite folder (or
 * PostgreSQL's host and `DATABASE_URL`), and the host name (lease owners).
 *
 * @param i The input.
 * @param config The configuration.
 * @param options The plugin's options.
 * @returns The needs.
 */
export function backendNeeds(
  i: BackendInput,
  config: WeirConfig,
  options: Options,
): PermissionNeeds {
  const { contract, db } = backendPaths(i, config.home, options);
  const base = { read: [contract], sys: ["hostname"] };
  // `--backend sqlite` stays local even where DATABASE_URL is set.
  if (usePostgres(i, config) && config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return {
      ...base,
      net: [`${url.hostname}:${url.port || "5432"}`],
      env: ["DATABASE_URL", ...POSTGRES_CLIENT_ENV],
    };
  }
  return { ...base, read: [contract, dirname(db)], write: [dirname(db)] };
}

/**
 * Whether a task uses PostgreSQL: `--backend postgres`, or `auto` with `DATABASE_URL` set.
 *
 * @param i The input.
 * @param config The configuration.
 * @returns `true` for PostgreSQL.
 *
 * @example
 * ```ts
 * import { usePostgres } from "./common.ts";
 * import assert from "node:assert/strict";
 * const config = { databaseUrl: "postgres://db/x" } as Parameters<typeof usePostgres>[1];
 * assert.equal(usePostgres({ backend: "auto" }, config), true);
 * assert.equal(usePostgres({ backend: "sqlite" }, config), false);
 * ```
 */
export function usePostgres(i: Pick<BackendInput, "backend">, config: WeirConfig): boolean {
  return i.backend === "postgres" || (i.backend === "auto" && config.databaseUrl !== undefined);
}

/**
 * Reads the contract and opens the backend (creating missing tables).
 *
 * @param i The input.
 * @param config The configuration.
 * @param options The plugin's options.
 * @returns The backend.
 */
export async function openFromInput(
  i: BackendInput,
  config: WeirConfig,
  options: Options,
): Promise<Backend> {
  const paths = backendPaths(i, config.home, options);
  const contract = await readContract(paths.contract);
  const pg = usePostgres(i, config);
  if (pg && !config.databaseUrl) {
    throw new UsageError(
      'Cannot use --backend postgres as DATABASE_URL is not set: current value is ""',
    );
  }
  if (!pg) await Deno.mkdir(dirname(paths.db), { recursive: true });
  return await openBackend(contract, {
    dbPath: paths.db,
    databaseUrl: pg ? config.databaseUrl : undefined,
    schema: i.schema,
    poolSize: i.poolSize,
    connectTimeoutS: i.connectTimeout,
  });
}
