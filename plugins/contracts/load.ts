/**
 * Loads a contracts directory with bounded memory: files are read a batch
 * at a time (`concurrency` at once), each is hashed, parsed, validated for
 * the fields the plugin uses and reduced to a {@linkcode LoadedContract};
 * the parsed file is then dropped, so memory holds one batch of files and
 * the reduced contracts. Every problem is collected, not only the first.
 *
 * @module
 */
import { join } from "node:path";
import { sha256HexOffThread } from "../../lib/hash.ts";
import { consistencyWarnings } from "./consistency.ts";
import { contractSchema, jsonPath, type Pattern } from "./formats.ts";
import type { Issue } from "./issues.ts";
import type { PatternCache } from "./patterns.ts";

/** What the plugin keeps of one contract. */
export interface LoadedContract {
  /** The file's name. */
  file: string;
  /** `identity.question_id`. */
  question_id: string;
  /** `identity.policy_area_id`. */
  policy_area_id: string;
  /** `identity.dimension_id`. */
  dimension_id: string;
  /** `identity.contract_version`, when given. */
  contract_version?: string;
  /** The SHA-256 of the file's bytes: it covers every section. */
  sha256: string;
  /** The names of the file's top-level sections, those the plugin does not read included. */
  sections: string[];
  /** `question_context.patterns`, validated. */
  patterns: Pattern[];
}

/** What {@linkcode loadContracts} found. */
export interface LoadResult {
  /** The contracts that validated, by file name. */
  contracts: LoadedContract[];
  /** Every error, sorted. */
  errors: Issue[];
  /** Every warning, sorted. */
  warnings: Issue[];
  /** The SHA-256 of every file read, valid or not, by file name. */
  hashes: Record<string, string>;
}

/** Options of {@linkcode loadContracts}. */
export interface LoadOptions {
  /** Files read at once (the memory bound). @default {16} */
  concurrency?: number;
  /** A larger file is an error, not read. @default {8388608} */
  maxBytes?: number;
  /** Compiles and checks each pattern once. */
  patterns: PatternCache;
}

/** A contract file's name: `Q001.v3.json`. */
export const CONTRACT_FILE = /^(Q\d{3,})\.v\d+\.json$/;

/**
 * Lists a directory's contract files (`*.json`), sorted by name.
 *
 * @param dir The contracts directory.
 * @returns The file names.
 */
export async function contractFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  return names.sort();
}

/**
 * Checks one parsed contract and reduces it, adding its problems to
 * `errors` and `warnings`; the caller adds the file's hash.
 *
 * @param file The file's name.
 * @param raw The parsed JSON.
 * @param patterns The pattern cache.
 * @param errors Where errors go.
 * @param warnings Where warnings go.
 * @returns The contract, or `undefined` when it has errors.
 */
export function checkContract(
  file: string,
  raw: unknown,
  patterns: PatternCache,
  errors: Issue[],
  warnings: Issue[],
): Omit<LoadedContract, "sha256"> | undefined {
  // Only the fields used are validated (the rest is carried as it is), so
  // zod copies two small objects, not a 60 KB contract.
  const r = raw as Record<string, Record<string, unknown> | undefined>;
  const used = raw !== null && typeof raw === "object" && !Array.isArray(raw)
    ? {
      identity: r.identity,
      question_context: r.question_context !== null && typeof r.question_context === "object" &&
          !Array.isArray(r.question_context)
        ? { patterns: r.question_context.patterns }
        : r.question_context,
    }
    : raw;
  const parsed = contractSchema.safeParse(used);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ file, path: jsonPath(issue.path), message: issue.message });
    }
    return undefined;
  }
  const { identity, question_context } = parsed.data;
  const qid = identity.question_id;
  let ok = true;
  const named = CONTRACT_FILE.exec(file)?.[1];
  if (named !== qid) {
    ok = false;
    errors.push({
      file,
      path: "$.identity.question_id",
      message: named === undefined
        ? `Question id ${qid} cannot be checked as the file name is not like Q001.v3.json`
        : `Question id ${qid} disagrees with the file name (${named})`,
    });
  }
  question_context.patterns.forEach((p, i) => {
    const compiled = patterns.get(p);
    if ("reason" in compiled) {
      ok = false;
      errors.push({
        file,
        path: `$.question_context.patterns[${i}].pattern`,
        message: `Pattern ${p.id} of ${qid} does not compile as ${compiled.reason}`,
      });
    }
  });
  warnings.push(...consistencyWarnings(file, raw as Record<string, unknown>, identity));
  if (!ok) return undefined;
  return {
    file,
    question_id: qid,
    policy_area_id: identity.policy_area_id,
    dimension_id: identity.dimension_id,
    contract_version: identity.contract_version,
    sections: Object.keys(raw as object).sort(),
    patterns: question_context.patterns,
  };
}

