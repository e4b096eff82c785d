/**
 * What a sync will do, from the listing, before it writes anything: the
 * pages to work on, the unchanged ones, the stored pages gone from the
 * source, and the mass-delete guard over those.
 *
 * @module
 */
import { compileGlob } from "../../lib/glob.ts";
import { UsageError } from "../../lib/errors.ts";
import type { PageRef, PageSource } from "./model.ts";
import type { PageState } from "./store.ts";

/** The settings a plan reads (from the task's input). */
export interface PlanOptions {
  /** `--only`. */
  only?: string;
  /** `--full`. */
  full: boolean;
  /** `--max-delete`, in percent. */
  maxDelete: number;
  /** `--allow-mass-delete`. */
  allowMassDelete: boolean;
}

/** The pages a listing says to work on, and what it says of the rest. */
export interface Plan {
  listed: Set<string>;
  todo: PageRef[];
  unchanged: number;
  /** Stored pages no longer listed (matching `--only`), outside unreadable folders. */
  gone: string[];
  /** Stored pages matching `--only`. */
  stored: number;
}

/**
 * Lists the source and sorts its pages into work, unchanged and gone.
 *
 * @param source The source.
 * @param states The stored page states.
 * @param i The settings.
 * @param signal Stops the listing.
 * @returns The plan.
 */
export async function plan(
  source: PageSource,
  states: ReadonlyMap<string, PageState>,
  i: PlanOptions,
  signal: AbortSignal,
): Promise<Plan> {
  const matches = i.only ? compileGlob(i.only) : () => true;
  const listed = new Set<string>();
  const todo: PageRef[] = [];
  const unreadable: string[] = [];
  let unchanged = 0;
  for await (const ref of source.list(signal)) {
    if (!matches(ref.path)) continue;
    listed.add(ref.path);
    if (ref.problem !== undefined) unreadable.push(`${ref.path}/`);
    const state = states.get(ref.path);
    if (
      !i.full && ref.problem === undefined && state && state.version === ref.version &&
      state.outcome !== "failed"
    ) unchanged++;
    else todo.push(ref);
  }
  const stored = [...states.keys()].filter((p) => matches(p));
  const gone = stored.filter((p) => !listed.has(p) && !unreadable.some((u) => p.startsWith(u)));
  return { listed, todo, unchanged, gone, stored: stored.length };
}

/**
 * Stops a sync that would delete more than `maxDelete` percent of a
 * source's stored pages, before it writes anything.
 *
 * @param gone Stored pages gone from the listing.
 * @param stored Stored pages (matching `--only`).
 * @param i The settings.
 * @param location The source, for the message.
 * @throws {UsageError} When the share is over the limit and mass deletes are not allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guardDeletes } from "./sync_plan.ts";
 * const i = { full: false, maxDelete: 50, allowMassDelete: false };
 * guardDeletes(5, 10, i, "dir:/p");
 * assert.throws(() => guardDeletes(6, 10, i, "dir:/p"), { exitCode: 2 });
 * guardDeletes(6, 10, { ...i, allowMassDelete: true }, "dir:/p");
 * ```
 */
export function guardDeletes(
  gone: number,
  stored: number,
  i: PlanOptions,
  location: string,
): void {
  if (i.allowMassDelete || gone === 0 || gone * 100 <= stored * i.maxDelete) return;
  const share = Math.round(gone * 1000 / stored) / 10;
  throw new UsageError(
    `Cannot sync "${location}" as it would delete ${gone} of its ${stored} stored pages (${share}%), more than --max-delete ${i.maxDelete}%: ` +
      "check that the source is mounted and complete, or pass --allow-mass-delete",
  );
}
