/**
 * The source port: where a chunk processor reads its records from, page by
 * page, by offset. Two adapters: JSON-lines files per table (`jsonl.ts`, the
 * default) and an HTTP JSON API with offset pagination (`http.ts`).
 *
 * @module
 */
import type { TableRef } from "../model.ts";

/** A table a source offers, with its record count. */
export interface SourceTable extends TableRef {
  /** How many records it has. */
  count: number;
}

/** One page of records. */
export interface SourcePage {
  /** The offset of its first record. */
  offset: number;
  /** Its records, in source order. */
  records: Record<string, unknown>[];
}

/** A source of records per table. */
export interface Source {
  /** `"jsonl"` or `"http"`. */
  readonly kind: string;
  /** The tables it offers, sorted by tenant, service, table. */
  tables(): Promise<SourceTable[]>;
  /**
   * Reads records `[start, end)` of a table in pages of `pageSize`.
   *
   * @param t The table.
   * @param start The first offset.
   * @param end One past the last offset.
   * @param pageSize Records per page.
   * @param signal Stops reading.
   */
  read(
    t: TableRef,
    start: number,
    end: number,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<SourcePage>;
  /** Releases what it holds. */
  close(): Promise<void>;
}
