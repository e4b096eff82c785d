/**
 * `weir list`: plugins, their tasks and the pipelines. Kept free of zod and
 * SQLite so it starts as fast as a bare `deno run`.
 *
 * @module
 */
import type { Registry } from "../kernel/registry.ts";

/** What `weir list` prints. */
export interface Listing {
  /** Each plugin with its tasks. */
  plugins: {
    name: string;
    version: string;
    summary: string;
    tasks: { id: string; summary: string }[];
  }[];
  /** Each pipeline. */
  pipelines: { name: string; summary: string }[];
}

/**
 * Lists what the registry holds without loading any task.
 *
 * @param registry The registry.
 * @returns The listing.
 *
 * @example
 * ```ts
 * import { listing } from "./list.ts";
 * import { Registry } from "../kernel/registry.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(listing(new Registry()).plugins, []);
 * ```
 */
export function listing(registry: Registry): Listing {
  return {
    plugins: registry.plugins().map((p) => ({
      name: p.name,
      version: p.version,
      summary: p.summary,
      tasks: p.tasks.map((t) => ({ id: t.id, summary: t.summary })),
    })),
    pipelines: registry.pipelines().map((p) => ({ name: p.name, summary: p.summary })),
  };
}
