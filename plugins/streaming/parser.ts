/**
 * The ontology-page parser: what a Logseq markdown page's OntologyBlock says
 * (format: DESIGN.md section 8).
 *
 * How a page is read, line by line, in one pass:
 * - The block starts at a bullet `- ### OntologyBlock` (one to six `#`) and
 *   ends before the next bullet indented the same or less. A tab counts as
 *   two spaces (one Logseq level), so tabs and spaces may mix. A page may
 *   hold several blocks; they are read as one.
 * - In the block, a line `key:: value`, as a bullet or as a continuation
 *   line, is a property. The key is the text before the first `::` that is
 *   followed by a space or the line's end, and holds no whitespace (else the
 *   line is ordinary text). A non-bullet line indented deeper than the
 *   property line just above continues that property's value (joined with
 *   one space); a blank line or a bullet ends it. Every `[[link]]` in a value
 *   is a relationship of that property.
 * - A fence is three or more backticks after the indentation (and the
 *   bullet), with an optional language; it ends at a line of at least as
 *   many backticks. In the block, a fence without a language or tagged
 *   `clojure`, `clj`, `owl`, `owl2`, `ofn`, `fss`, `functional` or
 *   `owl-functional` holds OWL functional syntax (read by
 *   {@linkcode parseFunctionalSyntax}); other fences (`mermaid`, ...) are
 *   skipped. A header inside a fence is not a header.
 * - `term-id`, `preferred-term`, `definition` and `owl:class` are the first
 *   non-empty value of that key, else null.
 *
 * @module
 */
import { PermanentError } from "../../lib/async/retry.ts";
import type { Axiom, Declaration, OntologyPage, ParseResult } from "./model.ts";
import { OwlSyntaxError, parseFunctionalSyntax } from "./owl.ts";
import {
  fenceLanguage,
  fenceTicks,
  first,
  isBlank,
  isClosingFence,
  isHeader,
  propertyKeyEnd,
  relationshipsOf,
} from "./_page_syntax.ts";
import { lookalike } from "./page_warning.ts";

/**
 * A page's OntologyBlock is malformed. Permanent: reading the page again
 * cannot cure it, so the sync lists the page as failed and moves on.
 *
 * @example Where and why
 * ```ts
 * import assert from "node:assert/strict";
 * import { PageParseError } from "./parser.ts";
 * import { isRetryable } from "../../lib/async/retry.ts";
 * const err = new PageParseError(7, "the code fence is not closed");
 * assert.equal(err.message, "Cannot parse page as the code fence is not closed at line 7");
 * assert.equal(err.line, 7);
 * assert.equal(isRetryable(err), false);
 * ```
 */
export class PageParseError extends PermanentError {
  /** 1-based line in the page where the fault is. */
  readonly line: number;
  /** What is wrong, as a clause (`the property has no key`). */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param line 1-based line in the page where the fault is.
   * @param reason What is wrong, as a clause.
   * @param options The standard error options (`cause`).
   */
  constructor(line: number, reason: string, options?: ErrorOptions) {
    super(`Cannot parse page as ${reason} at line ${line}`, options);
    this.name = "PageParseError";
    this.line = line;
    this.reason = reason;
  }
}

const OWL_LANGUAGES: ReadonlySet<string> = new Set([
  "",
  "clojure",
  "clj",
  "owl",
  "owl2",
  "ofn",
  "fss",
  "functional",
  "owl-functional",
]);

const TAB = 9, SPACE = 32, CR = 13, DASH = 45, LT = 60;
/** The property whose block value (`|`, `|-`, `>`) holds OWL functional syntax. */
const OWL_PROPERTY = "owl:functional-syntax";
const BLOCK_SCALAR = /^[|>][-+]?$/;

/** An `owl:functional-syntax:: |` property whose indented lines are being read. */
interface OwlBody {
  /** Its line. */
  line: number;
  /** Its indentation: lines indented deeper are its axioms. */
  indent: number;
  /** Offset of the first line after it. */
  start: number;
  /** Its index in the properties. */
  property: number;
}

interface Fence {
  /** 1-based line of the opening fence. */
  line: number;
  ticks: number;
  /** Whether its content is read as OWL. */
  owl: boolean;
  inBlock: boolean;
  /** Offset of the content's first character. */
  start: number;
}

