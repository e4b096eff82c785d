/**
 * The HTTP source: a JSON API with offset pagination.
 *
 * - `GET {base}/tables` answers `[{tenant, service, table, count}]`;
 * - `GET {base}/records?tenant=&service=&table=&offset=&limit=` answers
 *   `{records: [...], next_offset: number | null}`.
 *
 * A failed request (a network error, a 429 or a 5xx) is retried with backoff.
 *
 * @module
 */
import { retry, RetryableError } from "../../../lib/async/retry.ts";
import type { TableRef } from "../model.ts";
import type { Source, SourcePage, SourceTable } from "./port.ts";

/**
 * Records from an HTTP JSON API.
 *
 * @example Read from a local server
 * ```ts
 * import { HttpSource } from "./http.ts";
 * import assert from "node:assert/strict";
 * const server = Deno.serve({ port: 0, onListen() {} }, (req) => {
 *   const url = new URL(req.url);
 *   if (url.pathname === "/tables") {
 *     return Response.json([{ tenant: "t", service: "s", table: "a", count: 1 }]);
 *   }
 *   return Response.json({ records: [{ id: 1 }], next_offset: null });
 * });
 * const source = new HttpSource(`http://127.0.0.1:${server.addr.port}`);
 * assert.equal((await source.tables()).length, 1);
 * await server.shutdown();
 * ```
 */
export class HttpSource implements Source {
  /** The adapter's kind. */
  readonly kind = "http";
  /** The API's base URL, without a trailing `/`. */
  readonly base: string;

  /**
   * Reads records from the API at `base`.
   *
   * @param base The base URL.
   */
  constructor(base: string) {
    this.base = base.replace(/\/+$/, "");
  }

  async tables(): Promise<SourceTable[]> {
    return await this.#get(`${this.base}/tables`) as SourceTable[];
  }

  async *read(
    t: TableRef,
    start: number,
    end: number,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<SourcePage> {
    let offset = start;
    while (offset < end) {
      const limit = Math.min(pageSize, end - offset);
      const q = new URLSearchParams({
        tenant: t.tenant,
        service: t.service,
        table: t.table,
        offset: String(offset),
        limit: String(limit),
      });
      const body = await this.#get(`${this.base}/records?${q}`, signal) as {
        records: Record<string, unknown>[];
        next_offset: number | null;
      };
      if (body.records.length === 0) return;
      yield { offset, records: body.records.slice(0, limit) };
      offset += Math.min(body.records.length, limit);
      if (body.next_offset === null) return;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #get(url: string, signal?: AbortSignal): Promise<unknown> {
    return await retry(async () => {
      let res: Response;
      try {
        res = await fetch(url, { signal });
      } catch (cause) {
        throw new RetryableError(`Cannot reach the source "${url}"`, { cause });
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        throw new RetryableError(`Cannot read "${url}" as the server answered ${res.status}`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`Cannot read "${url}" as the server answered ${res.status}`);
      }
      return await res.json();
    }, { maxAttempts: 5, baseDelayMs: 50, signal });
  }
}
