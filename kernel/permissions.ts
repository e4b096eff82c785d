/**
 * The permission pre-flight: before a task runs, each need it declared is
 * checked with `Deno.permissions.query`, and a missing grant stops the run
 * with exit 2 and the exact flag. The needs themselves, their merging and
 * their flags are `lib/permissions.ts`.
 *
 * @module
 */
import { missingFlags, type PermissionNeeds } from "../lib/permissions.ts";
import { PermissionMissingError } from "./errors.ts";

/**
 * Checks every declared need with `Deno.permissions`; nothing is prompted.
 *
 * @param subject The task or pipeline, for the message.
 * @param needs What it will touch.
 * @throws {PermissionMissingError} Naming the exact flags that are missing.
 *
 * @example
 * ```ts
 * import { assertPermissions } from "./permissions.ts";
 * assertPermissions("hello.greet", {}); // nothing needed, nothing thrown
 * ```
 */
export function assertPermissions(subject: string, needs: PermissionNeeds): void {
  const flags = missingFlags(needs);
  if (flags.length) throw new PermissionMissingError(subject, flags);
}
