/**
 * The matches database's operations: reset a document whose inputs
 * changed, list the questions done, save one question's matches together
 * with its done row (one transaction: the resume point).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { transaction } from "../../lib/sqlite/open.ts";
import type { EntryResult } from "./matcher.ts";

/**
 * Forgets a document's matches when its inputs' root changed, then records
 * the new root.
 *
 * @param db The database.
 * @param documentId The document.
 * @param root The inputs' Merkle root now.
 * @returns Whether earlier work was dropped.
 */
export function resetIfChanged(db: DatabaseSync, documentId: string, root: string): boolean {
  return transaction(db, () => {
    const row = db.prepare("SELECT inputs_root FROM documents WHERE document_id = ?")
      .get(documentId) as { inputs_root: string } | undefined;
    if (row?.inputs_root === root) return false;
    for (const table of ["matches", "questions_done", "skipped_patterns"]) {
      db.prepare(`DELETE FROM ${table} WHERE document_id = ?`).run(documentId);
    }
    db.prepare(
      "INSERT INTO documents (document_id, inputs_root) VALUES (?, ?) " +
        "ON CONFLICT (document_id) DO UPDATE SET inputs_root = excluded.inputs_root",
    ).run(documentId, root);
    return row !== undefined;
  });
}

/**
 * The questions of a document and mode already done.
 *
 * @param db The database.
 * @param documentId The document.
 * @param mode `contract` or `generic`.
 * @returns Their ids.
 */
export function doneQuestions(db: DatabaseSync, documentId: string, mode: string): Set<string> {
  const rows = db.prepare(
    "SELECT question_id FROM questions_done WHERE document_id = ? AND mode = ?",
  ).all(documentId, mode) as { question_id: string }[];
  return new Set(rows.map((r) => r.question_id));
}

/**
 * Saves one question's matches and skipped patterns, and marks it done, in
 * one transaction.
 *
 * @param db The database.
 * @param documentId The document.
 * @param mode `contract` or `generic`.
 * @param result What its patterns found.
 * @param runId The run that did it.
 */
export function saveQuestion(
  db: DatabaseSync,
  documentId: string,
  mode: string,
  result: EntryResult,
  runId: string,
): void {
  const q = result.entry.question_id;
  transaction(db, () => {
    const insert = db.prepare(
      "INSERT INTO matches (document_id, mode, question_id, pattern_id, seq, category, start, end, text, confidence_weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const seq = new Map<string, number>();
    for (const m of result.matches) {
      const n = seq.get(m.pattern_id) ?? 0;
      seq.set(m.pattern_id, n + 1);
      insert.run(
        documentId,
        mode,
        q,
        m.pattern_id,
        n,
        m.category,
        m.start,
        m.end,
        m.text,
        m.confidence_weight,
      );
    }
    const skip = db.prepare(
      "INSERT OR REPLACE INTO skipped_patterns (document_id, mode, question_id, pattern_id, reason) VALUES (?, ?, ?, ?, ?)",
    );
    for (const s of result.skipped) skip.run(documentId, mode, q, s.pattern_id, s.reason);
    db.prepare(
      "INSERT INTO questions_done (document_id, mode, question_id, chunk_id, matches, run_id) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(documentId, mode, q, result.entry.chunk_id, result.matches.length, runId);
  });
}
