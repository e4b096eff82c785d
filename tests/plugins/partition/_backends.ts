/**
 * One partition test, run on both backends: SQLite (a file in a fresh
 * folder) and PostgreSQL (a schema of its own on the shared server, dropped
 * afterwards; skipped with its reason when the server is absent). Each
 * test gets the CLI arguments and environment that point an instance at
 * its backend, and an open store to seed and inspect.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliRun, weir } from "../../helpers/cli.ts";
import { serviceTest } from "../../helpers/services.ts";
import { tempDir } from "../../helpers/temp.ts";
import { type Backend, openBackend } from "../../../plugins/partition/backend.ts";
import { readContract } from "../../../plugins/partition/contract.ts";
import { type Generated, generateRecords } from "../../../plugins/partition/generator.ts";
import { connectPostgres } from "../../../lib/postgres/connect.ts";

/** The contract the tests use (the committed one). */
export const CONTRACT = "fixtures/partition/mapping.json";

/** Permissions of an instance started by a test. */
const PERMS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-net"];

/** What a test gets. */
export interface TestBackend {
  /** `sqlite` or `postgres`. */
  kind: "sqlite" | "postgres";
  /** The weir home of every instance. */
  home: string;
  /** The open store (seed it, read it). */
  backend: Backend;
  /** Runs `weir run <task> <args>` against this backend. */
  run(task: string, args?: string[], options?: Parameters<typeof weir>[1]): Promise<CliRun>;
  /** Seeds generated records; returns them. */
  seed(count: number, options?: { malformedRate?: number; seed?: number }): Promise<Generated>;
  /** Runs one query and returns its rows. */
  query(sql: string, params?: (string | number)[]): Promise<Record<string, unknown>[]>;
}

async function makeBackend(
  kind: "sqlite" | "postgres",
  home: string,
  args: string[],
  env: Record<string, string>,
  open: () => Promise<Backend>,
): Promise<TestBackend> {
  const backend = await open();
  return {
    kind,
    home,
    backend,
    run: (task, more = [], options = {}) =>
      weir(["--home", home, "--quiet", "run", task, "--contract", CONTRACT, ...args, ...more], {
        perms: PERMS,
        ...options,
        env: { ...env, ...options.env },
      }),
    async seed(count, options = {}) {
      const generated = generateRecords({
        count,
        seed: options.seed ?? 42,
        malformedRate: options.malformedRate ?? 0.01,
        minBytes: 600,
        maxBytes: 800,
      });
      await backend.store.loadSource(generated.records);
      return generated;
    },
    query: (sql, params = []) => backend.store.executor.all(sql, params),
  };
}

/**
 * Registers `[sqlite] name` and `[postgres] name`.
 *
 * @param name The behaviour tested.
 * @param fn The test.
 */
export function backendTest(name: string, fn: (b: TestBackend) => Promise<void>): void {
  Deno.test(`[sqlite] ${name}`, async () => {
    await using dir = await tempDir("weir-partition-");
    const db = join(dir.path, "partition.db");
    const contract = await readContract(CONTRACT);
    // An empty DATABASE_URL counts as unset: the instances use SQLite even when the tests run with one.
    const b = await makeBackend(
      "sqlite",
      dir.path,
      ["--db", db],
      { DATABASE_URL: "" },
      () => openBackend(contract, { dbPath: db, poolSize: 2, connectTimeoutS: 10 }),
    );
    try {
      await fn(b);
    } finally {
      await b.backend.close();
    }
  });
  serviceTest(`[postgres] ${name}`, "postgres", async ({ url }) => {
    await using dir = await tempDir("weir-partition-");
    const schema = `weir_test_part_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const contract = await readContract(CONTRACT);
    const b = await makeBackend(
      "postgres",
      dir.path,
      ["--schema", schema],
      { DATABASE_URL: url },
      () =>
        openBackend(contract, {
          dbPath: "",
          databaseUrl: url,
          schema,
          poolSize: 2,
          connectTimeoutS: 10,
        }),
    );
    try {
      await fn(b);
    } finally {
      await b.backend.close();
      const { sql } = await connectPostgres(url, { max: 1 });
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await sql.end();
      }
    }
  });
}

/** The envelope's output of a run, typed loosely. */
export function outputOf(run: CliRun): Record<string, number & string> {
  return (run.json as { output: Record<string, number & string> }).output;
}

/**
 * Starts `n` instances at once and waits for all.
 *
 * @param b The backend.
 * @param n How many.
 * @param args Flags of every instance.
 * @returns Their runs, by instance id.
 */
export function runInstances(b: TestBackend, n: number, args: string[]): Promise<CliRun[]> {
  return Promise.all(
    Array.from({ length: n }, (_, k) =>
      b.run("partition.process", [
        "--instance-id",
        String(k),
        "--instance-count",
        String(n),
        ...args,
      ])),
  );
}

/** Sums a field over the instances' outputs. */
export const total = (runs: { json: unknown }[], key: string): number =>
  runs.reduce((sum, r) => sum + Number(outputOf(r as never)[key] ?? 0), 0);

/** What partition.verify reports, as the tests read it. */
export interface VerifyReport {
  checks: Record<string, { ok: boolean }>;
  per_partition: { remaining: number }[];
  failed: { count: number };
}

/** Runs partition.verify and returns its report (exit 0 and every check ok expected). */
export async function verifyOk(b: TestBackend): Promise<VerifyReport> {
  const run = await b.run("partition.verify");
  assert.equal(run.code, 0, run.stderr);
  const out = outputOf(run) as unknown as VerifyReport;
  assert.deepEqual(Object.values(out.checks).map((c) => c.ok), [true, true, true]);
  return out;
}

/** Counts log rows per status and target rows of one table. */
export async function logged(b: TestBackend): Promise<{ success: number; failed: number }> {
  const rows = await b.query(
    `SELECT status, CAST(count(*) AS INTEGER) AS n FROM ${
      b.backend.store.dialect.table("partition_log")
    } GROUP BY status`,
  );
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  return { success: by.success ?? 0, failed: by.failed ?? 0 };
}
