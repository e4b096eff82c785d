/**
 * With an identity mapping the transform writes kept source lines as they
 * are: copied as bytes from ASCII files, as text from the others (non-ASCII,
 * invalid UTF-8), in memory and after spilling. The output is checked byte
 * for byte against a replay of the lines written here.
 */
import assert from "node:assert/strict";
import { canonicalize } from "../../../plugins/canonical/canonicalize.ts";
import { canonicalKeys } from "../../../plugins/canonical/keys.ts";
import { DEFAULT_MAPPING } from "../../../plugins/canonical/mapping.ts";
import { ENVS, matrixTest } from "../../helpers/canonical.ts";

const T = { tenant: "acme", service: "crm", table: "people" };
const enc = new TextEncoder();

/** Batch files: ASCII, non-ASCII, invalid UTF-8 with CRLF, empty. */
const FILES: Record<string, Uint8Array> = {
  "a.jsonl": enc.encode(
    [
      '{"id":1,"op":"upsert","updated_at":"2026-01-01T00:00:01.000Z","n":"a1"}',
      '{"id":2,"op":"upsert","updated_at":"2026-01-01T00:00:02.000Z","n":"a2"}',
      '{"id":"k","op":"upsert","updated_at":"2026-01-01T00:00:03.000Z"}',
      "not json",
      '{"id":10,"op":"upsert","updated_at":"2026-01-01T00:00:04.000Z"}',
      "",
      '{"id":3,"op":"upsert","updated_at":"2026-01-01T00:00:05.000Z"}',
    ].join("\n") + "\n",
  ),
  "b.jsonl": enc.encode([
    '{"id":1,"op":"upsert","updated_at":"2026-01-02T00:00:00.000Z","n":"é"}',
    '{"id":"é","op":"upsert","updated_at":"2026-01-02T00:00:01.000Z","n":"😀"}',
    '{"id":2,"op":"delete","updated_at":"2026-01-02T00:00:02.000Z"}',
    '{"id":3,"op":"upsert","updated_at":"2025-12-31T00:00:00.000Z","n":"older"}',
  ].join("\n")),
  "c.jsonl": new Uint8Array([
    ...enc.encode('{"id":4,"op":"upsert","updated_at":"2026-01-03T00:00:00.000Z","n":"'),
    0xff,
    ...enc.encode('"}\r\n{"id":10,"op":"upsert","updated_at":"2026-01-03T00:00:01.000Z"}\r\n'),
  ]),
  "d.jsonl": new Uint8Array(),
  "e.jsonl": enc.encode('{"id":"k","op":"upsert","updated_at":"2026-01-04T00:00:00.000Z","x":1}\n'),
};

/** What the output must be: the newest line per key (later wins ties), deletes dropped, by key. */
function expected(): Uint8Array {
  const kept = new Map<string, { ord: string; line: string; deleted: boolean }>();
  for (const bytes of Object.values(FILES)) {
    for (const line of new TextDecoder().decode(bytes).split("\n")) {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line);
      } catch {
        continue;
      }
      const key = typeof r.id === "number" ? String(r.id) : JSON.stringify(r.id);
      const ord = r.updated_at as string;
      const old = kept.get(key);
      if (!old || ord >= old.ord) kept.set(key, { ord, line, deleted: r.op === "delete" });
    }
  }
  const lines = [...kept.keys()].sort().map((k) => kept.get(k)!).filter((k) => !k.deleted);
  return enc.encode(lines.map((k) => k.line).join("\n") + "\n");
}

for (const memoryRecords of [1_000_000, 2]) {
  matrixTest(
    `identity mapping writes kept source lines as they are, byte for byte (memoryRecords ${memoryRecords})`,
    async (env) => {
      const files: string[] = [];
      for (const [name, bytes] of Object.entries(FILES)) {
        const key = `raw/acme/crm/people/j1/${name}`;
        await env.store.put(key, bytes);
        files.push(key);
      }
      const run = await canonicalize(
        { state: env.state, store: env.store, spillDir: env.spillDir },
        {
          ...T,
          job: "j1",
          files,
          windowHours: 72,
          trigger: "manual",
          mapping: DEFAULT_MAPPING,
          memoryRecords,
        },
      );
      assert.equal(run.spilled, memoryRecords === 2);
      assert.equal(run.recordsRead, 13);
      assert.equal(run.rejected, 1);
      assert.equal(run.deleted, 1);
      assert.equal(run.recordsOut, 6);
      const out = await env.store.get(canonicalKeys(T, "j1").output);
      assert.deepEqual(out, expected());
    },
    [ENVS[0], ENVS[1]],
  );
}
