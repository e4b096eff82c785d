/**
 * How a transform run appears in task outputs.
 *
 * @module
 */
import { z } from "zod";
import type { CanonicalizeResult } from "./canonicalize.ts";

/** One transform run in a task's output. */
export const transformRunOutput = z.object({
  tenant: z.string(),
  service: z.string(),
  table: z.string(),
  mode: z.enum(["files", "window"]),
  trigger: z.enum(["job", "batch", "manual"]),
  files_listed: z.number().int(),
  files_read: z.number().int(),
  records_read: z.number().int(),
  records_out: z.number().int(),
  deleted: z.number().int(),
  rejected: z.number().int(),
  spilled: z.boolean(),
  noop: z.boolean(),
  reason: z.string().optional(),
  output: z.string().optional(),
});

/**
 * Converts a run to its output shape.
 *
 * @param r The run.
 * @returns The output entry.
 */
export function toRunOutput(r: CanonicalizeResult): z.input<typeof transformRunOutput> {
  return {
    tenant: r.tenant,
    service: r.service,
    table: r.table,
    mode: r.mode,
    trigger: r.trigger,
    files_listed: r.filesListed,
    files_read: r.filesRead,
    records_read: r.recordsRead,
    records_out: r.recordsOut,
    deleted: r.deleted,
    rejected: r.rejected,
    spilled: r.spilled,
    noop: r.noop,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.output ? { output: r.output } : {}),
  };
}
