import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../../kernel/config.ts";
import { type ContextParts, createTaskContext } from "../../kernel/context.ts";
import { createLogger } from "../../kernel/report/logger.ts";
import { Redactor } from "../../lib/redact.ts";
import { Terminal } from "../../lib/terminal.ts";
import { RunRecords } from "../../kernel/run_records.ts";
import { checkpointsMigration, CheckpointStore } from "../../lib/sqlite/checkpoints.ts";
import type { Migration } from "../../lib/sqlite/migrations.ts";
import { openSqlite, transaction } from "../../lib/sqlite/open.ts";

const ITEMS: readonly Migration[] = [
  { version: 1, name: "items", up: ["CREATE TABLE items (id INTEGER PRIMARY KEY)"] },
  checkpointsMigration(2),
];

function parts(home: string, extra: Partial<ContextParts> = {}): ContextParts {
  const terminal = new Terminal({ writeSync: (b) => b.length }, false);
  return {
    runId: "r1",
    taskId: "demo.sync",
    log: createLogger({ terminal }),
    signal: new AbortController().signal,
    config: loadConfig({ home }, {}).config,
    terminal,
    quiet: true,
    ...extra,
  };
}

Deno.test("ctx.database() applies the migrations, checkpoint table included, and closes the database when the task ends", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-context-" });
  try {
    const path = join(home, "demo", "demo.db");
    const { ctx, dispose } = createTaskContext(parts(home));
    const opened = await ctx.database({ path, migrations: ITEMS });
    assert.equal(opened.path, path);
    assert.equal(opened.checkpoints.scope, "demo.sync");
    const tables = opened.db.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
    ).all().map((r) => String(r.name));
    assert.deepEqual(tables, ["items", "schema_migrations", "weir_checkpoints"]);
    assert.equal(opened.db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
    await dispose();
    assert.equal(opened.db.isOpen, false);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ctx.database(): a unit of work and its checkpoint commit together or roll back together", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-context-" });
  try {
    const path = join(home, "demo.db");
    const { ctx, dispose } = createTaskContext(parts(home));
    const { db, checkpoints } = await ctx.database({ path, migrations: ITEMS });
    transaction(db, () => {
      db.prepare("INSERT INTO items (id) VALUES (1), (2)").run();
      checkpoints.set("cursor", 2);
    });
    assert.throws(() =>
      transaction(db, () => {
        db.prepare("INSERT INTO items (id) VALUES (3)").run();
        checkpoints.set("cursor", 3);
        throw new Error("crash before commit");
      }), { message: "crash before commit" });
    await dispose();

    // What a resumed run sees: the checkpoint and the rows of the last commit, nothing after.
    const reopened = openSqlite(path);
    try {
      assert.equal(new CheckpointStore(reopened, "demo.sync").get("cursor"), 2);
      assert.equal(reopened.prepare("SELECT max(id) AS id FROM items").get()?.id, 2);
    } finally {
      reopened.close();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ctx.database() reads another task's checkpoints when given its scope", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-context-" });
  try {
    const path = join(home, "demo.db");
    const writer = createTaskContext(parts(home));
    (await writer.ctx.database({ path, migrations: ITEMS })).checkpoints.set("cursor", 7);
    await writer.dispose();
    const reader = createTaskContext(parts(home, { taskId: "demo.status" }));
    const own = await reader.ctx.database({ path, migrations: ITEMS });
    const sync = await reader.ctx.database({
      path,
      migrations: ITEMS,
      checkpointScope: "demo.sync",
    });
    assert.equal(own.checkpoints.get("cursor"), undefined);
    assert.equal(sync.checkpoints.get("cursor"), 7);
    await reader.dispose();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ctx.database() refuses migrations without the checkpoint table, naming the fix", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-context-" });
  try {
    const path = join(home, "demo.db");
    const { ctx, dispose } = createTaskContext(parts(home));
    await assert.rejects(ctx.database({ path, migrations: ITEMS.slice(0, 1) }), {
      name: "Error",
      message:
        `Cannot open checkpoints "demo.sync" as the database has no weir_checkpoints table (add checkpointsMigration(<next version>) to its migrations): current value is "${path}"`,
    });
    await dispose();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ctx.runs reads the kernel's run records; without them it says why it cannot", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-context-" });
  const records = RunRecords.open(home, new Redactor());
  try {
    records.start({ id: "r0", kind: "task", name: "demo.sync", params: {} });
    records.finish("r0", { status: "partial", counters: { saved: 2, failed: 1 } });
    const { ctx, dispose } = createTaskContext(parts(home, { runs: records }));
    assert.deepEqual(ctx.runs.get("r0")?.counters, { saved: 2, failed: 1 });
    assert.equal(ctx.runs.get("missing"), undefined);
    await dispose();

    const sandboxed = createTaskContext(parts(home));
    assert.throws(() => sandboxed.ctx.runs.get("r0"), {
      message:
        'Cannot read run "r0" as this task runs without the kernel\'s run records (in the sandbox): current value is "demo.sync"',
    });
    await sandboxed.dispose();
  } finally {
    records.close();
    await Deno.remove(home, { recursive: true });
  }
});