/**
 * Parses one Logseq page.
 *
 * @param text The page's markdown.
 * @returns `ontology` with what the OntologyBlock holds, or `skipped` (reason
 * `no OntologyBlock`) for a page without one.
 * @throws {PageParseError} When the block is malformed: a property line
 * without a key, a code fence in the block that is not closed, a block with
 * neither properties nor OWL axioms, or malformed functional syntax
 * (unbalanced parentheses, an unterminated string or IRI, an expression
 * without arguments, a declaration of an unknown entity kind). Never
 * anything else for any string.
 * @throws {TypeError} When `text` is not a string.
 *
 * @example Properties, relationships and axioms
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePage } from "./parser.ts";
 * const fence = "`".repeat(3);
 * const result = parsePage([
 *   "title:: Avatar",
 *   "- ### OntologyBlock",
 *   "\t- term-id:: 20067",
 *   "\t- owl:class:: mv:Avatar",
 *   "\t- has-part:: [[Mesh]], [[Rig]]",
 *   `\t- ${fence}clojure`,
 *   "\t  Declaration(Class(mv:Avatar))",
 *   "\t  SubClassOf(mv:Avatar mv:Agent) # an agent",
 *   `\t  ${fence}`,
 *   "- ## About",
 * ].join("\n"));
 * assert.equal(result.kind, "ontology");
 * const { page } = result as Extract<typeof result, { kind: "ontology" }>;
 * assert.equal(page.termId, "20067");
 * assert.equal(page.owlClass, "mv:Avatar");
 * assert.deepEqual(page.relationships, [
 *   { property: "has-part", target: "Mesh" },
 *   { property: "has-part", target: "Rig" },
 * ]);
 * assert.deepEqual(page.declarations, [{ kind: "Class", iri: "mv:Avatar" }]);
 * assert.deepEqual(page.axioms, [
 *   { type: "SubClassOf", subject: "mv:Avatar", text: "SubClassOf(mv:Avatar mv:Agent)", line: 8 },
 * ]);
 * ```
 *
 * @example A page without a block, and a malformed one
 * ```ts
 * import assert from "node:assert/strict";
 * import { PageParseError, parsePage } from "./parser.ts";
 * assert.deepEqual(parsePage("- just notes"), { kind: "skipped", reason: "no OntologyBlock" });
 * const fence = "`".repeat(3);
 * assert.throws(
 *   () => parsePage(`- ### OntologyBlock\n\t- ${fence}clojure\n\t  SubClassOf(mv:A mv:B\n\t  ${fence}`),
 *   new PageParseError(3, '"SubClassOf(" has no matching ")"'),
 * );
 * ```
 */
