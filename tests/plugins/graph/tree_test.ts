/**
 * Hashing and flattening: stability as properties (fast-check), the test
 * vectors of the README, and an independent implementation of the
 * README's encoding that must agree with the plugin's.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { canonicalJson } from "../../../lib/hash.ts";
import { flatten, hashTree, type Json, rebuild, unflatten } from "../../../plugins/graph/tree.ts";

/** The same value with every object's keys inserted in reverse order. */
function reordered(v: Json): Json {
  if (Array.isArray(v)) return v.map(reordered);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, Json> = {};
  for (const k of Object.keys(v).reverse()) {
    Object.defineProperty(out, k, {
      value: reordered(v[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The README's encoding, written again from the text alone. */
function readmeHash(v: Json): string {
  const sha = (s: string | Uint8Array) => createHash("sha256").update(s).digest("hex");
  const merkle = (leaves: string[]): string => {
    if (leaves.length === 0) return sha("");
    let level: Uint8Array[] = leaves.map((h) => Buffer.from(h, "hex"));
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) {
        next.push(
          i + 1 < level.length
            ? createHash("sha256").update(level[i]).update(level[i + 1]).digest()
            : level[i],
        );
      }
      level = next;
    }
    return Buffer.from(level[0]).toString("hex");
  };
  if (Array.isArray(v)) return sha(`array:${v.length}:${merkle(v.map(readmeHash))}`);
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    const entries = keys.map((k) => sha(`entry:${JSON.stringify(k)}:${readmeHash(v[k])}`));
    return sha(`object:${keys.length}:${merkle(entries)}`);
  }
  return sha(`value:${JSON.stringify(v)}`);
}

const VECTORS: [Json, string][] = [
  [null, "73ebd84063735abeba9725911f9d45b364234fc6c0e8808ea37663fd9feb5721"],
  [true, "c642c4b92649a1e433d9eb65c67a81bab8b20af0728bda7d5f50a9e78d51a2d7"],
  [0, "d8ec21b9ec5e1bce9be7f349c5939e22129a8f1e81e7f5f04fab1cc7a5900f97"],
  [1.5, "c3fc154768035d9f14a59c63b2d126514350bcfe569c7636c85d5e74648ff4ef"],
  [1e21, "bab1d4ceda0fdf488ba36154f7ebd48977c624476ced880e8628d151d4ed185d"],
  ["", "0c3ddd13424877c2b9fd29e22eee0d300772c167c1540630cfa7039ef0e62267"],
  ["é", "f57577e06cae73caf53f8e8faad98581e6d382df0f4e2e8537c98e71f9adc6f3"],
  ["e\u0301", "49497c05db4ec9047eddbb7eb67ec1fadb2263aeaf5ee79f9913dc7696fe30f8"],
  [[], "78e8ed264b5bbb1f1f98a0c8a772676f2dcdf8ae221bf53fc6c7dcddfaa87818"],
  [{}, "a58b8464232cb0cb894177daf3fce62dd76087ae70ca05b2489105d837982245"],
  [[1, 2, 3], "3ae643544cb4e8c44f91471e328b1f61668a64b2636497c7c5915218031d1590"],
  [{ b: 1, a: [true, null] }, "74a65d2aeda0a3b66bbda3a59fcaf3d3c07b832a665a4432ee3d494da06368ba"],
  [{ "": { x: "🚀" } }, "112cedce0dbfb78de12a32f50b5f84b0740d4f085d5c6a430a80b14e44701580"],
];

Deno.test("hashTree() gives the README's test vectors", () => {
  for (const [value, hash] of VECTORS) {
    assert.equal(hashTree(value).root, hash, JSON.stringify(value));
  }
  assert.equal(hashTree(-0).root, hashTree(0).root);
});

Deno.test("an independent implementation of the README's encoding agrees (property)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(hashTree(v as Json).root, readmeHash(v as Json));
    }),
    { numRuns: 300, seed: 12 },
  );
});

Deno.test("the same content in another key order has the same hash (property)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.equal(hashTree(reordered(v as Json)).root, hashTree(v as Json).root);
    }),
    { numRuns: 500, seed: 7 },
  );
});

Deno.test("different content has a different hash; equal content the same (property)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      const same = canonicalJson(a) === canonicalJson(b);
      assert.equal(hashTree(a as Json).root === hashTree(b as Json).root, same);
    }),
    { numRuns: 500, seed: 8 },
  );
});

Deno.test("any single change (a leaf, a key, an element) changes the hash (property)", () => {
  const change = fc.constantFrom("leaf", "key", "push", "wrap");
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), change, fc.nat(), (v, how, pick) => {
      const doc = { root: v } as Record<string, Json>;
      const before = hashTree(doc).root;
      // Walk to one container, chosen by `pick`, and change it there.
      const containers: (Json[] | Record<string, Json>)[] = [];
      const walk = (x: Json) => {
        if (x !== null && typeof x === "object") {
          containers.push(x);
          Object.values(x).forEach(walk);
        }
      };
      walk(doc);
      const target = containers[pick % containers.length];
      const setKey = (o: Record<string, Json>, k: string, x: Json) =>
        Object.defineProperty(o, k, {
          value: x,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      if (Array.isArray(target)) {
        if (how === "push" || target.length === 0) target.push(null);
        else target[0] = [target[0]];
      } else {
        const key = Object.keys(target)[0];
        if (key === undefined || how === "key") setKey(target, "\u{1F511}new", 1);
        else if (how === "wrap") setKey(target, key, [target[key]]);
        else setKey(target, key, canonicalJson(target[key]) === '"x"' ? "y" : "x");
      }
      assert.notEqual(hashTree(doc).root, before);
    }),
    { numRuns: 500, seed: 9 },
  );
});

Deno.test("flatten() and unflatten() round-trip any JSON; rebuild() gives the canonical form (property)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const back = unflatten(flatten(v as Json));
      assert.equal(JSON.stringify(back), JSON.stringify(v));
      const t = hashTree(v as Json);
      assert.equal(canonicalJson(rebuild(t.root, (h) => t.contents.get(h))), canonicalJson(v));
    }),
    { numRuns: 300, seed: 10 },
  );
});

Deno.test("hashTree() refuses what JSON has not, naming it", () => {
  assert.throws(() => hashTree(NaN), RangeError);
  assert.throws(() => hashTree("\ud800"), /lone UTF-16 surrogate/);
  assert.throws(() => hashTree((() => 1) as never), /type "function"/);
});
