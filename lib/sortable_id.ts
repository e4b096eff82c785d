/**
 * Ids that sort by creation time: a UTC timestamp and 32 random bits.
 *
 * @module
 */

/**
 * Makes an id sortable by time and unique across processes (run ids).
 *
 * @param now The start time. @default {new Date()}
 * @returns An id like `20261126T011500Z-3fa9c2d1`.
 *
 * @example
 * ```ts
 * import { sortableId } from "./sortable_id.ts";
 * import assert from "node:assert/strict";
 * assert.match(sortableId(), /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
 * ```
 */
export function sortableId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const rand = crypto.getRandomValues(new Uint8Array(4));
  return `${stamp}-${Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