export function parsePage(text: string): ParseResult {
  if (typeof text !== "string") {
    throw new TypeError(
      `Cannot parse page as its text must be a string: current type is "${typeof text}"`,
    );
  }
  const properties: [string, string][] = [];
  const declarations: Declaration[] = [];
  const axioms: Axiom[] = [];
  const declared = new Set<string>();
  let prefix: string | undefined | null = null; // the page's, read when first needed

  let blocks = 0;
  let inBlock = false;
  let details = 0; // in a <details> block: how deep in <details> elements
  let blockIndent = 0;
  let blockLine = 0;
  let blockItems = 0; // properties, declarations and axioms of the current block
  let fence: Fence | null = null;
  let body: OwlBody | null = null; // an `owl:functional-syntax:: |` being read
  let lastProperty = -1; // index of the property a continuation line extends
  let lastPropertyIndent = 0;

  const endBlock = () => {
    if (blockItems === 0) {
      throw new PageParseError(
        blockLine,
        "the OntologyBlock has neither properties nor OWL axioms",
      );
    }
    inBlock = false;
    details = 0;
  };
  const addOwl = (source: string, firstLine: number) => {
    if (prefix === null) prefix = pagePrefix(text);
    const found = readOwl(source, firstLine, prefix);
    for (const d of found.declarations) {
      const key = d.kind + " " + d.iri;
      if (!declared.has(key)) {
        declared.add(key);
        declarations.push(d);
      }
    }
    for (const a of found.axioms) axioms.push(a);
    blockItems += found.declarations.length + found.axioms.length;
  };
  const endBody = (until: number) => {
    const source = text.slice(body!.start, until);
    properties[body!.property][1] = source.split("\n").map((l) => l.trim()).filter((l) => l)
      .join("\n");
    const line = body!.line;
    body = null;
    addOwl(source, line + 1);
  };

  const n = text.length;
  let lineNo = 0;
  for (let pos = 0; pos <= n;) {
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = n;
    lineNo++;
    const end = eol > pos && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
    const lineStart = pos;
    pos = eol + 1;

    // Indentation: a tab counts as two spaces.
    let i = lineStart, indent = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE) indent++;
      else if (c === TAB) indent += 2;
      else break;
    }

    if (fence) {
      if (!isClosingFence(text, i, end, fence.ticks)) continue;
      if (fence.owl) addOwl(text.slice(fence.start, lineStart), fence.line + 1);
      fence = null;
      continue;
    }
    if (body) {
      if (i === end || indent > body.indent) continue; // blank, or deeper: the axioms go on
      endBody(lineStart);
    }
    if (i === end) { // blank
      lastProperty = -1;
      continue;
    }

    const bullet = text.charCodeAt(i) === DASH &&
      (i + 1 === end || isBlank(text.charCodeAt(i + 1)));
    let content = i;
    if (bullet) {
      content++;
      while (content < end && isBlank(text.charCodeAt(content))) content++;
      if (inBlock && details === 0 && indent <= blockIndent) endBlock();
    }

    const ticks = fenceTicks(text, content, end);
    if (ticks > 0) {
      const language = fenceLanguage(text, content + ticks, end);
      if (language !== null) {
        fence = {
          line: lineNo,
          ticks,
          owl: inBlock && OWL_LANGUAGES.has(language),
          inBlock,
          start: pos,
        };
        lastProperty = -1;
        continue;
      }
    }

    if (details > 0 && text.charCodeAt(content) === LT) {
      details += countOf(text, "<details", content, end) -
        countOf(text, "</details>", content, end);
      if (details <= 0) {
        endBlock();
        continue;
      }
    }

    if (!inBlock) {
      const header = bullet && isHeader(text, content, end);
      const summary = !header && text.charCodeAt(content) === LT &&
        isDetailsSummary(text, content, end);
      if (header || summary) {
        inBlock = true;
        blocks++;
        blockIndent = indent;
        blockLine = lineNo;
        blockItems = 0;
        lastProperty = -1;
        if (summary) {
          details = Math.max(1, countOf(text, "<details", content, end)) -
            countOf(text, "</details>", content, end);
          if (details <= 0) endBlock();
        }
      }
      continue;
    }

    const key = propertyKeyEnd(text, content, end);
    if (key === content) throw new PageParseError(lineNo, "the property has no key");
    if (key >= 0) {
      const name = text.slice(content, key);
      const value = text.slice(key + 2, end).trim();
      properties.push([name, value]);
      blockItems++;
      lastProperty = properties.length - 1;
      lastPropertyIndent = indent;
      if (name === OWL_PROPERTY && BLOCK_SCALAR.test(value)) {
        body = { line: lineNo, indent, start: pos, property: lastProperty };
        lastProperty = -1;
      }
    } else if (!bullet && lastProperty >= 0 && indent > lastPropertyIndent) {
      const [k, v] = properties[lastProperty];
      const more = text.slice(content, end).trim();
      properties[lastProperty] = [k, v === "" ? more : v + " " + more];
    } else lastProperty = -1;
  }

  if (body) endBody(n);
  if (fence?.inBlock) throw new PageParseError(fence.line, "the code fence is not closed");
  if (inBlock) endBlock();
  if (blocks === 0) {
    const warning = lookalike(text);
    return warning
      ? { kind: "skipped", reason: "no OntologyBlock", warning }
      : { kind: "skipped", reason: "no OntologyBlock" };
  }

  const page: OntologyPage = {
    termId: first(properties, "term-id"),
    preferredTerm: first(properties, "preferred-term"),
    definition: first(properties, "definition"),
    owlClass: first(properties, "owl:class"),
    properties,
    declarations,
    axioms,
    relationships: relationshipsOf(properties),
  };
  return { kind: "ontology", page };
}

function readOwl(source: string, firstLine: number, prefix: string | undefined) {
  try {
    return parseFunctionalSyntax(source, firstLine, prefix);
  } catch (err) {
    if (err instanceof OwlSyntaxError) {
      throw new PageParseError(err.line, err.reason, { cause: err });
    }
    throw err;
  }
}

/**
 * The prefix that `:Name` resolves to: that of the page's first
 * `owl:class::` value (`mv` for `mv:Avatar`), unless the page declares the
 * empty prefix itself (`Prefix(:=<...>)`), which then gives `:Name` its
 * meaning as written.
 */
function pagePrefix(text: string): string | undefined {
  if (text.includes("Prefix(:=")) return undefined;
  return /^[ \t]*(?:- +)?owl:class::[ \t]*(?:\[\[)?([A-Za-z][\w.-]*):[^\s:]/m.exec(text)?.[1];
}

/** A line that opens a `<details>` block: a `<summary>` naming OntologyBlock. */
function isDetailsSummary(text: string, pos: number, end: number): boolean {
  const at = text.indexOf("<summary", pos);
  if (at < 0 || at >= end) return false;
  const name = text.indexOf("OntologyBlock", at);
  return name >= 0 && name < end;
}

function countOf(text: string, what: string, pos: number, end: number): number {
  let count = 0;
  for (let at = text.indexOf(what, pos); at >= 0 && at < end; at = text.indexOf(what, at + 1)) {
    count++;
  }
  return count;
}
