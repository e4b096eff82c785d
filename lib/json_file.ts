/**
 * JSON files written atomically (run manifests, verification manifests).
 *
 * @module
 */
import { dirname } from "./path.ts";

/**
 * Writes `value` as JSON to `path`: to a temporary file first, then renamed,
 * so a reader never sees half a file. When a write fails (a full disk, a
 * read-only folder) the temporary file is removed and the error names the
 * path.
 *
 * @param path The manifest's path.
 * @param value What to write.
 * @throws {Error} `Cannot write "<path>": <reason>`, with the cause.
 *
 * @example
 * ```ts
 * import { writeJsonFile } from "./json_file.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * try {
 *   writeJsonFile(`${dir}/r1/manifest.json`, { id: "r1" });
 *   assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/r1/manifest.json`)), { id: "r1" });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function writeJsonFile(path: string, value: unknown): void {
  const temp = `${path}.tmp`;
  try {
    // Its owner's alone: manifests and state are nobody else's business.
    Deno.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(temp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
    Deno.renameSync(temp, path);
  } catch (cause) {
    try {
      Deno.removeSync(temp);
    } catch { /* never written, or already gone */ }
    throw new Error(`Cannot write "${path}": ${(cause as Error).message}`, {
      cause,
    });
  }
}
