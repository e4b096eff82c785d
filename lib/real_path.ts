/**
 * Real paths for permission checks. Deno's grants are lexical: with
 * `--allow-read=.`, a symbolic link `./graph -> /etc` is read through
 * `./graph` as granted. A pre-flight that checks each path at its real
 * location too (the link resolved, as far as the path exists) asks for the
 * grant the work really needs, and refuses the run when it is missing.
 *
 * @module
 */
import { dirname, join, resolve } from "./path.ts";
import type { PermissionNeeds } from "./permissions.ts";

/**
 * The real location of a path: every symbolic link in it resolved, as far
 * as it exists (a path not made yet keeps its missing tail under its real
 * parent). A path that may not be read is returned resolved but as given.
 *
 * @param path The path.
 * @returns The real path.
 *
 * @example
 * ```ts
 * import { realPathOf } from "./real_path.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.realPathSync(await Deno.makeTempDir());
 * Deno.mkdirSync(`${dir}/real`);
 * Deno.symlinkSync(`${dir}/real`, `${dir}/link`);
 * assert.equal(realPathOf(`${dir}/link/not-yet/file`), `${dir}/real/not-yet/file`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  const tail: string[] = [];
  for (let at = absolute;; at = dirname(at)) {
    try {
      return join(Deno.realPathSync(at), ...tail.reverse());
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound) || dirname(at) === at) return absolute;
      tail.push(at.slice(at.lastIndexOf("/") + 1));
    }
  }
}

/**
 * Adds to the paths read and written their real locations, so that a
 * pre-flight checks both: the lexical path Deno checks at each call, and
 * the place the work really touches.
 *
 * @param needs The needs.
 * @returns The needs with each real path that differs added beside its path.
 *
 * @example
 * ```ts
 * import { withRealPaths } from "./real_path.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.realPathSync(await Deno.makeTempDir());
 * Deno.symlinkSync("/usr", `${dir}/usr-link`);
 * const needs = withRealPaths({ read: [`${dir}/usr-link/share`] });
 * assert.deepEqual(needs.read, [`${dir}/usr-link/share`, "/usr/share"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function withRealPaths(needs: PermissionNeeds): PermissionNeeds {
  const real = (paths: readonly string[] | undefined) =>
    paths && [...new Set(paths.flatMap((p) => [p, realPathOf(p)]))];
  const out: PermissionNeeds = { ...needs };
  if (needs.read) out.read = real(needs.read);
  if (needs.write) out.write = real(needs.write);
  return out;
}
