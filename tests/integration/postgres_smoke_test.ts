/**
 * Service smoke tests, not tests of weir's code: the PostgreSQL test server
 * (`deno task services:up`) with `postgres` (postgres.js) behaves as weir's
 * adapters rely on: commit, rollback and `FOR UPDATE SKIP LOCKED` between two
 * connections. Weir's own PostgreSQL adapter is tested on this server by the
 * lease contract (tests/lib/leases/contract_test.ts, `[postgres]` cases) and
 * its race (tests/lib/leases/race_test.ts). Every test works in its own
 * schema and drops it afterwards.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { serviceTest } from "../helpers/services.ts";

type Sql = ReturnType<typeof postgres>;

/** Opens a client with at most `max` connections that prints no notices. */
function connect(url: string, max = 1): Sql {
  return postgres(url, { max, onnotice: () => {} });
}

/**
 * Creates a schema no other test uses with a table `jobs(id int primary key,
 * state text)`, runs `fn` with the schema's name, then drops the schema and
 * closes the client.
 */
async function withSchema(url: string, fn: (sql: Sql, schema: string) => Promise<void>) {
  const schema = `weir_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const sql = connect(url);
  try {
    await sql`create schema ${sql(schema)}`;
    await sql`create table ${sql(schema)}.jobs (id int primary key, state text not null)`;
    await fn(sql, schema);
  } finally {
    try {
      await sql`drop schema if exists ${sql(schema)} cascade`;
    } finally {
      await sql.end();
    }
  }
}

serviceTest(
  "smoke: postgres keeps the rows of a committed transaction",
  "postgres",
  async ({ url }) => {
    await withSchema(url, async (sql, schema) => {
      await sql.begin(async (tx) => {
        await tx`insert into ${sql(schema)}.jobs ${
          sql([{ id: 1, state: "new" }, {
            id: 2,
            state: "new",
          }])
        }`;
      });
      const rows = await sql`select id, state from ${sql(schema)}.jobs order by id`;
      assert.deepEqual(rows.map((r) => ({ ...r })), [
        { id: 1, state: "new" },
        { id: 2, state: "new" },
      ]);
    });
  },
);

serviceTest(
  "smoke: postgres drops the rows of a rolled-back transaction and rethrows its error",
  "postgres",
  async ({ url }) => {
    await withSchema(url, async (sql, schema) => {
      const failure = new Error("stop here");
      await assert.rejects(
        sql.begin(async (tx) => {
          await tx`insert into ${sql(schema)}.jobs (id, state) values (1, 'new')`;
          throw failure;
        }),
        (error: unknown) => error === failure,
      );
      const [{ count }] = await sql`select count(*)::int as count from ${sql(schema)}.jobs`;
      assert.equal(count, 0);
    });
  },
);

serviceTest(
  "smoke: postgres FOR UPDATE SKIP LOCKED skips the row another connection holds",
  "postgres",
  async ({ url }) => {
    await withSchema(url, async (sql, schema) => {
      await sql`insert into ${sql(schema)}.jobs ${
        sql([1, 2, 3].map((id) => ({ id, state: "new" })))
      }`;
      const other = connect(url);
      try {
        await sql.begin(async (tx) => {
          const held = await tx`
            select id from ${sql(schema)}.jobs order by id limit 1 for update skip locked`;
          assert.deepEqual(held.map((r) => r.id), [1]);

          const free = await other`
            select id from ${sql(schema)}.jobs order by id for update skip locked`;
          assert.deepEqual(free.map((r) => r.id), [2, 3]);

          await assert.rejects(
            other`select id from ${sql(schema)}.jobs where id = 1 for update nowait`,
            (error: unknown) => {
              assert.ok(error instanceof postgres.PostgresError, `not a PostgresError: ${error}`);
              assert.equal(error.code, "55P03"); // lock_not_available
              return true;
            },
          );
        });
        const after = await other`
          select id from ${sql(schema)}.jobs order by id limit 1 for update skip locked`;
        assert.deepEqual(after.map((r) => r.id), [1]);
      } finally {
        await other.end();
      }
    });
  },
);
