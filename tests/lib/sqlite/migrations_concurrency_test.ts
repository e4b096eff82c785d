import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MigrateResult } from "../../../lib/sqlite/migrations.ts";
import { migrate } from "../../../lib/sqlite/migrations.ts";
import { openSqlite } from "../../../lib/sqlite/open.ts";
import { MIGRATIONS, ROWS } from "../../fixtures/migrate_worker.ts";

const WORKER = fileURLToPath(new URL("../../fixtures/migrate_worker.ts", import.meta.url));
const WORKERS = 4;
const ROUNDS = 3;
const LATEST = MIGRATIONS.at(-1)!.version;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weir-migrate-race-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/**
 * Starts {@linkcode WORKERS} processes that each open `path`, waits until all
 * have it open, then lets them migrate at once; returns their results.
 */
async function migrateInProcesses(path: string): Promise<MigrateResult[]> {
  const children = Array.from({ length: WORKERS }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", "--allow-write", WORKER, path],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  const stderr = children.map((child) => new Response(child.stderr).text());
  const stdout = children.map((child) => lines(child.stdout));
  const ready = await Promise.all(stdout.map((out) => out.next()));
  // Closing stdin is the starting signal: every worker is past opening the database.
  await Promise.all(children.map((child) => child.stdin.close()));
  const rest = await Promise.all(stdout.map((out) => Array.fromAsync(out)));
  const statuses = await Promise.all(children.map((child) => child.status));
  const errors = await Promise.all(stderr);
  return statuses.map((status, i) => {
    assert.equal(status.code, 0, `worker ${i} failed: ${errors[i]}`);
    assert.equal(ready[i].value, "ready");
    assert.equal(rest[i].length, 1, `worker ${i} wrote ${JSON.stringify(rest[i])}`);
    return JSON.parse(rest[i][0]);
  });
}

/** Checks that exactly one result applied `versions` and the others found nothing to do. */
function assertAppliedOnce(results: MigrateResult[], from: number, versions: number[]): void {
  const migrators = results.filter((r) => r.applied.length > 0);
  assert.equal(migrators.length, 1, JSON.stringify(results));
  const { backup: _, ...result } = migrators[0];
  assert.deepEqual(result, { from, to: LATEST, applied: versions });
  for (const r of results.filter((r) => r.applied.length === 0)) {
    assert.deepEqual(r, { from: LATEST, to: LATEST, applied: [] });
  }
}

/** Checks the database holds the latest schema, each migration once, and `items` rows. */
function assertMigrated(path: string, items: number): void {
  const db = openSqlite(path);
  try {
    const one = (sql: string) => ({ ...db.prepare(sql).get() });
    assert.deepEqual(one("PRAGMA integrity_check"), { integrity_check: "ok" });
    assert.deepEqual(db.prepare("PRAGMA foreign_key_check").all(), []);
    const versions = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version")
      .all().map((r) => ({ ...r }));
    assert.deepEqual(versions, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    assert.deepEqual(one("SELECT count(*) AS n, sum(n) AS total FROM items"), {
      n: items,
      total: ROWS * (ROWS + 1) / 2,
    });
    assert.deepEqual(one("SELECT count(*) AS n FROM items WHERE even != (n % 2 = 0)"), { n: 0 });
    assert.deepEqual(db.prepare("SELECT item_id, tag FROM tags").all().map((r) => ({ ...r })), [
      { item_id: 1, tag: "first" },
    ]);
  } finally {
    db.close();
  }
}

function backups(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((name) => name.includes(".bak-"));
}

Deno.test("migrate() in several processes at once creates a fresh database exactly once", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    await withDir(async (dir) => {
      const path = join(dir, "weir.db");
      const results = await migrateInProcesses(path);
      assertAppliedOnce(results, 0, MIGRATIONS.map((m) => m.version));
      assertMigrated(path, ROWS);
      assert.deepEqual(backups(dir), []);
    });
  }
});

Deno.test("migrate() in several processes at once upgrades an existing database once, with one backup", async () => {
  for (let round = 0; round < ROUNDS; round++) {
    await withDir(async (dir) => {
      const path = join(dir, "weir.db");
      const seed = openSqlite(path);
      migrate(seed, path, MIGRATIONS.slice(0, 1));
      seed.prepare("INSERT INTO items (id, n) VALUES (1, 0)").run();
      seed.close();
      const results = await migrateInProcesses(path);
      assertAppliedOnce(results, 1, MIGRATIONS.slice(1).map((m) => m.version));
      assertMigrated(path, ROWS + 1);
      const [backup, ...others] = backups(dir);
      assert.deepEqual(others, []);
      assert.equal(results.find((r) => r.backup)?.backup, join(dir, backup));
      const old = openSqlite(join(dir, backup));
      assert.deepEqual(
        old.prepare("SELECT version FROM schema_migrations").all().map((r) => r.version),
        [1],
      );
      assert.deepEqual(old.prepare("SELECT id, n FROM items").all().map((r) => ({ ...r })), [
        { id: 1, n: 0 },
      ]);
      old.close();
    });
  }
});
