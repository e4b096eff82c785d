/**
 * The inputs' Merkle root without validating anything: every contract
 * file hashed as read, the document's chunks, the questionnaire. What
 * `--skip-unchanged` compares with the last manifest's root.
 *
 * @module
 */
import { join } from "node:path";
import { sha256Hex } from "../../lib/hash.ts";
import { readDocument } from "./inputs.ts";
import { contractFiles } from "./load.ts";
import type { SourceParams } from "./params.ts";
import { inputsRoot } from "./prepare.ts";
import { decideJoinTable } from "./flag.ts";
import { joinTableEnv } from "./params.ts";

/**
 * Computes the root prepare would record for these inputs (contracts only
 * when the JOIN table is on), or `undefined` when the document is invalid.
 *
 * @param p The shared params.
 * @param concurrency Files read at once.
 * @returns The root.
 */
export async function quickDigest(p: SourceParams, concurrency = 16): Promise<string | undefined> {
  const document = await readDocument(p.document, []);
  if (!document) return undefined;
  const contracts: Record<string, string> = {};
  const decision = decideJoinTable({
    flag: p.joinTable,
    env: joinTableEnv(),
    documentId: document.document_id,
    hasContracts: p.contracts !== undefined,
  });
  if (p.contracts && decision.enabled) {
    const names = await contractFiles(p.contracts);
    for (let at = 0; at < names.length; at += concurrency) {
      const batch = names.slice(at, at + concurrency);
      const bytes = await Promise.all(batch.map((n) => Deno.readFile(join(p.contracts!, n))));
      batch.forEach((n, k) => contracts[n] = sha256Hex(bytes[k]));
    }
  }
  const questionnaire = p.questionnaire
    ? sha256Hex(await Deno.readFile(p.questionnaire))
    : undefined;
  return inputsRoot(contracts, document.chunkHashes, questionnaire);
}
