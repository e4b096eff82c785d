/**
 * `example.verify`: re-reads every file of a snapshot from the object store
 * and checks its hash and the manifest's Merkle root. A missing or altered
 * file is a failed item (partial success, exit 3), not a crash.
 *
 * @module
 */
import { z } from "zod";
import { merkleRoot, sha256Hex } from "../../lib/hash.ts";
import { pool } from "../../lib/async/pool.ts";
import { objectStoreNeeds } from "../../kernel/store_needs.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { manifestSchema, snapshotKeys } from "./manifest.ts";
import type { Options } from "./options.ts";

const input = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i).default("demo").describe("snapshot name"),
  concurrency: z.number().int().min(1).max(32).default(4).describe("files checked at once"),
});

const output = z.object({
  name: z.string(),
  files: z.number().int(),
  verified: z.number().int(),
  mismatched: z.number().int(),
  merkle_root: z.string(),
  merkle_ok: z.boolean(),
});

/**
 * Creates the verify task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { verifyTask } from "./verify.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(verifyTask({ ...defaults, prefix: "backups" }).id, "example.verify");
 * ```
 */
export function verifyTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "example.verify",
    summary: "Re-reads a snapshot and checks every file against its manifest",
    input,
    output,
    permissions: (_i, config) => objectStoreNeeds(config),
    async run(ctx, i) {
      const keys = snapshotKeys(options.prefix, i.name);
      const store = await ctx.stores.objects();
      const text = await store.getText(keys.manifest);
      if (text === undefined) {
        throw new Error(
          `Cannot verify snapshot "${i.name}" as its manifest "${keys.manifest}" does not exist`,
        );
      }
      const parsed = manifestSchema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        throw new Error(`Cannot verify snapshot "${i.name}" as its manifest is malformed`);
      }
      const manifest = parsed.data;
      const progress = ctx.progress(`verify ${i.name}`, manifest.files.length);
      const work = pool(manifest.files, async (file) => {
        const bytes = await store.get(keys.file(file.path));
        if (bytes === undefined) throw new Error("object is missing");
        const actual = sha256Hex(bytes);
        if (actual !== file.sha256) {
          throw new Error(`sha256 is ${actual}, manifest says ${file.sha256}`);
        }
      }, { concurrency: i.concurrency, signal: ctx.signal });
      for await (const result of work) {
        if (result.status === "fulfilled") ctx.counters.add("verified");
        else if (result.status === "rejected") {
          ctx.counters.add("mismatched");
          ctx.failures.add(result.item.path, (result.reason as Error).message);
        }
        progress.tick();
      }
      progress.done();
      const root = merkleRoot(manifest.files.map((f) => f.sha256));
      if (root !== manifest.merkle_root) {
        ctx.failures.add(
          keys.manifest,
          `Merkle root is ${root}, manifest says ${manifest.merkle_root}`,
        );
      }
      return {
        name: i.name,
        files: manifest.files.length,
        verified: ctx.counters.get("verified"),
        mismatched: ctx.counters.get("mismatched"),
        merkle_root: root,
        merkle_ok: root === manifest.merkle_root,
      };
    },
  });
}
