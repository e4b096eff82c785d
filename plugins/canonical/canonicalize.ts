/**
 * The transform's work, apart from the task so that `run_job`, the legacy
 * per-batch mode and the benchmark share it: take a table's files (given,
 * or discovered in a time window), skip those the ledger says were consumed,
 * map, deduplicate by key keeping the newest, drop deleted keys, write the
 * canonical output and its manifest, then record the run and the consumed
 * files in one transaction.
 *
 * @module
 */
import { join } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import { pool } from "../../lib/async/pool.ts";
import { retry } from "../../lib/async/retry.ts";
import type { ObjectStore } from "../../lib/objects/port.ts";
import { Body } from "./body.ts";
import { Deduper } from "./dedupe.ts";
import { canonicalKeys, rawPrefix } from "./keys.ts";
import { RecordReader, type TableMapping } from "./mapping.ts";
import type { TableRef, TransformMode, TransformRun, TransformTrigger } from "./model.ts";
import { SourceLines } from "./source_lines.ts";
import type { JobState } from "./state/port.ts";

/** What {@linkcode canonicalize} needs. */
export interface CanonicalizeDeps {
  /** The job state (ledger and run records). */
  state: JobState;
  /** Where the batch files are and the output goes. */
  store: ObjectStore;
  /** A folder for spill files. */
  spillDir: string;
  /** Stops between files. */
  signal?: AbortSignal;
  /** Told about the mode, file count and outcome. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** One transform request. */
export interface CanonicalizeRequest extends TableRef {
  /** The job whose output it writes. */
  job: string;
  /** The exact files (file mode); discovery in the window when absent. */
  files?: readonly string[];
  /** The window of time-based discovery, in hours. */
  windowHours: number;
  /** Who triggered it; `"batch"` (legacy) neither skips consumed files nor records them. */
  trigger: TransformTrigger;
  /** The table's mapping. */
  mapping: TableMapping;
  /** Keys kept in memory before spilling to SQLite. */
  memoryRecords: number;
  /** The clock, in ms since the epoch. @default {Date.now()} */
  now?: number;
}

/** What a transform did. */
export interface CanonicalizeResult extends TransformRun {
  /** Whether its files came from the request or from discovery. */
  mode: TransformMode;
  /** Its output key, when it wrote one. */
  output?: string;
  /** Keys whose newest version deletes them. */
  deleted: number;
  /** Records that failed mapping (skipped). */
  rejected: number;
  /** Whether deduplication spilled to SQLite. */
  spilled: boolean;
  /** Bytes of the files it read. */
  bytesRead: number;
  /** Why it was a no-op, when it was. */
  reason?: string;
}

/** Orders batch keys by job, chunk and batch number. */
function compareBatchKeys(a: string, b: string): number {
  const parts = (k: string) => {
    const m = /\/([^/]+)\/chunk-(\d+)-batch-(\d+)\.jsonl$/.exec(k);
    return m ? [m[1], Number(m[2]), Number(m[3])] as const : [k, 0, 0] as const;
  };
  const [ja, ca, ba] = parts(a);
  const [jb, cb, bb] = parts(b);
  return ja < jb ? -1 : ja > jb ? 1 : ca - cb || ba - bb;
}

/**
 * Reads one file's records into the deduplicator, counting them in the run.
 * With an identity mapping a kept version is its source line: a ref to it
 * when the file is ASCII (its bytes are then copied to the output as they
 * are), else the line's text.
 */
function fileTaker(
  run: CanonicalizeResult,
  reader: RecordReader,
  dedupe: Deduper,
  lines: SourceLines,
): (bytes: Uint8Array) => void {
  const decoder = new TextDecoder();
  return (bytes) => {
    run.filesRead++;
    run.bytesRead += bytes.length;
    const text = decoder.decode(bytes);
    const file = reader.identity ? lines.add(bytes, text) : -1;
    for (let start = 0, end = 0; start < text.length; start = end + 1) {
      end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      if (end === start) continue;
      const line = text.slice(start, end);
      run.recordsRead++;
      try {
        reader.read(JSON.parse(line));
        const v = !reader.identity ? reader.record : file >= 0 ? lines.ref(file, start, end) : line;
        dedupe.add(reader.pk, reader.ord, reader.deleted, v);
      } catch {
        run.rejected++;
      }
    }
  };
}

/**
 * Lists a table's batch files modified within the window, in batch order.
 *
 * @param store The object store.
 * @param t The table.
 * @param windowHours The window.
 * @param now The clock.
 * @returns The keys.
 */
export async function discoverFiles(
  store: ObjectStore,
  t: TableRef,
  windowHours: number,
  now: number,
): Promise<string[]> {
  const since = now - windowHours * 3_600_000;
  const keys: string[] = [];
  for await (const entry of store.list(rawPrefix(t))) {
    if (!entry.key.endsWith(".jsonl")) continue;
    if ((entry.modified?.getTime() ?? now) >= since) keys.push(entry.key);
  }
  return keys.sort(compareBatchKeys);
}

/**
 * Runs one transform.
 *
 * @param deps The state, store and spill folder.
 * @param req The table, job, files or window, mapping.
 * @returns What it did (also recorded in the job state).
 */
export async function canonicalize(
  deps: CanonicalizeDeps,
  req: CanonicalizeRequest,
): Promise<CanonicalizeResult> {
  const { state, store, log } = deps;
  const now = req.now ?? Date.now();
  const mode: TransformMode = req.files ? "files" : "window";
  const listed = req.files ? [...req.files] : await discoverFiles(store, req, req.windowHours, now);
  const legacy = req.trigger === "batch";
  const consumed = legacy ? new Set<string>() : await state.consumed(req, listed);
  const files = listed.filter((f) => !consumed.has(f));
  log?.("transform", {
    table: `${req.tenant}/${req.service}/${req.table}`,
    mode,
    files: listed.length,
    new_files: files.length,
  });
  const run: CanonicalizeResult = {
    run: crypto.randomUUID(),
    job: req.job,
    tenant: req.tenant,
    service: req.service,
    table: req.table,
    mode,
    trigger: req.trigger,
    filesListed: listed.length,
    filesRead: 0,
    recordsRead: 0,
    recordsOut: 0,
    noop: false,
    deleted: 0,
    rejected: 0,
    spilled: false,
    bytesRead: 0,
  };
  if (files.length === 0) {
    const reason = listed.length === 0 ? "no files" : "every file was already consumed";
    await state.finishRun({ ...run, noop: true }, []);
    return { ...run, noop: true, reason };
  }
  const lines = new SourceLines();
  const dedupe = new Deduper({
    memoryRecords: req.memoryRecords,
    spillPath: join(deps.spillDir, `${run.run}.db`),
    lineText: (ref) => lines.text(ref),
    onSpill: () => lines.release(),
  });
  const take = fileTaker(run, new RecordReader(req.mapping), dedupe, lines);
  try {
    const reads = pool(files, (key) => retry(() => store.get(key)), {
      concurrency: 4,
      ordered: true,
      signal: deps.signal,
    });
    for await (const r of reads) {
      if (r.status !== "fulfilled") {
        throw r.status === "rejected" ? r.reason : new Error("Cannot transform as it was stopped");
      }
      const bytes = r.value;
      if (bytes === undefined) {
        throw new Error(`Cannot transform as the file "${r.item}" is missing`);
      }
      take(bytes);
    }
    // Sized for the input (up to 64 MiB, doubling after): a deduplicated
    // output rarely exceeds it, and pages never written take no memory.
    const out = new Body(lines, Math.min(run.bytesRead + 1024, 64 * 1024 * 1024));
    for (const versions of dedupe.finish()) for (const v of versions) out.add(v);
    const body = out.finish();
    run.recordsOut = out.lines;
    run.deleted = dedupe.deletedKeys;
    run.spilled = dedupe.spilled;
    const keys = canonicalKeys(req, req.job);
    // The hash is computed while the store writes (and syncs) the output.
    const written = retry(() =>
      store.put(keys.output, body, { contentType: "application/x-ndjson" })
    );
    const sha256 = sha256Hex(body);
    await written;
    const manifest = {
      job: req.job,
      tenant: req.tenant,
      service: req.service,
      table: req.table,
      mode,
      trigger: req.trigger,
      records_read: run.recordsRead,
      records_out: run.recordsOut,
      deleted: run.deleted,
      rejected: run.rejected,
      sha256,
      source_files: files,
    };
    await retry(() => store.put(keys.manifest, JSON.stringify(manifest, null, 2) + "\n"));
    await state.finishRun(run, legacy ? [] : files);
    log?.("transform written", { output: keys.output, records_out: run.recordsOut });
    return { ...run, output: keys.output };
  } finally {
    dedupe.close();
  }
}
