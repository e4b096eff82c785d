/**
 * `example.snapshot`: copies every file under a directory into the object
 * store, skipping files whose content is unchanged since the last snapshot
 * of the same name, then writes a manifest with each file's hash and a
 * Merkle root.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { merkleRoot, sha256Hex } from "../../lib/hash.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { pool } from "../../lib/async/pool.ts";
import { objectStoreNeeds } from "../../kernel/store_needs.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { type Manifest, snapshotKeys } from "./manifest.ts";
import type { Options } from "./options.ts";
import { MIGRATIONS } from "./schema.ts";

const input = z.object({
  source: z.string().min(1).describe("directory to snapshot"),
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i).default("demo").describe("snapshot name"),
  concurrency: z.number().int().min(1).max(32).default(4).describe("files copied at once"),
});

const output = z.object({
  name: z.string(),
  manifest: z.string(),
  files: z.number().int(),
  copied: z.number().int(),
  unchanged: z.number().int(),
  bytes: z.number().int(),
  merkle_root: z.string(),
});

async function* walk(root: string, dir = root): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile()) yield relative(root, path).split(sep).join("/");
  }
}

/**
 * Creates the snapshot task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { snapshotTask } from "./snapshot.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(snapshotTask({ ...defaults, prefix: "backups" }).id, "example.snapshot");
 * ```
 */
export function snapshotTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "example.snapshot",
    summary: "Copies a directory's files into the object store with a hashed manifest",
    input,
    output,
    permissions: (i, config) => {
      const folder = dirname(resolve(config.home, options.database));
      return mergeNeeds({ read: [i.source, folder], write: [folder] }, objectStoreNeeds(config));
    },
    async run(ctx, i) {
      const root = resolve(i.source);
      const keys = snapshotKeys(options.prefix, i.name);
      const store = await ctx.stores.objects();
      const { checkpoints } = await ctx.database({
        path: resolve(ctx.config.home, options.database),
        migrations: MIGRATIONS,
      });
      const paths: string[] = [];
      for await (const path of walk(root)) paths.push(path);
      const progress = ctx.progress(`snapshot ${i.name}`, paths.length);

      const files: Manifest["files"] = [];
      const work = pool(paths, async (path) => {
        const bytes = await readFile(join(root, path));
        const sha256 = sha256Hex(bytes);
        const mark = `${i.name}/${path}`;
        // Unchanged since the last snapshot (or before an interruption): no copy.
        if (checkpoints.get<string>(mark) === sha256 && await store.head(keys.file(path))) {
          ctx.counters.add("unchanged");
        } else {
          await store.put(keys.file(path), bytes);
          checkpoints.set(mark, sha256);
          ctx.counters.add("copied");
          ctx.counters.add("bytes", bytes.length);
        }
        return { path, size: bytes.length, sha256 };
      }, { concurrency: i.concurrency, signal: ctx.signal });

      for await (const result of work) {
        if (result.status === "fulfilled") files.push(result.value);
        else if (result.status === "rejected") {
          ctx.failures.add(result.item, (result.reason as Error).message ?? String(result.reason));
        }
        progress.tick();
        progress.gauge("busy", work.stats.busy);
      }
      progress.done();

      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const manifest: Manifest = {
        name: i.name,
        files,
        merkle_root: merkleRoot(files.map((f) => f.sha256)),
      };
      // An interrupted snapshot keeps its previous manifest: the copied files
      // are checkpointed and the next run completes it.
      if (!ctx.signal.aborted) {
        await store.put(keys.manifest, JSON.stringify(manifest, null, 2) + "\n", {
          contentType: "application/json",
        });
        ctx.log.info("manifest written", { key: keys.manifest, files: files.length });
      }
      return {
        name: i.name,
        manifest: keys.manifest,
        files: files.length,
        copied: ctx.counters.get("copied"),
        unchanged: ctx.counters.get("unchanged"),
        bytes: ctx.counters.get("bytes"),
        merkle_root: manifest.merkle_root,
      };
    },
  });
}
