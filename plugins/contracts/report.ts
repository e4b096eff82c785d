/**
 * What every contracts task tells the run record: the counters (JOIN table
 * on or off, bindings, pattern mode, fallback) and the warnings as logs.
 *
 * @module
 */
import type { TaskContext } from "../../kernel/context.ts";
import { formatIssue } from "./issues.ts";
import type { Prepared } from "./prepare.ts";

/**
 * Reports a prepare result to the run: counters and warning logs.
 *
 * @param ctx The task's context.
 * @param prepared What prepare found.
 */
export function reportPrepared(ctx: TaskContext, prepared: Prepared): void {
  ctx.counters.set("join_table", prepared.decision.enabled ? 1 : 0);
  ctx.counters.set("pattern_mode_contract", prepared.mode === "contract" ? 1 : 0);
  ctx.counters.set("fallback_generic", prepared.fallback.used ? 1 : 0);
  ctx.counters.set("bindings", prepared.table?.bindings.length ?? 0);
  ctx.counters.set("warnings", prepared.warnings.length);
  for (const w of prepared.warnings) ctx.log.warn(formatIssue(w), { file: w.file, path: w.path });
  if (prepared.fallback.used) {
    ctx.log.warn("the JOIN table could not be built: falling back to generic patterns", {
      reasons: prepared.fallback.reasons,
    });
  }
}
