/**
 * Reads the preprocessed document and the questionnaire, validated, with
 * their problems collected as issues naming the file and the JSON path.
 *
 * @module
 */
import { hashJson, sha256Hex } from "../../lib/hash.ts";
import {
  type Chunk,
  type Document,
  documentSchema,
  jsonPath,
  type Pattern,
  questionnaireSchema,
} from "./formats.ts";
import type { Issue } from "./issues.ts";
import type { PatternCache } from "./patterns.ts";
import type { QuestionRef } from "./join_table.ts";

/** A document as read: its chunks and hashes. */
export interface LoadedDocument {
  /** The file. */
  path: string;
  /** `document_id`. */
  document_id: string;
  /** The chunks, in the file's order. */
  chunks: Chunk[];
  /** The SHA-256 of each chunk's canonical JSON, by chunk id. */
  chunkHashes: Record<string, string>;
}

/** A questionnaire question with its generic patterns. */
export interface GenericQuestion extends QuestionRef {
  /** Its generic patterns. */
  patterns: Pattern[];
}

/** A questionnaire as read. */
export interface LoadedQuestionnaire {
  /** The file. */
  path: string;
  /** The SHA-256 of its bytes. */
  sha256: string;
  /** Its questions, sorted by id. */
  questions: GenericQuestion[];
}

async function readJson(path: string, issues: Issue[]): Promise<[unknown, Uint8Array] | undefined> {
  const bytes = await Deno.readFile(path);
  try {
    return [JSON.parse(new TextDecoder().decode(bytes)), bytes];
  } catch (err) {
    issues.push({ file: path, path: "$", message: `Invalid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

/**
 * Reads and validates the preprocessed document.
 *
 * @param path The document's file.
 * @param issues Where problems go.
 * @returns The document, or `undefined` when it has errors.
 */
export async function readDocument(
  path: string,
  issues: Issue[],
): Promise<LoadedDocument | undefined> {
  const read = await readJson(path, issues);
  if (!read) return undefined;
  const parsed = documentSchema.safeParse(read[0]);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      issues.push({ file: path, path: jsonPath(i.path), message: i.message });
    }
    return undefined;
  }
  const doc: Document = parsed.data;
  const chunkHashes: Record<string, string> = {};
  for (const chunk of doc.chunks) chunkHashes[chunk.chunk_id] = hashJson(chunk);
  return { path, document_id: doc.document_id, chunks: doc.chunks, chunkHashes };
}

/**
 * Reads and validates the questionnaire, checking every generic pattern.
 *
 * @param path The questionnaire's file.
 * @param patterns The pattern cache.
 * @param issues Where problems go.
 * @returns The questionnaire, or `undefined` when it has errors.
 */
export async function readQuestionnaire(
  path: string,
  patterns: PatternCache,
  issues: Issue[],
): Promise<LoadedQuestionnaire | undefined> {
  const read = await readJson(path, issues);
  if (!read) return undefined;
  const parsed = questionnaireSchema.safeParse(read[0]);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      issues.push({ file: path, path: jsonPath(i.path), message: i.message });
    }
    return undefined;
  }
  const before = issues.length;
  const questions = parsed.data.blocks.micro_questions.map((q, qi) => {
    q.patterns.forEach((p, pi) => {
      const compiled = patterns.get(p);
      if ("reason" in compiled) {
        issues.push({
          file: path,
          path: `$.blocks.micro_questions[${qi}].patterns[${pi}].pattern`,
          message: `Pattern ${p.id} of ${q.question_id} does not compile as ${compiled.reason}`,
        });
      }
    });
    const { question_id, policy_area_id, dimension_id } = q;
    return { question_id, policy_area_id, dimension_id, patterns: q.patterns };
  });
  if (issues.length > before) return undefined;
  questions.sort((a, b) => (a.question_id < b.question_id ? -1 : 1));
  return { path, sha256: sha256Hex(read[1]), questions };
}
