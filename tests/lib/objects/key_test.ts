import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { relative, sep } from "node:path";
import fc from "fast-check";
import {
  compareKeys,
  InvalidObjectKeyError,
  MAX_KEY_BYTES,
  validateKey,
  validatePrefix,
} from "../../../lib/objects/mod.ts";
import { FsObjectStore } from "../../../lib/objects/fs.ts";

const SEED = 20240501;

function refusal(fn: () => unknown): InvalidObjectKeyError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidObjectKeyError, `expected InvalidObjectKeyError, got ${err}`);
    return err;
  }
  assert.fail("expected the key to be refused");
}

Deno.test("validateKey() accepts relative keys of non-empty segments and returns them", () => {
  for (
    const key of [
      "a",
      "batches/2024-05-01/part-0001.json",
      ".hidden/..dots../x.",
      "with space/and+plus%20/ünï\u{1F600}",
      "a".repeat(MAX_KEY_BYTES),
    ]
  ) {
    assert.equal(validateKey(key), key);
  }
});

Deno.test("validateKey() refuses unsafe keys with InvalidObjectKeyError naming the rule and the key", () => {
  const cases: [string, string][] = [
    ["", 'Cannot use an object key as it is empty: current value is ""'],
    ["../etc", 'Cannot use an object key as it has a ".." segment: current value is "../etc"'],
    [
      "a/../../b",
      'Cannot use an object key as it has a ".." segment: current value is "a/../../b"',
    ],
    ["a/..", 'Cannot use an object key as it has a ".." segment: current value is "a/.."'],
    ["./a", 'Cannot use an object key as it has a "." segment: current value is "./a"'],
    ["/abs", 'Cannot use an object key as it starts with "/": current value is "/abs"'],
    ["a\\b", 'Cannot use an object key as it contains a backslash: current value is "a\\\\b"'],
    ["..\\x", 'Cannot use an object key as it contains a backslash: current value is "..\\\\x"'],
    ["a\0b", 'Cannot use an object key as it contains a NUL byte: current value is "a\\u0000b"'],
    [
      "a//b",
      'Cannot use an object key as it has an empty segment ("//" or a trailing "/"): current value is "a//b"',
    ],
    [
      "a/",
      'Cannot use an object key as it has an empty segment ("//" or a trailing "/"): current value is "a/"',
    ],
    [
      "\uD800x",
      'Cannot use an object key as it is not well-formed Unicode: current value is "\\ud800x"',
    ],
  ];
  for (const [key, message] of cases) {
    const err = refusal(() => validateKey(key));
    assert.equal(err.message, message);
    assert.equal(err.key, key);
    assert.equal(err.code, "invalid_object_key");
    assert.equal(err.exitCode, 2);
    assert.equal(err.name, "InvalidObjectKeyError");
  }
});

Deno.test("validateKey() refuses keys over 1024 UTF-8 bytes, counting bytes not characters", () => {
  const long = "é".repeat(513); // 513 characters, 1026 bytes
  const err = refusal(() => validateKey(long));
  assert.equal(
    err.message,
    `Cannot use an object key as it is longer than 1024 bytes (1026): current value is "${
      "é".repeat(80)
    }..."`,
  );
  assert.equal(err.key, long);
});

Deno.test("validatePrefix() accepts empty and folder-like prefixes and refuses unsafe ones", () => {
  for (const prefix of ["", "a", "a/", "a/b", "a/b/", "a/.x"]) {
    assert.equal(validatePrefix(prefix), prefix);
  }
  assert.equal(
    refusal(() => validatePrefix("a//")).message,
    'Cannot use an object key prefix as it has an empty segment ("//" or a trailing "/"): current value is "a//"',
  );
  assert.equal(
    refusal(() => validatePrefix("/")).message,
    'Cannot use an object key prefix as it is empty: current value is "/"',
  );
  assert.equal(
    refusal(() => validatePrefix("../")).message,
    'Cannot use an object key prefix as it has a ".." segment: current value is "../"',
  );
});

/** Keys built from the pieces that make paths dangerous, and arbitrary text. */
const keys = fc.oneof(
  fc.array(
    fc.constantFrom("a", "b", ".", "..", "/", "\\", "\0", "é", "\u{1F600}", " ", "~", "%2e", "C:"),
    { maxLength: 12 },
  ).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
);

Deno.test("property: every key validateKey() accepts maps to a path inside the fs store's root", () => {
  const root = "/srv/weir/objects";
  const store = new FsObjectStore(root);
  let acceptedCount = 0;
  fc.assert(
    fc.property(keys, (key) => {
      let accepted = true;
      try {
        validateKey(key);
      } catch (err) {
        assert.ok(err instanceof InvalidObjectKeyError);
        accepted = false;
      }
      if (!accepted) {
        assert.throws(() => store.pathFor(key), InvalidObjectKeyError);
        return;
      }
      acceptedCount++;
      const path = store.pathFor(key);
      assert.ok(path.startsWith(root + sep), path);
      // The mapping is the identity on segments: distinct keys, distinct files.
      assert.equal(relative(root, path).split(sep).join("/"), key);
    }),
    { seed: SEED, numRuns: 2000 },
  );
  assert.ok(acceptedCount > 200, `only ${acceptedCount} generated keys were accepted`);
});

Deno.test("property: compareKeys() orders well-formed keys as their UTF-8 bytes compare", () => {
  const text = fc.string({ unit: "grapheme", maxLength: 12 });
  fc.assert(
    fc.property(text, text, (a, b) => {
      const expected = Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
      assert.equal(Math.sign(compareKeys(a, b)), expected);
    }),
    { seed: SEED, numRuns: 2000 },
  );
  // Where UTF-16 order and code point order part: surrogates against U+E000 and up.
  const edge = fc.string({
    unit: fc.constantFrom(
      "a",
      "\uD7FF",
      "\uE000",
      "\uFFFF",
      "\u{10000}",
      "\u{1F600}",
      "\u{10FFFF}",
    ),
    maxLength: 4,
  });
  fc.assert(
    fc.property(edge, edge, (a, b) => {
      const expected = Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
      assert.equal(Math.sign(compareKeys(a, b)), expected);
    }),
    { seed: SEED, numRuns: 2000 },
  );
});
