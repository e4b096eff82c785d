import assert from "node:assert/strict";
import { consistencyWarnings, isHashKey } from "../../../plugins/contracts/consistency.ts";

const IDS = { question_id: "Q001", policy_area_id: "PA01", dimension_id: "DIM01" };

Deno.test("isHashKey() agrees with /(hash|sha256|sha_256|checksum|digest)$/i, case and edge cases included", () => {
  const reference = /(hash|sha256|sha_256|checksum|digest)$/i;
  const keys = [
    "hash",
    "HASH",
    "source_Hash",
    "sha256",
    "SHA256",
    "file_sha_256",
    "SHA_256",
    "sha-256",
    "checksum",
    "CheckSum",
    "digest",
    "DIGEST",
    "message_digesT",
    "strict",
    "format",
    "hashes",
    "hash_id",
    "",
    "h",
    "6",
    "ash",
    "\u017fhash", // a long s before "hash" still ends with "hash"
    "ha\u017fh", // a long s does not fold to "s" without the u flag
    "sha\u0012256",
    "has\u0048",
    "s\u0048a256",
  ];
  for (const key of keys) assert.equal(isHashKey(key), reference.test(key), JSON.stringify(key));
});

Deno.test("consistencyWarnings() gives each finding's JSON path, in document order, nested arrays and quoted keys included", () => {
  const raw = {
    identity: { question_id: "Q999", contract_hash: "TODO" },
    traceability: { question_id: "Q001", source_hash: "abc123", contract_hash: "<hash>" },
    method_binding: {
      methods: [
        { method_id: "M1", parameters: { strict: true, window: 2 } },
        { method_id: "M2", policy_area_id: "PA09", tags: ["question_id", 1, null] },
      ],
    },
    matrix: [[{ "a b": { Sha_256: " ", dimension_id: "DIM01" } }], [null, "x"]],
    counts: { question_id: 7, file_digest: null, checksum: { nested_hash: "tbd" } },
    question_id: "Q002",
    top_hash: "TODO",
  };
  const found = consistencyWarnings("Q001.v3.json", raw, IDS);
  assert.deepEqual(found.map((w) => `${w.path}: ${w.message}`), [
    '$.traceability.contract_hash: Placeholder "<hash>" where a hash is expected',
    '$.method_binding.methods[1].policy_area_id: Restates policy_area_id as "PA09" where identity says "PA01"',
    '$.matrix[0][0]["a b"].Sha_256: Placeholder " " where a hash is expected',
    '$.counts.checksum.nested_hash: Placeholder "tbd" where a hash is expected',
  ]);
  assert.ok(found.every((w) => w.file === "Q001.v3.json"));
});

Deno.test("consistencyWarnings() finds nothing in a consistent contract and leaves identity and top-level values alone", () => {
  const raw = {
    identity: { question_id: "Q001", policy_area_id: "PA01", dimension_id: "DIM01" },
    traceability: { question_id: "Q001", source_hash: "9f86d081884c7d65", digest: "ok" },
    question_id: "Q002",
    empty: {},
    list: [],
  };
  assert.deepEqual(consistencyWarnings("Q001.v3.json", raw, IDS), []);
});
