/**
 * Child processes that answer one request: a line protocol of JSON
 * messages on stdio, a runner for `deno run` children that turns every way
 * a child can misbehave into a reason (exit, stdout noise, malformed
 * messages, silence, ignoring an abort), and the module files a child must
 * be allowed to read for its code to load.
 *
 * @example A message written and read back
 * ```ts
 * import { parseMessage, writeMessage } from "./mod.ts";
 * import assert from "node:assert/strict";
 * let line = "";
 * writeMessage({ writeSync: (b) => (line += new TextDecoder().decode(b), b.length) }, {
 *   type: "result",
 *   output: 1,
 * });
 * assert.equal(parseMessage(line.trim(), ["result"]).output, 1);
 * ```
 *
 * @module
 */
export * from "./json_lines.ts";
export * from "./deno_child.ts";
export * from "./module_files.ts";
export * from "./deno_sandbox.ts";
