/**
 * The permissions a store needs under a configuration, for tasks to add to
 * their declared needs.
 *
 * @module
 */
import { join } from "../lib/path.ts";
import type { WeirConfig } from "./config.ts";
import type { PermissionNeeds } from "../lib/permissions.ts";

/**
 * What the configured object store needs: the objects directory for the
 * filesystem adapter, the endpoint's host for S3.
 *
 * @param config The configuration.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import { objectStoreNeeds } from "./store_needs.ts";
 * import { loadConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * const { config } = loadConfig({ home: "/tmp/w" }, {});
 * assert.deepEqual(objectStoreNeeds(config), {
 *   read: ["/tmp/w/objects"],
 *   write: ["/tmp/w/objects"],
 * });
 * ```
 */
export function objectStoreNeeds(config: WeirConfig): PermissionNeeds {
  if (config.objects === "fs") {
    const root = join(config.home, "objects");
    return { read: [root], write: [root] };
  }
  const host = config.s3.endpoint
    ? new URL(config.s3.endpoint).host
    : `${config.s3.bucket}.s3.${config.s3.region}.amazonaws.com`;
  // What the AWS SDK itself reads, measured: its AWS_* settings, the home
  // directory (for ~/.aws, which it may not find), a tracing variable, and
  // the OS release for its user agent.
  return {
    net: [host],
    env: ["AWS_*", "HOME", "USERPROFILE", "HOMEPATH", "HOMEDRIVE", "_X_AMZN_TRACE_ID"],
    sys: ["osRelease"],
  };
}
