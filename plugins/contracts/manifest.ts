/**
 * The verification manifest: the audit trail of one bind. Written
 * atomically; identical inputs give a byte-identical file apart from its
 * last field, `timings`, which holds every time and timestamp.
 *
 * @module
 */
import { writeJsonFile } from "../../lib/json_file.ts";
import type { Prepared } from "./prepare.ts";
import { formatIssue } from "./issues.ts";
import type { SourceParams } from "./params.ts";

/** The manifest's default path, under the home. */
export const MANIFEST_PATH = "artifacts/manifests/executor_chunk_synchronization_manifest.json";

/** The settings a manifest was made with (a rerun with others is not unchanged). */
export function manifestSettings(p: SourceParams): Record<string, unknown> {
  return {
    contracts: p.contracts ?? null,
    document: p.document,
    questionnaire: p.questionnaire ?? null,
    join_table: p.joinTable ?? null,
    fallback_generic: p.fallbackGeneric,
    strict: p.strict,
    expected_contracts: p.expectedContracts,
    expected_chunks: p.expectedChunks,
  };
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}

/**
 * Builds the manifest. Its fields are in a fixed order and every list is
 * sorted, so the same inputs give the same bytes; `timings` comes last.
 *
 * @param prepared What prepare found.
 * @param settings The settings it ran with.
 * @param generatedAt The timestamp to record.
 * @returns The manifest.
 */
export function buildManifest(
  prepared: Prepared,
  settings: Record<string, unknown>,
  generatedAt: Date,
): Record<string, unknown> {
  const table = prepared.table;
  const countPatterns = (list: { patterns: unknown[] }[] | undefined) =>
    (list ?? []).reduce((n, q) => n + q.patterns.length, 0);
  const invariants = prepared.contractTable?.invariants ?? table?.invariants ?? {
    one_to_one_mapping: false,
    all_contracts_bound: false,
    chunks_unique: false,
    count_matches: false,
  };
  return {
    manifest_version: 1,
    success: prepared.failure === undefined && prepared.mode === "contract",
    pattern_mode: prepared.mode,
    join_table: prepared.decision,
    fallback: prepared.fallback,
    document_id: prepared.document?.document_id ?? null,
    total_contracts: prepared.load?.contracts.length ?? 0,
    total_chunks: prepared.document?.chunks.length ?? 0,
    total_bindings: table?.bindings.length ?? 0,
    invariants_validated: invariants,
    errors: prepared.errors,
    warnings: prepared.warnings.map(formatIssue),
    pattern_counts: {
      contract: countPatterns(prepared.load?.contracts),
      generic: countPatterns(prepared.questionnaire?.questions),
      planned: countPatterns(prepared.questions),
    },
    settings,
    merkle_root: prepared.merkleRoot,
    hashes: {
      contracts: sortedRecord(prepared.load?.hashes ?? {}),
      chunks: sortedRecord(prepared.document?.chunkHashes ?? {}),
      questionnaire: prepared.questionnaire?.sha256 ?? null,
    },
    bindings: table?.bindings ?? [],
    timings: {
      generated_at: generatedAt.toISOString(),
      ...Object.fromEntries(
        Object.entries(prepared.timings).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
      ),
    },
  };
}

/**
 * Writes the manifest atomically (a temporary file, then a rename).
 *
 * @param path Where.
 * @param manifest The manifest.
 */
export function writeManifest(path: string, manifest: Record<string, unknown>): void {
  writeJsonFile(path, manifest);
}

/**
 * Reads a manifest written before, when there is one that parses.
 *
 * @param path Where.
 * @returns The manifest, or `undefined`.
 */
export function readManifest(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * The manifest without its `timings`, as text: equal for equal inputs.
 *
 * @param manifest A manifest.
 * @returns Its deterministic part.
 *
 * @example
 * ```ts
 * import { withoutTimings } from "./manifest.ts";
 * import assert from "node:assert/strict";
 * assert.equal(withoutTimings({ a: 1, timings: { t: 2 } }), withoutTimings({ a: 1, timings: { t: 3 } }));
 * ```
 */
export function withoutTimings(manifest: Record<string, unknown>): string {
  const { timings: _, ...rest } = manifest;
  return JSON.stringify(rest);
}
