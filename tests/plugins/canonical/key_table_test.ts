/**
 * The deduplicator's key table keeps, per key, the version a plain replay
 * with `compareOrd` keeps, whatever mix of ordering values it is given:
 * numbers, timestamps it holds as numbers, other strings, and ties.
 */
import assert from "node:assert/strict";
import { KeyTable } from "../../../plugins/canonical/key_table.ts";
import { compareOrd } from "../../../plugins/canonical/mapping.ts";
import { isoCode, isoText } from "../../../plugins/canonical/ord_code.ts";
import { mulberry32 } from "../../../lib/random.ts";

const ORDS: (number | string)[] = [
  0,
  -0,
  5,
  5.5,
  1e21,
  "2026-01-01T00:00:00.000Z",
  "2026-01-01T00:00:00.001Z",
  "2026-01-01T00:00:00.000Z ",
  "2026-01-01",
  "2026-1-01T00:00:00.000Z",
  "2026-01-01T00:00:00.99xZ",
  "202x-01-01T00:00:00.000Z",
  "2025-12-31T23:59:59.999Z",
  "2026-02-30T00:00:00.000Z",
  "9999-12-31T23:59:60.999Z",
  "",
  "a",
];

Deno.test("KeyTable keeps per key the version a replay with compareOrd keeps, for mixed keys and ordering values", () => {
  const random = mulberry32(11);
  const table = new KeyTable();
  const replay = new Map<number | string, { ord: number | string; seq: number }>();
  // Keys kept by index (small non-negative integers) and in the Map (the others).
  const keys = (n: number): number | string =>
    [n, -n - 1, 2 ** 31 + n, n + 0.5, JSON.stringify(`k${n}`)][n % 5];
  for (let seq = 0; seq < 20_000; seq++) {
    const pk = keys(Math.floor(random() * 300));
    const ord = ORDS[Math.floor(random() * ORDS.length)];
    table.offer(pk, ord, seq, false, seq);
    const old = replay.get(pk);
    if (!old || compareOrd(ord, old.ord) >= 0) replay.set(pk, { ord, seq });
  }
  assert.equal(table.size, replay.size);
  for (const [pk, want] of replay) {
    const row = table.row(pk)!;
    assert.equal(table.value(row), want.seq, `key ${pk}`);
    assert.equal(table.seq(row), want.seq);
    assert.ok(Object.is(table.ord(row), want.ord), `key ${pk}: ord ${String(want.ord)}`);
  }
});

Deno.test("isoCode numbers only the one timestamp shape, in string order, and isoText gives it back", () => {
  const valid = ORDS.filter((o): o is string => typeof o === "string" && isoCode(o) >= 0);
  assert.deepEqual(valid, [
    "2026-01-01T00:00:00.000Z",
    "2026-01-01T00:00:00.001Z",
    "2025-12-31T23:59:59.999Z",
    "2026-02-30T00:00:00.000Z",
    "9999-12-31T23:59:60.999Z",
  ]);
  for (const a of valid) {
    assert.equal(isoText(isoCode(a)), a);
    for (const b of valid) assert.equal(Math.sign(isoCode(a) - isoCode(b)), compareOrd(a, b));
  }
});
