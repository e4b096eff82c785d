/**
 * `backendNeeds` asks for PostgreSQL's host and variables only when the
 * task will use PostgreSQL: `--backend sqlite` stays local (its folder,
 * no network) even where `DATABASE_URL` is set.
 */
import assert from "node:assert/strict";
import { type BackendInput, backendNeeds } from "../../../plugins/partition/common.ts";
import { defaults } from "../../../plugins/partition/options.ts";
import type { WeirConfig } from "../../../kernel/config.ts";

const input = (backend: BackendInput["backend"]): BackendInput => ({
  backend,
  poolSize: 4,
  connectTimeout: 10,
});
const withPg = { home: "/h", databaseUrl: "postgres://u:p@db.example:6543/w" } as WeirConfig;

Deno.test("backendNeeds: --backend sqlite needs the database folder and no network, even with DATABASE_URL set", () => {
  const needs = backendNeeds(input("sqlite"), withPg, defaults);
  assert.equal(needs.net, undefined);
  assert.equal(needs.env, undefined);
  assert.ok(needs.write?.length, "the SQLite folder is written");
});

Deno.test("backendNeeds: auto with DATABASE_URL set needs its host and the client's variables", () => {
  const needs = backendNeeds(input("auto"), withPg, defaults);
  assert.deepEqual(needs.net, ["db.example:6543"]);
  assert.deepEqual(needs.env, ["DATABASE_URL", "PG*"]);
  assert.equal(needs.write, undefined);
});
