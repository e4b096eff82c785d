/**
 * The mapping contract and the mapper, in process: identifiers are checked,
 * values are typed as rows are built, and a record that does not fit fails
 * with its element path and reason. Namespaced elements, attributes,
 * optional and repeated elements map as the committed contract says.
 */
import assert from "node:assert/strict";
import {
  ContractError,
  parseContract,
  quoteIdent,
  readContract,
} from "../../../plugins/partition/contract.ts";
import { MappingError, mapRecord } from "../../../plugins/partition/mapper.ts";
import { generateRecords } from "../../../plugins/partition/generator.ts";
import { partitionOf } from "../../../plugins/partition/rule.ts";

const contract = await readContract("fixtures/partition/mapping.json");

const XML = `<?xml version="1.0"?>
<app:application xmlns:app="urn:a" xmlns:addr="urn:b" id="12" kind="patent">
  <app:title>Rotor &amp; blade</app:title><app:filed>2024-02-29</app:filed>
  <app:applicants>
    <app:applicant seq="1" country="DE"><app:name>Ada</app:name>
      <addr:address><addr:city>Berlin</addr:city><addr:postcode>10115</addr:postcode></addr:address>
    </app:applicant>
    <app:applicant seq="2"><app:name>Bo</app:name></app:applicant>
  </app:applicants>
  <app:fees><app:fee code="F1" amount="12.50" currency="EUR"/></app:fees>
  <app:claims><app:claim n="1">A rotor.</app:claim></app:claims>
</app:application>`;

Deno.test("mapRecord maps namespaced elements, attributes, optional and repeated elements", () => {
  const rows = mapRecord(contract, 12, XML);
  assert.deepEqual(rows.get("applications"), [
    {
      app_id: 12,
      number: 12,
      kind: "patent",
      title: "Rotor & blade",
      filed: "2024-02-29",
      priority: null,
      abstract: null,
    },
  ]);
  assert.deepEqual(rows.get("applicants"), [
    { app_id: 12, seq: 1, country: "DE", name: "Ada", city: "Berlin", postcode: "10115" },
    { app_id: 12, seq: 2, country: null, name: "Bo", city: null, postcode: null },
  ]);
  assert.deepEqual(rows.get("fees"), [{
    app_id: 12,
    position: 1,
    code: "F1",
    amount: 12.5,
    currency: "EUR",
  }]);
  assert.deepEqual(rows.get("claims"), [{
    app_id: 12,
    n: 1,
    text: "A rotor.",
    filed: "2024-02-29",
  }]);
});

const FAILS: [string, string, string][] = [
  [
    'amount="12.50"',
    'amount="twelve"',
    '/application[1]/fees[1]/fee[1]/@amount: expected a number, found "twelve"',
  ],
  [
    "<app:filed>2024-02-29</app:filed>",
    "<app:filed>2023-02-29</app:filed>",
    '/application[1]/filed[1]: expected a date (YYYY-MM-DD), found "2023-02-29"',
  ],
  [
    "<app:title>Rotor &amp; blade</app:title>",
    "",
    '/application[1]/title: required string "title" is missing',
  ],
  [
    'seq="2"',
    'seq="1"',
    '/application[1]/applicants[1]/applicant[2]: key (seq) = [1] repeats in table "applicants"',
  ],
  ["</app:application>", "", "(xml): malformed XML"],
];

for (const [from, to, message] of FAILS) {
  Deno.test(`mapRecord fails with the element path and reason: ${message}`, () => {
    assert.throws(
      () => mapRecord(contract, 12, XML.replace(from, to)),
      (e) => e instanceof MappingError && e.message.startsWith(message),
    );
  });
}

Deno.test("parseContract lists every identifier with SQL metacharacters and quoteIdent refuses them", () => {
  const bad = {
    version: 1,
    schema: "apps",
    tables: [{
      name: "t",
      rows: "a",
      columns: [{ name: "x y", path: "@x", type: "string" }, {
        name: 'q"',
        path: "@q",
        type: "string",
      }],
    }],
  };
  assert.throws(() => parseContract(bad, "inline"), (e) => {
    assert.ok(e instanceof ContractError);
    assert.equal(e.problems.length, 2);
    assert.match(e.problems[0], /^tables\.0\.columns\.0\.name: Cannot use column name "x y"/);
    assert.match(e.problems[1], /^tables\.0\.columns\.1\.name: Cannot use column name "q""/);
    return true;
  });
  assert.throws(() => quoteIdent("a;b"), TypeError);
});

Deno.test("the generator is seeded and its malformed records fail to map, the others map", () => {
  const g = generateRecords({ count: 150, seed: 9, malformedRate: 0.2 });
  assert.deepEqual(g, generateRecords({ count: 150, seed: 9, malformedRate: 0.2 }));
  for (const r of g.records) {
    if (g.malformed.has(r.appId)) {
      assert.throws(() => mapRecord(contract, r.appId, r.xml), MappingError);
    } else assert.ok(mapRecord(contract, r.appId, r.xml).get("applications")?.length === 1);
  }
  assert.ok(g.records.every((r) => r.xml.length <= 20_480 + 200));
});

Deno.test("hash partitioning spreads clustered ids that modulo puts in one partition", () => {
  const ids = Array.from({ length: 3000 }, (_, i) => i * 3);
  const counts = [0, 0, 0];
  for (const id of ids) counts[partitionOf("hash", id, 3)]++;
  assert.ok(ids.every((id) => partitionOf("modulo", id, 3) === 0));
  assert.ok(counts.every((n) => n > 800), `hash counts ${counts}`);
});
