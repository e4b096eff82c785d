/**
 * Nothing dropped without a word: a page that yields no ontology but looks
 * as if it should (it names an OntologyBlock, or holds OWL-looking text
 * such as `Declaration(`, `SubClassOf(` or `(SubClassOf`) gets a warning
 * with the line and the reason. Text in `markdown`/`md` fences is an
 * example, never content, and is not looked at.
 *
 * @module
 */
import type { PageWarningFact } from "./model.ts";
import { fenceLanguage, fenceTicks, isBlank, isClosingFence } from "./_page_syntax.ts";

const AXIOM = "Declaration|SubClassOf|EquivalentClasses|DisjointClasses|SubObjectPropertyOf|" +
  "ObjectPropertyDomain|ObjectPropertyRange|DataPropertyDomain|DataPropertyRange|" +
  "ClassAssertion|ObjectPropertyAssertion|AnnotationAssertion";
const OWL_LOOKING = new RegExp(`\\b(?:${AXIOM})\\s*\\(|\\(\\s*(?:${AXIOM})\\b`);
const EXAMPLE_LANGUAGES: ReadonlySet<string> = new Set(["markdown", "md"]);

/**
 * The first line of a page that looks like ontology, for a page the parser
 * found no OntologyBlock in.
 *
 * @param text The page.
 * @returns The line and why, or `undefined` for a page that looks like notes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookalike } from "./page_warning.ts";
 * assert.equal(lookalike("- just notes"), undefined);
 * assert.deepEqual(lookalike("- notes\n- SubClassOf(mv:A mv:B)"), {
 *   line: 2,
 *   reason: 'it holds OWL-looking text ("SubClassOf(") outside any OntologyBlock',
 * });
 * ```
 */
export function lookalike(text: string): PageWarningFact | undefined {
  let fence: { ticks: number; example: boolean } | null = null;
  let lineNo = 0;
  for (let pos = 0; pos <= text.length;) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    lineNo++;
    const start = pos;
    pos = end + 1;
    let i = start;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 45) i++; // a bullet
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (fence) {
      if (isClosingFence(text, i, end, fence.ticks)) fence = null;
      else if (!fence.example) {
        const found = look(text.slice(i, end), lineNo);
        if (found) return found;
      }
      continue;
    }
    const ticks = fenceTicks(text, i, end);
    const language = ticks > 0 ? fenceLanguage(text, i + ticks, end) : null;
    if (language !== null) {
      fence = { ticks, example: EXAMPLE_LANGUAGES.has(language) };
      continue;
    }
    const found = look(text.slice(i, end), lineNo);
    if (found) return found;
  }
  return undefined;
}

function look(line: string, lineNo: number): PageWarningFact | undefined {
  if (line.includes("OntologyBlock")) {
    return {
      line: lineNo,
      reason:
        'it mentions OntologyBlock, but no block starts in a form the parser reads ("- ### OntologyBlock" or <details><summary>OntologyBlock</summary>)',
    };
  }
  const owl = OWL_LOOKING.exec(line);
  if (owl) {
    return {
      line: lineNo,
      reason: `it holds OWL-looking text (${
        JSON.stringify(owl[0].replace(/\s+/g, ""))
      }) outside any OntologyBlock`,
    };
  }
  return undefined;
}
