/**
 * `graph.periodic_sync`: a sync round every `--interval-seconds` until
 * stopped. A round holds a lease (lib/leases, in the state database) named
 * after the graphs, so two processes never sync the same graphs at once: a
 * round that finds the lease held is skipped. SIGTERM or SIGINT lets the
 * batch in flight finish, then the run ends interrupted (exit 130).
 * `--continuous false` runs one round.
 *
 * @module
 */
import { hostname } from "node:os";
import { z } from "zod";
import { delay } from "../../lib/async/delay.ts";
import { holdLease } from "../../lib/leases/hold.ts";
import { SqliteLeaseStore } from "../../lib/leases/sqlite.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { addOutcome, emptyOutcome } from "./dual.ts";
import { graphFlags } from "./flags.ts";
import {
  graphNeeds,
  type LastSync,
  openGraphs,
  openState,
  SYNC_SCOPE,
  syncLeaseName,
} from "./graphs.ts";
import type { Options } from "./options.ts";
import { outcomeFields, report, syncUnsynced } from "./runs.ts";

const input = z.object({
  interval_seconds: z.number().min(0).max(86_400).default(60).describe("seconds between rounds"),
  continuous: z.boolean().default(true).describe("keep going until stopped; false: one round"),
  limit: z.number().int().min(1).max(1_000_000).default(100).describe(
    "documents per sync step; a round repeats steps until nothing is left",
  ),
  lease_seconds: z.number().int().min(1).max(86_400).default(300).describe(
    "the lease's ttl, renewed while a round runs",
  ),
  ...graphFlags,
});

const output = z.object({
  rounds: z.number().int(),
  skipped_rounds: z.number().int().describe("rounds skipped as another process held the lease"),
  documents_synced: outcomeFields.documents_synced,
  content_created: outcomeFields.content_created,
  content_reused: outcomeFields.content_reused,
  errors: outcomeFields.errors,
});

/**
 * Creates the `graph.periodic_sync` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { periodicSyncTask } from "./periodic_sync.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(periodicSyncTask(defaults).id, "graph.periodic_sync");
 * ```
 */
export function periodicSyncTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.periodic_sync",
    summary: "Syncs every --interval-seconds until stopped, never two at once for the same graphs",
    input,
    output,
    permissions: (i, config) => mergeNeeds(graphNeeds(i, config, options), { sys: ["hostname"] }),
    async run(ctx, i) {
      await using graphs = await openGraphs(ctx, i, options);
      const state = await openState(ctx, options, SYNC_SCOPE);
      const leases = new SqliteLeaseStore(state.db);
      const owner = `${hostname()}:${Deno.pid}:${ctx.runId}`;
      const total = emptyOutcome();
      let rounds = 0;
      let skipped = 0;
      for (;;) {
        const held = await holdLease(
          leases,
          syncLeaseName(graphs.identity),
          owner,
          i.lease_seconds * 1000,
        );
        if (held === undefined) {
          skipped++;
          ctx.log.info("round skipped: another process holds the sync lease", {
            round: rounds + 1,
          });
        } else {
          try {
            for (;;) {
              const step = await syncUnsynced(ctx, graphs, i.limit, i.batch_size);
              addOutcome(total, step);
              if (step.synced + step.errors.length < i.limit || ctx.signal.aborted) break;
              if (step.synced === 0) break; // every document failed: wait for the next round
            }
          } finally {
            await held.release();
          }
          const last: LastSync = {
            run_id: ctx.runId,
            at: new Date().toISOString(),
            documents_synced: total.synced,
            errors: total.errors.length,
          };
          state.checkpoints.set(graphs.identity, last);
        }
        rounds++;
        ctx.log.info("round done", { round: rounds, documents_synced: total.synced });
        if (!i.continuous || ctx.signal.aborted) break;
        await delay(i.interval_seconds * 1000, ctx.signal).catch(() => {});
        if (ctx.signal.aborted) break;
      }
      const r = report(ctx, total);
      return {
        rounds,
        skipped_rounds: skipped,
        documents_synced: r.documents_synced,
        content_created: r.content_created,
        content_reused: r.content_reused,
        errors: r.errors,
      };
    },
  });
}
