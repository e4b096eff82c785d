import assert from "node:assert/strict";
import { canaryBucket, decideJoinTable } from "../../../plugins/contracts/flag.ts";
import { sha256Hex } from "../../../lib/hash.ts";
import { ROOT, weir } from "../../helpers/cli.ts";
import { contractsKernel, writeTestSet } from "./_set.ts";

Deno.test("the canary picks documents by a hash of their id: the same document always takes the same path", () => {
  const ids = Array.from({ length: 400 }, (_, i) => `doc-${i}`);
  const pick = () =>
    ids.map((documentId) =>
      decideJoinTable({ flag: "canary:25", documentId, hasContracts: true }).enabled
    );
  const first = pick();
  assert.deepEqual(pick(), first);
  const on = first.filter(Boolean).length;
  assert.ok(on > 60 && on < 140, `${on} of 400 on at 25%`);
  assert.equal(canaryBucket("doc-7"), parseInt(sha256Hex("doc-7").slice(0, 8), 16) % 10000);
  for (const [i, documentId] of ids.entries()) {
    assert.equal(first[i], canaryBucket(documentId) < 2500);
    assert.equal(
      decideJoinTable({ env: "canary:0", documentId, hasContracts: true }).enabled,
      false,
    );
    assert.equal(
      decideJoinTable({ env: "canary:100", documentId, hasContracts: true }).enabled,
      true,
    );
  }
});

Deno.test("the --join-table flag wins over WEIR_JOIN_TABLE, which wins over the default", () => {
  const d = { documentId: "d", hasContracts: true };
  assert.deepEqual(decideJoinTable(d), { enabled: true, source: "default", value: "true" });
  assert.equal(decideJoinTable({ ...d, env: "false" }).source, "env");
  assert.deepEqual(decideJoinTable({ ...d, env: "false", flag: "true" }), {
    enabled: true,
    source: "flag",
    value: "true",
  });
  assert.equal(decideJoinTable({ ...d, hasContracts: false, flag: "true" }).enabled, false);
  assert.throws(
    () => decideJoinTable({ ...d, env: "yes" }),
    {
      name: "UsageError",
      message:
        'Cannot read WEIR_JOIN_TABLE as it must be true, false or canary:<percent from 0 to 100>: current value is "yes"',
    },
  );
});

Deno.test("contracts.bind takes the same path for the same document on every canary run", async () => {
  await using t = await contractsKernel();
  const set = await writeTestSet(t.home);
  const bucket = canaryBucket("plan-desarrollo-2024");
  for (const percent of [bucket / 100 + 0.01, bucket / 100]) {
    const modes = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await t.kernel.runTask("contracts.bind", {
        ...set.params,
        joinTable: `canary:${percent.toFixed(2)}`,
      });
      modes.add((r.output as { pattern_mode: string }).pattern_mode);
    }
    assert.deepEqual([...modes], [percent > bucket / 100 ? "contract" : "generic"]);
  }
});

Deno.test("WEIR_JOIN_TABLE=false from the environment turns the JOIN table off (CLI)", async () => {
  const home = await Deno.makeTempDir({ prefix: "weir-contracts-" });
  try {
    const set = await writeTestSet(home);
    const p = set.params;
    const run = await weir([
      "--home",
      home,
      "run",
      "contracts.bind",
      "--contracts",
      p.contracts,
      "--document",
      p.document,
      "--questionnaire",
      p.questionnaire,
      "--expected-contracts",
      "8",
      "--expected-chunks",
      "4",
    ], {
      env: { WEIR_JOIN_TABLE: "false" },
      perms: [
        `--allow-read=${ROOT},${home}`,
        `--allow-write=${home}`,
        "--allow-env",
        "--allow-sys=hostname",
      ],
    });
    assert.equal(run.code, 0, run.stderr);
    const out = (run.json as { output: { pattern_mode: string } }).output;
    assert.equal(out.pattern_mode, "generic");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
