/**
 * The snapshot manifest: what files a snapshot holds, their hashes, and a
 * Merkle root over them, so a snapshot can be verified as a whole.
 *
 * @module
 */
import { z } from "zod";

/** One file in a snapshot. */
export const manifestFile = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A snapshot manifest as stored. */
export const manifestSchema = z.object({
  name: z.string(),
  files: z.array(manifestFile),
  merkle_root: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A snapshot manifest. */
export type Manifest = z.output<typeof manifestSchema>;

/**
 * Where a snapshot's objects live.
 *
 * @param prefix The plugin's key prefix.
 * @param name The snapshot name.
 * @returns The keys of the manifest and of a file.
 *
 * @example
 * ```ts
 * import { snapshotKeys } from "./manifest.ts";
 * import assert from "node:assert/strict";
 * assert.equal(snapshotKeys("snapshots", "demo").file("a/b.md"), "snapshots/demo/files/a/b.md");
 * ```
 */
export function snapshotKeys(prefix: string, name: string): {
  manifest: string;
  file: (path: string) => string;
} {
  return {
    manifest: `${prefix}/${name}/manifest.json`,
    file: (path) => `${prefix}/${name}/files/${path}`,
  };
}
