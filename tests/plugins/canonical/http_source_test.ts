/**
 * The HTTP source adapter against a local `Deno.serve` API with offset
 * pagination (and a transient 503): a job read over HTTP writes the same
 * batch files as the same job read from the JSON-lines files.
 */
import assert from "node:assert/strict";
import { HttpSource } from "../../../plugins/canonical/sources/http.ts";
import { JsonlSource } from "../../../plugins/canonical/sources/jsonl.ts";
import { ENVS, matrixTest, sourceRecords } from "../../helpers/canonical.ts";
import { readJsonl, runFlow, SAMPLE } from "./_flow.ts";

/** Serves the sample as `/tables` and `/records?...&offset=&limit=`; fails the first records call with 503. */
async function serveSample(): Promise<{ url: string; calls: string[]; close(): Promise<void> }> {
  const tables = await new JsonlSource(SAMPLE).tables();
  const calls: string[] = [];
  let failed = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    calls.push(url.pathname + url.search);
    if (url.pathname === "/api/tables") return Response.json(tables);
    if (url.pathname !== "/api/records") return new Response("not found", { status: 404 });
    if (!failed) {
      failed = true;
      return new Response("busy", { status: 503 });
    }
    const q = url.searchParams;
    const t = { tenant: q.get("tenant")!, service: q.get("service")!, table: q.get("table")! };
    const all = await sourceRecords(SAMPLE, t);
    const offset = Number(q.get("offset"));
    const limit = Number(q.get("limit"));
    const records = all.slice(offset, offset + limit);
    const next = offset + records.length;
    return Response.json({ records, next_offset: next < all.length ? next : null });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/api`,
    calls,
    close: () => server.shutdown(),
  };
}

matrixTest(
  "a job read from the HTTP API (offset pagination, a 503 retried) writes the same batch files as from JSON lines",
  async (env) => {
    const api = await serveSample();
    try {
      const source = new HttpSource(api.url);
      const { chunks } = await runFlow(env, { source });
      assert.ok(chunks.every((c) => c.result.completed));
      assert.ok(api.calls.some((c) => c.includes("offset=25&limit=25")));
      for (const c of chunks) {
        const t = c.result.table_metadata;
        const expected = (await sourceRecords(SAMPLE, t)).slice(t.start_offset, t.end_offset);
        const written = [];
        for (const key of c.result.s3_files_written) written.push(...await readJsonl(env, key));
        assert.deepEqual(written, expected);
      }
      assert.equal((await env.state.transforms("j1")).length, 6);
    } finally {
      await api.close();
    }
  },
  ENVS.filter((e) => e.name === "fs+sqlite"),
);
