import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import {
  canonicalJson,
  EMPTY_SHA256,
  hashJson,
  merkleRoot,
  sha256File,
  sha256Hex,
} from "../../lib/hash.ts";

// Leaves and roots below were computed independently with Python's hashlib:
// h = lambda b: hashlib.sha256(b).digest(); leaves are h(b"a") ... h(b"e").
const A = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
const B = "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";
const C = "2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6";
const D = "18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4";
const E = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea";

Deno.test("sha256Hex() matches the FIPS 180-2 test vectors", () => {
  assert.equal(sha256Hex(""), EMPTY_SHA256);
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(sha256Hex("a"), A);
});

Deno.test("sha256Hex() hashes a string as its UTF-8 bytes", () => {
  assert.equal(sha256Hex("héllo €"), sha256Hex(new TextEncoder().encode("héllo €")));
});

Deno.test("sha256File() equals sha256Hex() of the bytes for a file of many chunks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = new Uint8Array(300_001);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    const path = join(dir, "data.bin");
    await Deno.writeFile(path, bytes);
    assert.equal(await sha256File(path), sha256Hex(bytes));
    await Deno.writeFile(path, new Uint8Array());
    assert.equal(await sha256File(path), EMPTY_SHA256);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sha256File() rejects with NotFound for a missing file", async () => {
  await assert.rejects(() => sha256File("/nonexistent/weir/file.bin"), Deno.errors.NotFound);
});

Deno.test("canonicalJson() follows the RFC 8785 example", () => {
  const input = JSON.parse(
    '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
      '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
      '"literals":[null,true,false]}',
  );
  assert.equal(
    canonicalJson(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
});

Deno.test("canonicalJson() sorts keys by UTF-16 code units at every depth", () => {
  assert.equal(
    canonicalJson({ b: [{ z: 1, y: 2 }], a: null, "\u20ac": 1, "\u{1F600}": 2, "\ufb33": 3 }),
    '{"a":null,"b":[{"y":2,"z":1}],"\u20ac":1,"\u{1F600}":2,"\ufb33":3}',
  );
});

Deno.test("canonicalJson() drops undefined members and writes -0 as 0", () => {
  assert.equal(canonicalJson({ a: undefined, b: -0, c: [undefined] }), '{"b":0,"c":[null]}');
});

Deno.test("canonicalJson() rejects non-finite numbers with a RangeError", () => {
  assert.throws(() => canonicalJson({ n: NaN }), {
    name: "RangeError",
    message: "Cannot canonicalize JSON as numbers must be finite: found NaN",
  });
  assert.throws(() => canonicalJson([-Infinity]), {
    name: "RangeError",
    message: "Cannot canonicalize JSON as numbers must be finite: found an infinite number",
  });
});

Deno.test("canonicalJson() rejects values without a JSON form with a TypeError", () => {
  assert.throws(() => canonicalJson(undefined), {
    name: "TypeError",
    message: 'Cannot canonicalize JSON as the value has no JSON form: current value is "undefined"',
  });
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => canonicalJson(cycle), {
    name: "TypeError",
    message: "Cannot canonicalize JSON as the value refers to itself (a cycle)",
  });
  assert.throws(() => canonicalJson(["\ud800"]), {
    name: "TypeError",
    message: "Cannot canonicalize JSON as a string holds a lone UTF-16 surrogate",
  });
  const err = (() => {
    try {
      canonicalJson({ big: 1n });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof TypeError);
  assert.ok(err.message.startsWith("Cannot canonicalize JSON as "));
  assert.ok(err.cause instanceof Error);
});

Deno.test("hashJson() is sha256 of the canonical JSON and ignores key order", () => {
  assert.equal(hashJson({ b: 1, a: 2 }), sha256Hex('{"a":2,"b":1}'));
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      return hashJson(obj) === hashJson(reversed);
    }),
    { seed: 8785, numRuns: 200 },
  );
});

Deno.test("merkleRoot() of no leaves is the sha256 of the empty string", () => {
  assert.equal(merkleRoot([]), EMPTY_SHA256);
  assert.equal(EMPTY_SHA256, sha256Hex(""));
});

Deno.test("merkleRoot() of one leaf is the leaf itself", () => {
  assert.equal(merkleRoot([A]), A);
});

Deno.test("merkleRoot() matches hand-computed vectors", () => {
  // h(a||b)
  assert.equal(
    merkleRoot([A, B]),
    "e5a01fee14e0ed5c48714f22180f25ad8365b53f9779f79dc4a3d7e93963f94a",
  );
  // h(h(a||b) || c): the odd leaf c is promoted, not duplicated
  assert.equal(
    merkleRoot([A, B, C]),
    "7075152d03a5cd92104887b476862778ec0c87be5c2fa1c0a90f87c49fad6eff",
  );
  // h(h(h(a||b) || h(c||d)) || e)
  assert.equal(
    merkleRoot([A, B, C, D, E]),
    "d71f8983ad4ee170f8129f1ebcdd7440be7798d8e1c80420bf11f1eced610dba",
  );
});

Deno.test("merkleRoot() tells [a, b, c] from [a, b, c, c] and depends on order", () => {
  assert.equal(
    merkleRoot([A, B, C, C]),
    "d31a37ef6ac14a2db1470c4316beb5592e6afd4465022339adafda76a18ffabe",
  );
  assert.notEqual(merkleRoot([A, B, C]), merkleRoot([A, B, C, C]));
  assert.notEqual(merkleRoot([A, B]), merkleRoot([B, A]));
});

Deno.test("merkleRoot() accepts uppercase hex and returns lowercase", () => {
  assert.equal(merkleRoot([A.toUpperCase(), B.toUpperCase()]), merkleRoot([A, B]));
});

Deno.test("merkleRoot() rejects a leaf that is not 64 hex digits with a TypeError", () => {
  assert.throws(() => merkleRoot([A, "abc"]), {
    name: "TypeError",
    message: 'Cannot compute a Merkle root as leaf 1 is not 64 hex digits: current value is "abc"',
  });
  assert.throws(() => merkleRoot([A.replace("c", "g")]), TypeError);
});
