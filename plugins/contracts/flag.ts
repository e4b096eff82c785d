/**
 * The JOIN-table feature flag: `--join-table` or `WEIR_JOIN_TABLE`, each
 * `true`, `false` or `canary:<percent>`. A canary picks documents by a hash
 * of the document id, so one document always takes the same path.
 *
 * @module
 */
import { UsageError } from "../../lib/errors.ts";
import { sha256Hex } from "../../lib/hash.ts";

/** The environment variable the flag is read from when `--join-table` is not given. */
export const JOIN_TABLE_ENV = "WEIR_JOIN_TABLE";

/** How the flag was decided for one document. */
export interface JoinTableDecision {
  /** Whether the JOIN table (contract patterns) is used. */
  enabled: boolean;
  /** Where the setting came from. */
  source: "flag" | "env" | "default" | "no-contracts";
  /** The setting as given (`true`, `false`, `canary:10`), or the default. */
  value: string;
  /** For a canary: the document's bucket, 0 to 9999 (on when below percent x 100). */
  bucket?: number;
}

/**
 * The document's canary bucket, 0 to 9999, from the SHA-256 of its id.
 *
 * @param documentId The document id.
 * @returns The bucket.
 *
 * @example The same id, the same bucket
 * ```ts
 * import { canaryBucket } from "./flag.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canaryBucket("doc-1"), canaryBucket("doc-1"));
 * assert.ok(canaryBucket("doc-1") >= 0 && canaryBucket("doc-1") < 10000);
 * ```
 */
export function canaryBucket(documentId: string): number {
  return parseInt(sha256Hex(documentId).slice(0, 8), 16) % 10000;
}

/**
 * Decides whether a document uses the JOIN table. The flag wins over the
 * environment; without either it is on when contracts are given; without
 * contracts it is always off.
 *
 * @param options The flag, the environment's value, the document id, whether contracts were given.
 * @returns The decision.
 * @throws {UsageError} When the flag or the variable is not `true`, `false` or `canary:<0-100>`.
 *
 * @example
 * ```ts
 * import { decideJoinTable } from "./flag.ts";
 * import assert from "node:assert/strict";
 * const on = decideJoinTable({ env: "canary:100", documentId: "d", hasContracts: true });
 * assert.deepEqual([on.enabled, on.source], [true, "env"]);
 * const off = decideJoinTable({ flag: "false", env: "true", documentId: "d", hasContracts: true });
 * assert.deepEqual([off.enabled, off.source], [false, "flag"]);
 * ```
 */
export function decideJoinTable(options: {
  flag?: string;
  env?: string;
  documentId: string;
  hasContracts: boolean;
}): JoinTableDecision {
  const { flag, env, documentId, hasContracts } = options;
  if (!hasContracts) return { enabled: false, source: "no-contracts", value: "false" };
  const [value, source, name] = flag !== undefined
    ? [flag, "flag" as const, "--join-table"]
    : env !== undefined && env !== ""
    ? [env, "env" as const, JOIN_TABLE_ENV]
    : ["true", "default" as const, ""];
  if (value === "true" || value === "false") return { enabled: value === "true", source, value };
  const canary = /^canary:(\d{1,3}(?:\.\d+)?)$/.exec(value);
  const percent = canary ? Number(canary[1]) : NaN;
  if (!(percent >= 0 && percent <= 100)) {
    throw new UsageError(
      `Cannot read ${name} as it must be true, false or canary:<percent from 0 to 100>: current value is "${value}"`,
    );
  }
  const bucket = canaryBucket(documentId);
  return { enabled: bucket < percent * 100, source, value, bucket };
}
