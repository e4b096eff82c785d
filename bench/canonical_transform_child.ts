/**
 * One canonical transform in a process of its own, for the benchmark's
 * peak-memory figure: transforms the given table's batch files (file mode)
 * and prints `{ms, records_read, records_out, spilled, peak_rss_mb}`, the
 * peak being the kernel's high-water mark of the resident set (`ru_maxrss`;
 * start it with `freshProcess` from `harness.ts`, so the peak is its own).
 *
 * Run: `deno run -R -W=<dir> bench/canonical_transform_child.ts <dir>/objects <dir>/state.db <tenant/service/table> <files.json>`
 *
 * @module
 */
// deno-lint-ignore-file no-console -- prints its figures for the benchmark
import { join } from "node:path";
import process from "node:process";
import { openObjectStore } from "../lib/objects/open.ts";
import { canonicalize } from "../plugins/canonical/canonicalize.ts";
import { DEFAULT_MAPPING } from "../plugins/canonical/mapping.ts";
import { defaults } from "../plugins/canonical/options.ts";
import { SqliteJobState } from "../plugins/canonical/state/sqlite.ts";

if (import.meta.main) {
  const [root, db, table, filesPath] = Deno.args;
  const [tenant, service, name] = table.split("/");
  const files: string[] = JSON.parse(await Deno.readTextFile(filesPath));
  const store = await openObjectStore({ kind: "fs", root });
  const state = SqliteJobState.open(db);
  const started = performance.now();
  const r = await canonicalize({ state, store, spillDir: join(root, "..", "spill") }, {
    tenant,
    service,
    table: name,
    job: `peak-${crypto.randomUUID().slice(0, 8)}`,
    files,
    windowHours: 72,
    trigger: "batch",
    mapping: DEFAULT_MAPPING,
    memoryRecords: defaults.memoryRecords,
  });
  const ms = performance.now() - started;
  const hwm = process.resourceUsage().maxRSS; // kB; started by freshProcess, so its own
  console.log(JSON.stringify({
    ms,
    records_read: r.recordsRead,
    records_out: r.recordsOut,
    spilled: r.spilled,
    peak_rss_mb: Math.round(Number(hwm) / 102.4) / 10,
  }));
  await state.close();
  await store.close();
}
