/**
 * Removing a database's side files, where an absent file is no error.
 *
 * @module
 */

/**
 * Removes a file; an absent one is fine.
 *
 * @param path The file.
 * @throws {Error} Any failure but the file not existing.
 */
export function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
