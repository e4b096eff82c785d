/**
 * HTTP building blocks: response bodies read with a size cap.
 *
 * @example Read a body of at most 1 MiB
 * ```ts
 * import { readBoundedText } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await readBoundedText(new Response("{}"), 1 << 20, "the answer"), "{}");
 * ```
 *
 * @module
 */
export * from "./bounded_body.ts";
