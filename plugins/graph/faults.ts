/**
 * Fault injection for the crash tests: with `WEIR_GRAPH_KILL_AT=<n>` in the
 * environment (and permission to read it), the process kills itself with
 * SIGKILL at the n-th committed write, as `kill -9` would at that moment.
 * Without it, {@linkcode committed} only counts.
 *
 * @module
 */

const VARIABLE = "WEIR_GRAPH_KILL_AT";
let killAt: number | undefined | null = null;
let commits = 0;

function readKillAt(): number | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: VARIABLE }).state !== "granted") {
      return undefined;
    }
    const value = Number(Deno.env.get(VARIABLE));
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Marks one committed write; kills the process when it is the one
 * `WEIR_GRAPH_KILL_AT` names.
 *
 * @returns How many writes this process has committed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { committed } from "./faults.ts";
 * assert.ok(committed() >= 1);
 * ```
 */
export function committed(): number {
  if (killAt === null) killAt = readKillAt();
  commits++;
  if (killAt !== undefined && commits >= killAt) Deno.kill(Deno.pid, "SIGKILL");
  return commits;
}
