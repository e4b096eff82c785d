/**
 * PostgreSQL through `npm:postgres`: a pool that lives in a schema of its
 * own (created if absent, safe when several processes open it at once), the
 * way weir's plugins keep their state apart on one shared server.
 *
 * @example Split the schema out of a URL
 * ```ts
 * import { splitSchema } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(splitSchema("postgres://h/db?search_path=s1").schema, "s1");
 * ```
 *
 * @module
 */
export * from "./connect.ts";
