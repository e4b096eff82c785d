/**
 * PostgreSQL for weir's scale-out backends: one way to open a client pool
 * (lazily loaded postgres.js, bounded, with a connect timeout and a clear
 * error naming the server without its password).
 *
 * @example Describe a server for a message
 * ```ts
 * import { describePostgresUrl } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describePostgresUrl("postgres://weir:pw@127.0.0.1/weir"), "127.0.0.1:5432/weir");
 * ```
 *
 * @module
 */
export * from "./connect.ts";
