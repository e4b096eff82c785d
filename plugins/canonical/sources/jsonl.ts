/**
 * The JSON-lines source: a folder with one file per table,
 * `{tenant}/{service}/{table}.jsonl`, one record per line.
 *
 * @module
 */
import { join } from "node:path";
import type { TableRef } from "../model.ts";
import type { Source, SourcePage, SourceTable } from "./port.ts";

/** Yields the lines of a file, streaming (empty lines skipped). */
async function* fileLines(path: string, signal?: AbortSignal): AsyncGenerator<string> {
  const file = await Deno.open(path);
  let rest = "";
  try {
    for await (const text of file.readable.pipeThrough(new TextDecoderStream())) {
      signal?.throwIfAborted();
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const line of parts) if (line.trim() !== "") yield line;
    }
    if (rest.trim() !== "") yield rest;
  } finally {
    try {
      file.close();
    } catch { /* already closed by the stream */ }
  }
}

/**
 * Records in JSON-lines files under a folder.
 *
 * @example List the tables of the committed sample
 * ```ts
 * import { JsonlSource } from "./jsonl.ts";
 * import assert from "node:assert/strict";
 * const source = new JsonlSource("fixtures/canonical/sample/source");
 * const tables = await source.tables();
 * assert.ok(tables.length >= 4);
 * ```
 */
export class JsonlSource implements Source {
  /** The adapter's kind. */
  readonly kind = "jsonl";
  /** The folder. */
  readonly root: string;

  /**
   * Reads records under `root`.
   *
   * @param root The folder holding `{tenant}/{service}/{table}.jsonl`.
   */
  constructor(root: string) {
    this.root = root;
  }

  async tables(): Promise<SourceTable[]> {
    const out: SourceTable[] = [];
    for (const tenant of await sortedEntries(this.root, true)) {
      for (const service of await sortedEntries(join(this.root, tenant), true)) {
        for (const file of await sortedEntries(join(this.root, tenant, service), false)) {
          if (!file.endsWith(".jsonl")) continue;
          const ref = { tenant, service, table: file.slice(0, -".jsonl".length) };
          let count = 0;
          for await (const _ of fileLines(this.#path(ref))) count++;
          out.push({ ...ref, count });
        }
      }
    }
    return out;
  }

  async *read(
    t: TableRef,
    start: number,
    end: number,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<SourcePage> {
    let offset = 0;
    let page: SourcePage = { offset: start, records: [] };
    for await (const line of fileLines(this.#path(t), signal)) {
      if (offset >= end) break;
      if (offset++ < start) continue;
      page.records.push(JSON.parse(line));
      if (page.records.length === pageSize) {
        yield page;
        page = { offset, records: [] };
      }
    }
    if (page.records.length > 0) yield page;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #path(t: TableRef): string {
    return join(this.root, t.tenant, t.service, `${t.table}.jsonl`);
  }
}

async function sortedEntries(dir: string, directories: boolean): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (directories ? e.isDirectory : e.isFile) names.push(e.name);
  }
  return names.sort();
}