/**
 * Loads and validates every contract of a directory. Problems are
 * collected: a file's JSON or schema errors, a question id that disagrees
 * with its file name, a pattern that does not compile, an unknown match
 * type, and question ids used by more than one file.
 *
 * @param dir The contracts directory.
 * @param options The pattern cache, the batch size, the size limit.
 * @returns The valid contracts, every error and warning, and every file's hash.
 * @throws {Deno.errors.NotFound} When the directory does not exist.
 */
export async function loadContracts(dir: string, options: LoadOptions): Promise<LoadResult> {
  const { concurrency = 16, maxBytes = 8 * 1024 * 1024, patterns } = options;
  const names = await contractFiles(dir);
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const hashes: Record<string, string> = {};
  const contracts: LoadedContract[] = [];
  const decoder = new TextDecoder();
  for (let at = 0; at < names.length; at += concurrency) {
    const batch = names.slice(at, at + concurrency);
    // A synchronous stat costs a few microseconds; an async one is a whole op per file.
    const files = await Promise.all(batch.map((file) => {
      const path = join(dir, file);
      const { size } = Deno.statSync(path);
      return size > maxBytes ? size : Deno.readFile(path);
    }));
    // The batch is hashed on other threads (WebCrypto) while this one
    // parses: each file is parsed, checked and dropped before the next, so
    // one parsed contract is alive at a time, not a batch of them.
    const digests = files.map((b) => typeof b === "number" ? undefined : sha256HexOffThread(b));
    const checked: (Omit<LoadedContract, "sha256"> | undefined)[] = [];
    for (let i = 0; i < batch.length; i++) {
      const file = batch[i];
      const bytes = files[i];
      if (typeof bytes === "number") {
        errors.push({
          file,
          path: "$",
          message: `File is larger than ${maxBytes} bytes: ${bytes} bytes`,
        });
        continue;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(decoder.decode(bytes));
      } catch (err) {
        errors.push({ file, path: "$", message: `Invalid JSON: ${(err as Error).message}` });
        continue;
      }
      checked[i] = checkContract(file, raw, patterns, errors, warnings);
    }
    for (let i = 0; i < batch.length; i++) {
      if (digests[i] === undefined) continue;
      const sha256 = hashes[batch[i]] = await digests[i]!;
      const contract = checked[i];
      if (contract) contracts.push({ ...contract, sha256 });
    }
  }
  errors.push(...duplicateIds(contracts));
  return { contracts, errors, warnings, hashes };
}

/** Question ids claimed by more than one file: one error per later file. */
function duplicateIds(contracts: readonly LoadedContract[]): Issue[] {
  const first = new Map<string, string>();
  const out: Issue[] = [];
  for (const c of contracts) {
    const seen = first.get(c.question_id);
    if (seen === undefined) first.set(c.question_id, c.file);
    else {
      out.push({
        file: c.file,
        path: "$.identity.question_id",
        message: `Duplicate question id ${c.question_id}: also in ${seen}`,
      });
    }
  }
  return out;
}
