/**
 * `contracts.bind`: loads and validates the contracts and the document,
 * builds the JOIN table (contract -> chunk by area and dimension), proves
 * its invariants and writes the verification manifest, atomically. A
 * broken invariant fails the run with every message together; with
 * `--skip-unchanged`, a rerun on the same inputs and settings is skipped.
 *
 * @module
 */
import { z } from "zod";
import { dirname, resolve } from "../../lib/path.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import {
  buildManifest,
  MANIFEST_PATH,
  manifestSettings,
  readManifest,
  withoutTimings,
  writeManifest,
} from "./manifest.ts";
import { joinTableEnv, sourceFields, sourceNeeds } from "./params.ts";
import { prepare } from "./prepare.ts";
import { quickDigest } from "./digest.ts";
import { reportPrepared } from "./report.ts";
import type { Options } from "./options.ts";

const input = z.object({
  ...sourceFields,
  manifest: z.string().min(1).optional().describe(
    `verification manifest (default <home>/${MANIFEST_PATH})`,
  ),
  skipUnchanged: z.boolean().default(false).describe(
    "skip when the inputs and settings match the last successful manifest",
  ),
});

const output = z.object({
  success: z.boolean(),
  skipped: z.boolean(),
  pattern_mode: z.enum(["contract", "generic"]),
  fallback: z.boolean(),
  document_id: z.string().nullable(),
  contracts: z.number().int(),
  chunks: z.number().int(),
  bindings: z.number().int(),
  warnings: z.array(z.string()),
  merkle_root: z.string(),
  manifest: z.string(),
});

/**
 * Creates the `contracts.bind` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { bindTask } from "./bind.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(bindTask(defaults).id, "contracts.bind");
 * ```
 */
export function bindTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "contracts.bind",
    summary: "Binds every contract to its chunk, proves the invariants, writes the manifest",
    input,
    output,
    permissions: (i, config) => {
      const path = resolve(config.home, i.manifest ?? MANIFEST_PATH);
      return mergeNeeds(sourceNeeds(i), { read: [dirname(path)], write: [dirname(path)] });
    },
    async run(ctx, i) {
      const path = resolve(ctx.config.home, i.manifest ?? MANIFEST_PATH);
      const settings = manifestSettings(i);
      const previous = i.skipUnchanged ? readManifest(path) : undefined;
      if (previous?.success === true) {
        const digest = await quickDigest(i);
        if (
          digest === previous.merkle_root &&
          JSON.stringify(previous.settings) === JSON.stringify(settings)
        ) {
          ctx.log.info("inputs unchanged since the last manifest: skipped", { manifest: path });
          ctx.counters.add("skipped");
          return summaryOf(previous, path, true);
        }
      }
      const prepared = await prepare(i, { env: joinTableEnv(), concurrency: options.concurrency });
      const manifest = buildManifest(prepared, settings, new Date());
      const before = readManifest(path);
      if (!before || withoutTimings(before) !== withoutTimings(manifest)) {
        writeManifest(path, manifest);
      } else writeManifest(path, { ...before, timings: manifest.timings });
      reportPrepared(ctx, prepared);
      if (prepared.failure) throw prepared.failure;
      return summaryOf(manifest, path, false);
    },
  });
}

function summaryOf(
  m: Record<string, unknown>,
  path: string,
  skipped: boolean,
): z.output<typeof output> {
  return {
    success: m.success as boolean,
    skipped,
    pattern_mode: m.pattern_mode as "contract" | "generic",
    fallback: (m.fallback as { used: boolean }).used,
    document_id: m.document_id as string | null,
    contracts: m.total_contracts as number,
    chunks: m.total_chunks as number,
    bindings: m.total_bindings as number,
    warnings: m.warnings as string[],
    merkle_root: m.merkle_root as string,
    manifest: path,
  };
}
