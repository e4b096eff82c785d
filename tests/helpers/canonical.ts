/**
 * The canonical plugin's test matrix: every combination of object store
 * (filesystem, S3 on s3rver) and job state (SQLite, PostgreSQL in a schema
 * of its own, dropped afterwards), and an independent computation of what
 * a table's canonical output must be.
 *
 * @module
 */
import { join } from "node:path";
import postgres from "postgres";
import { openObjectStore } from "../../lib/objects/open.ts";
import type { ObjectStore, ObjectStoreConfig } from "../../lib/objects/port.ts";
import { mapRecord, type TableMapping } from "../../plugins/canonical/mapping.ts";
import { openJobState } from "../../plugins/canonical/state/open.ts";
import type { JobState } from "../../plugins/canonical/state/port.ts";
import type { TableRef } from "../../plugins/canonical/model.ts";
import { startS3rver } from "./s3rver.ts";
import { requireService } from "./services.ts";

/** Where a test's job state lives, as a worker process is told. */
export interface StateConfig {
  /** The SQLite file. */
  sqlitePath: string;
  /** The PostgreSQL URL (with `?search_path=`), when PostgreSQL. */
  databaseUrl?: string;
}

/** One opened combination. */
export interface CanonicalEnv {
  /** `fs+sqlite`, `s3+postgres`, ... */
  name: string;
  /** A temporary folder of the test's own. */
  dir: string;
  /** The job state. */
  state: JobState;
  /** The object store. */
  store: ObjectStore;
  /** How to open the same state elsewhere. */
  stateConfig: StateConfig;
  /** How to open the same store elsewhere. */
  storeConfig: ObjectStoreConfig;
  /** Environment variables that make the CLI use the same state and store. */
  cliEnv: Record<string, string>;
  /** The folder for spill files. */
  spillDir: string;
}

/** A combination to open. */
export interface EnvSpec {
  /** Its name. */
  name: string;
  /** Why it cannot run here. */
  skip?: string;
  /** Opens it; the returned disposer closes and removes everything. */
  open(): Promise<CanonicalEnv & AsyncDisposable>;
}

const pg = requireService("postgres");

function spec(storeKind: "fs" | "s3", stateKind: "sqlite" | "postgres"): EnvSpec {
  const name = `${storeKind}+${stateKind}`;
  return {
    name,
    ...(stateKind === "postgres" && !pg.available ? { skip: pg.reason } : {}),
    async open() {
      const dir = await Deno.makeTempDir({ prefix: "weir-canonical-" });
      const cleanups: (() => Promise<void>)[] = [() => Deno.remove(dir, { recursive: true })];
      let storeConfig: ObjectStoreConfig = { kind: "fs", root: join(dir, "home", "objects") };
      let cliEnv: Record<string, string> = { WEIR_HOME: join(dir, "home") };
      if (storeKind === "s3") {
        const s3 = await startS3rver();
        cleanups.unshift(() => s3.close());
        storeConfig = {
          kind: "s3",
          bucket: s3.bucket,
          endpoint: s3.endpoint,
          credentials: s3.credentials,
        };
        cliEnv = {
          ...cliEnv,
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: s3.bucket,
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
          AWS_REGION: "us-east-1",
        };
      }
      const stateConfig: StateConfig = { sqlitePath: join(dir, "home", "canonical", "state.db") };
      if (stateKind === "postgres" && pg.available) {
        const schema = `canon_${crypto.randomUUID().replaceAll("-", "")}`;
        const url = new URL(pg.settings.url);
        url.searchParams.set("search_path", schema);
        stateConfig.databaseUrl = url.toString();
        cliEnv = { ...cliEnv, DATABASE_URL: stateConfig.databaseUrl };
        cleanups.unshift(async () => {
          const admin = postgres(pg.settings.url, { max: 1, onnotice: () => {} });
          try {
            await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
          } finally {
            await admin.end();
          }
        });
      }
      const store = await openObjectStore(storeConfig);
      const state = await openJobState(stateConfig);
      return {
        name,
        dir,
        state,
        store,
        stateConfig,
        storeConfig,
        cliEnv,
        spillDir: join(dir, "spill"),
        async [Symbol.asyncDispose]() {
          await state.close();
          await store.close();
          for (const cleanup of cleanups) await cleanup();
        },
      };
    },
  };
}

/** Every combination of store and state. */
export const ENVS: readonly EnvSpec[] = [
  spec("fs", "sqlite"),
  spec("s3", "sqlite"),
  spec("fs", "postgres"),
  spec("s3", "postgres"),
];

/**
 * Registers a test per combination (ignored, with its reason, when the
 * combination's service is absent and `WEIR_REQUIRE_SERVICES` is not 1).
 *
 * @param name The behaviour.
 * @param fn The test body.
 * @param envs Which combinations.
 */
export function matrixTest(
  name: string,
  fn: (env: CanonicalEnv) => Promise<void>,
  envs: readonly EnvSpec[] = ENVS,
): void {
  const required = Deno.env.get("WEIR_REQUIRE_SERVICES") === "1";
  for (const e of envs) {
    const title = `[${e.name}] ${name}`;
    if (e.skip && !required) {
      Deno.test({ name: `${title} (skipped: ${e.skip})`, ignore: true, fn() {} });
      continue;
    }
    Deno.test(title, async () => {
      if (e.skip) throw new Error(`Cannot run "${title}" as WEIR_REQUIRE_SERVICES=1: ${e.skip}`);
      await using env = await e.open();
      await fn(env);
    });
  }
}

/**
 * What a table's canonical output must hold, computed without the
 * plugin's deduplicator: replay every record in order, keep per key the one
 * with the largest ordering value (the later one on a tie), drop keys whose
 * kept record is a delete, sort by key.
 *
 * @param records The table's source records, in order.
 * @param mapping The table's mapping.
 * @returns The canonical records by key.
 */
export function expectedCanonical(
  records: Record<string, unknown>[],
  mapping: TableMapping,
): Map<string, Record<string, unknown>> {
  const kept = new Map<
    string,
    { ord: number | string; deleted: boolean; record: Record<string, unknown> }
  >();
  for (const source of records) {
    const m = mapRecord(source, mapping);
    const old = kept.get(m.pk);
    if (!old || !(m.ord < old.ord)) kept.set(m.pk, m);
  }
  const out = new Map<string, Record<string, unknown>>();
  for (const pk of [...kept.keys()].sort()) {
    const k = kept.get(pk)!;
    if (!k.deleted) out.set(pk, k.record);
  }
  return out;
}

/**
 * Reads a JSON-lines source table.
 *
 * @param root The source folder.
 * @param t The table.
 * @returns Its records.
 */
export async function sourceRecords(root: string, t: TableRef): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(join(root, t.tenant, t.service, `${t.table}.jsonl`));
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}
