/**
 * The kernel's redaction policy: the values of secret-looking variables
 * (`*_PASSWORD`, `*SECRET*`, `*TOKEN*`) are removed from logs, stdout, run
 * records and manifests, the sandbox's included (engine: `lib/redact.ts`).
 *
 * @module
 */
import { isSecretName } from "../../lib/redact.ts";

/**
 * The secret values among environment variables.
 *
 * @param env The variables the configuration read.
 * @returns The values of those whose names look secret.
 *
 * @example
 * ```ts
 * import { secretValues } from "./redact.ts";
 * import assert from "node:assert/strict";
 * const env = { NEO4J_USER: "neo4j", NEO4J_PASSWORD: "hunter2!" };
 * assert.deepEqual(secretValues(env), ["hunter2!"]);
 * ```
 */
export function secretValues(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).filter(([name]) => isSecretName(name)).map(([, value]) => value);
}
