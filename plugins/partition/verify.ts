/**
 * `partition.verify`: proves a run's result with queries. Collisions (no
 * app_id logged twice, no target row without its record's success entry),
 * purity (each static-mode session logged only its own partition),
 * completeness (no unprocessed record in any partition); failed records are
 * listed with their reasons. A failed check ends the run with exit 1.
 *
 * @module
 */
import { z } from "zod";
import { ExitCode, WeirError } from "../../lib/errors.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { backendFields, backendNeeds, openFromInput } from "./common.ts";
import { layoutOf } from "./layout.ts";
import type { Options } from "./options.ts";
import {
  collisions,
  failedRecords,
  impurities,
  partitionCounts,
  sessionReports,
} from "./report.ts";

const input = z.object({
  ...backendFields,
  partitionBy: z.enum(["modulo", "hash"]).optional().describe(
    "the rule completeness is reported by (default: the latest session's)",
  ),
  partitions: z.number().int().min(1).max(4096).optional().describe(
    "partition count (default: the latest session's)",
  ),
  showFailed: z.number().int().min(0).max(10_000).default(20).describe("failed records listed"),
});

const check = z.object({ ok: z.boolean(), detail: z.string() });

const output = z.object({
  ok: z.boolean(),
  backend: z.string(),
  location: z.string(),
  partition_by: z.string(),
  partitions: z.number().int(),
  checks: z.object({ collisions: check, purity: check, completeness: check }),
  per_partition: z.array(z.object({
    partition: z.number().int(),
    total: z.number().int(),
    processed: z.number().int(),
    failed: z.number().int(),
    remaining: z.number().int(),
  })),
  failed: z.object({
    count: z.number().int(),
    records: z.array(
      z.object({ app_id: z.number().int(), instance_id: z.number().int(), error: z.string() }),
    ),
  }),
});

/** A verification check failed (exit 1). */
export class VerificationError extends WeirError {
  /**
   * Creates the error.
   *
   * @param failed The failed checks' details.
   */
  constructor(failed: string[]) {
    super(
      `Cannot confirm the partition run as ${failed.length} check(s) failed: ${failed.join("; ")}`,
      "partition_verify_failed",
      ExitCode.failed,
    );
    this.name = "VerificationError";
  }
}

/**
 * Creates the `partition.verify` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { verifyTask } from "./verify.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(verifyTask(defaults).id, "partition.verify");
 * ```
 */
export function verifyTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "partition.verify",
    summary: "Checks collisions, partition purity and completeness; lists failed records",
    input,
    output,
    permissions: (i, config) => backendNeeds(i, config, options),
    async run(ctx, i) {
      await using backend = await openFromInput(i, ctx.config, options);
      const { store } = backend;
      const layout = layoutOf(i, await sessionReports(store, 0));
      const coll = await collisions(store);
      const impure = await impurities(store);
      const parts = await partitionCounts(store, layout.by, layout.partitions);
      const failed = await failedRecords(store, i.showFailed);
      const remaining = parts.reduce((sum, p) => sum + p.remaining, 0);
      const stray = Object.entries(coll.stray).map(([t, n]) => `${n} in ${t}`);
      const checks = {
        collisions: {
          ok: coll.repeated.length === 0 && stray.length === 0,
          detail: coll.repeated.length > 0
            ? `app_id logged more than once: ${coll.repeated.join(", ")}`
            : stray.length > 0
            ? `target rows without a success log entry: ${stray.join(", ")}`
            : "no app_id logged twice; every target row belongs to a converted record",
        },
        purity: {
          ok: impure.length === 0,
          detail: impure.length > 0
            ? impure.map((s) =>
              `session ${s.session_id} (instance ${s.instance_id}) logged ${s.outside} record(s) outside its partition`
            ).join("; ")
            : "every static-mode session logged only its own partition",
        },
        completeness: {
          ok: remaining === 0,
          detail: remaining === 0
            ? `every record is logged (${failed.count} failed)`
            : `${remaining} record(s) unprocessed in partition(s) ${
              parts.filter((p) => p.remaining > 0).map((p) => p.partition).join(", ")
            }`,
        },
      };
      const bad = Object.entries(checks).filter(([, c]) => !c.ok).map(([k, c]) =>
        `${k}: ${c.detail}`
      );
      for (const [name, c] of Object.entries(checks)) {
        (c.ok ? ctx.log.info : ctx.log.error)(
          `check ${name}: ${c.ok ? "ok" : "FAILED"}: ${c.detail}`,
        );
      }
      if (bad.length > 0) throw new VerificationError(bad);
      return {
        ok: true,
        backend: backend.kind,
        location: backend.location,
        partition_by: layout.by,
        partitions: layout.partitions,
        checks,
        per_partition: parts,
        failed,
      };
    },
  });
}
