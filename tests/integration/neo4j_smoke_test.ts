/**
 * Service smoke tests, not tests of weir's code: weir has no Neo4j adapter
 * yet, so these only check that the Neo4j test servers (`deno task
 * services:up`) answer over Bolt with `neo4j-driver` and behave as the graph
 * plugin will rely on: nodes, uniqueness constraints and rollback. Every
 * test uses its own label, so the suite runs in parallel and against shared
 * servers, and removes what it created.
 */
import assert from "node:assert/strict";
import neo4j, { type Driver } from "neo4j-driver";
import { type Neo4jSettings, serviceTest } from "../helpers/services.ts";

/** A label no other test run uses, for example `WeirTest_3f2a…`. */
function uniqueLabel(): string {
  return `WeirTest_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Opens a driver to `uri`, runs `fn`, then removes the label's nodes and closes the driver. */
async function withDriver(
  settings: Neo4jSettings,
  uri: string,
  label: string,
  fn: (driver: Driver) => Promise<void>,
): Promise<void> {
  // No token when the server runs without auth.
  const auth = settings.password ? neo4j.auth.basic(settings.user, settings.password) : undefined;
  const driver = neo4j.driver(uri, auth, { disableLosslessIntegers: true });
  try {
    await fn(driver);
  } finally {
    try {
      await driver.executeQuery(`MATCH (n:\`${label}\`) DETACH DELETE n`);
    } finally {
      await driver.close();
    }
  }
}

/** Counts the nodes with `label`. */
async function countNodes(driver: Driver, label: string): Promise<number> {
  const { records } = await driver.executeQuery(`MATCH (n:\`${label}\`) RETURN count(n) AS c`);
  return records[0].get("c") as number;
}

serviceTest("smoke: neo4j stores a node over Bolt and reads it back", "neo4j", async (settings) => {
  const label = uniqueLabel();
  await withDriver(settings, settings.uri, label, async (driver) => {
    await driver.executeQuery(
      `CREATE (n:\`${label}\` {key: $key, tags: $tags, size: $size})`,
      { key: "doc-1", tags: ["a", "b"], size: 42 },
    );
    const { records } = await driver.executeQuery(
      `MATCH (n:\`${label}\` {key: $key}) RETURN n.tags AS tags, n.size AS size`,
      { key: "doc-1" },
    );
    assert.equal(records.length, 1);
    assert.deepEqual(records[0].get("tags"), ["a", "b"]);
    assert.equal(records[0].get("size"), 42);
  });
});

serviceTest(
  "smoke: neo4j rejects a second node with the same key under a uniqueness constraint",
  "neo4j",
  async (settings) => {
    const label = uniqueLabel();
    const constraint = `${label}_key_unique`;
    await withDriver(settings, settings.uri, label, async (driver) => {
      await driver.executeQuery(
        `CREATE CONSTRAINT \`${constraint}\` FOR (n:\`${label}\`) REQUIRE n.key IS UNIQUE`,
      );
      try {
        await driver.executeQuery(`CREATE (:\`${label}\` {key: "k1"})`);
        await assert.rejects(
          driver.executeQuery(`CREATE (:\`${label}\` {key: "k1"})`),
          (error: unknown) => {
            // Not `instanceof neo4j.Neo4jError`: the driver sets prototypes through
            // `__proto__`, which Deno disables, so its errors are plain Errors here.
            assert.ok(error instanceof Error, `not an Error: ${error}`);
            assert.equal(error.name, "Neo4jError");
            assert.equal(
              (error as Error & { code?: string }).code,
              "Neo.ClientError.Schema.ConstraintValidationFailed",
            );
            return true;
          },
        );
        assert.equal(await countNodes(driver, label), 1);
      } finally {
        await driver.executeQuery(`DROP CONSTRAINT \`${constraint}\` IF EXISTS`);
      }
    });
  },
);

serviceTest(
  "smoke: neo4j leaves nothing behind when a transaction rolls back",
  "neo4j",
  async (settings) => {
    const label = uniqueLabel();
    await withDriver(settings, settings.uri, label, async (driver) => {
      const session = driver.session();
      try {
        const tx = await session.beginTransaction();
        await tx.run(`CREATE (:\`${label}\` {key: "k1"}), (:\`${label}\` {key: "k2"})`);
        const inside = await tx.run(`MATCH (n:\`${label}\`) RETURN count(n) AS c`);
        assert.equal(inside.records[0].get("c"), 2);
        await tx.rollback();
      } finally {
        await session.close();
      }
      assert.equal(await countNodes(driver, label), 0);
    });
  },
);

serviceTest(
  "smoke: neo4j keeps jsongraph and hybridgraph data apart",
  "neo4j",
  async (settings) => {
    const label = uniqueLabel();
    await withDriver(settings, settings.hybridUri, label, async (hybrid) => {
      await hybrid.executeQuery(`CREATE (:\`${label}\` {key: "h1"})`);
      assert.equal(await countNodes(hybrid, label), 1);
      if (settings.hybridUri === settings.uri) return; // One server: nothing to keep apart.
      await withDriver(settings, settings.uri, label, async (json) => {
        assert.equal(await countNodes(json, label), 0);
      });
    });
  },
);
