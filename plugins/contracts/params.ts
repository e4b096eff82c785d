/**
 * The input fields every contracts task shares: where the contracts, the
 * document and the questionnaire are, the JOIN-table flag and its
 * fallback, `--strict` and the expected counts; and the permissions they
 * need.
 *
 * @module
 */
import { z } from "zod";
import type { PermissionNeeds } from "../../lib/permissions.ts";
import { JOIN_TABLE_ENV } from "./flag.ts";

/** The shared input fields (spread into each task's `z.object`). */
export const sourceFields = {
  contracts: z.string().min(1).optional().describe(
    "directory of executor contracts (Q001.v3.json ...); without it, generic patterns",
  ),
  document: z.string().min(1).describe("preprocessed document: JSON with its chunks"),
  questionnaire: z.string().min(1).optional().describe(
    "questionnaire whose generic patterns are the fallback",
  ),
  joinTable: z.string().optional().describe(
    `use the JOIN table: true, false or canary:<percent> (default ${JOIN_TABLE_ENV}, else true with contracts)`,
  ),
  fallbackGeneric: z.boolean().default(false).describe(
    "when the JOIN table cannot be built, use the generic patterns instead of failing",
  ),
  strict: z.boolean().default(false).describe("consistency warnings are errors"),
  expectedContracts: z.number().int().min(1).default(300).describe("contracts a complete set has"),
  expectedChunks: z.number().int().min(1).default(60).describe("chunks a complete document has"),
};

const sources = z.object(sourceFields);

/** The shared fields, as parsed. */
export type SourceParams = z.output<typeof sources>;

/**
 * What reading the sources needs: the contracts, the document, the
 * questionnaire and the flag's environment variable.
 *
 * @param p The parsed fields.
 * @returns The needs.
 *
 * @example
 * ```ts
 * import { sourceNeeds } from "./params.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sourceNeeds({ document: "d.json", fallbackGeneric: false, strict: false,
 *   expectedContracts: 300, expectedChunks: 60 }), { read: ["d.json"], env: ["WEIR_JOIN_TABLE"] });
 * ```
 */
export function sourceNeeds(p: SourceParams): PermissionNeeds {
  const read = [p.contracts, p.document, p.questionnaire].filter((x): x is string => !!x);
  return { read, env: [JOIN_TABLE_ENV] };
}

/**
 * Reads the flag's environment variable, when it may be read.
 *
 * @returns Its value, or `undefined`.
 */
export function joinTableEnv(): string | undefined {
  const granted = Deno.permissions.querySync({ name: "env", variable: JOIN_TABLE_ENV });
  return granted.state === "granted" ? Deno.env.get(JOIN_TABLE_ENV) : undefined;
}
