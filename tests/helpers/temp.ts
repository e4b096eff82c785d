/**
 * Temporary folders for tests that are removed however the test ends:
 * `await using dir = await tempDir("weir-x-")` removes it when the block exits.
 *
 * @module
 */

/** A temporary folder, removed (recursively) when disposed of. */
export interface TempDir extends AsyncDisposable {
  /** Its absolute path. */
  readonly path: string;
}

/**
 * Creates a temporary folder that `await using` removes at the end of the block,
 * even when the test fails.
 *
 * @param prefix The start of its name, for example `"weir-e2e-"`.
 * @returns The folder.
 *
 * @example Removed at the end of the block
 * ```ts
 * import { tempDir } from "./temp.ts";
 * import assert from "node:assert/strict";
 * let path = "";
 * {
 *   await using dir = await tempDir("weir-example-");
 *   path = dir.path;
 *   await Deno.writeTextFile(`${path}/a.txt`, "a");
 * }
 * await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
 * ```
 */
export async function tempDir(prefix = "weir-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    },
  };
}
