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
import type { Axiom, Declaration, OntologyPage, ParseResult, Relationship } from "./model.ts";
import { OwlSyntaxError, parseFunctionalSyntax } from "./owl.ts";

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

const TAB = 9, SPACE = 32, CR = 13, DASH = 45, HASH = 35, COLON = 58, BACKTICK = 96;
const OPEN_BRACKET = 91, CLOSE_BRACKET = 93;
const HEADER = "OntologyBlock";

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

  let blocks = 0;
  let inBlock = false;
  let blockIndent = 0;
  let blockLine = 0;
  let blockItems = 0; // properties, declarations and axioms of the current block
  let fence: Fence | null = null;
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
      if (fence.owl) {
        const found = readOwl(text.slice(fence.start, lineStart), fence.line + 1);
        for (const d of found.declarations) {
          const key = d.kind + " " + d.iri;
          if (!declared.has(key)) {
            declared.add(key);
            declarations.push(d);
          }
        }
        for (const a of found.axioms) axioms.push(a);
        blockItems += found.declarations.length + found.axioms.length;
      }
      fence = null;
      continue;
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
      if (inBlock && indent <= blockIndent) endBlock();
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

    if (!inBlock) {
      if (bullet && isHeader(text, content, end)) {
        inBlock = true;
        blocks++;
        blockIndent = indent;
        blockLine = lineNo;
        blockItems = 0;
        lastProperty = -1;
      }
      continue;
    }

    const key = propertyKeyEnd(text, content, end);
    if (key === content) throw new PageParseError(lineNo, "the property has no key");
    if (key >= 0) {
      properties.push([text.slice(content, key), text.slice(key + 2, end).trim()]);
      blockItems++;
      lastProperty = properties.length - 1;
      lastPropertyIndent = indent;
    } else if (!bullet && lastProperty >= 0 && indent > lastPropertyIndent) {
      const [k, v] = properties[lastProperty];
      const more = text.slice(content, end).trim();
      properties[lastProperty] = [k, v === "" ? more : v + " " + more];
    } else lastProperty = -1;
  }

  if (fence?.inBlock) throw new PageParseError(fence.line, "the code fence is not closed");
  if (inBlock) endBlock();
  if (blocks === 0) return { kind: "skipped", reason: "no OntologyBlock" };

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

function readOwl(source: string, firstLine: number) {
  try {
    return parseFunctionalSyntax(source, firstLine);
  } catch (err) {
    if (err instanceof OwlSyntaxError) {
      throw new PageParseError(err.line, err.reason, { cause: err });
    }
    throw err;
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** `#`-`######`, whitespace, `OntologyBlock`, nothing else but whitespace. */
function isHeader(text: string, pos: number, end: number): boolean {
  let hashes = 0;
  while (pos < end && text.charCodeAt(pos) === HASH) pos++, hashes++;
  if (hashes === 0 || hashes > 6 || pos >= end || !isBlank(text.charCodeAt(pos))) return false;
  while (pos < end && isBlank(text.charCodeAt(pos))) pos++;
  if (!text.startsWith(HEADER, pos) || pos + HEADER.length > end) return false;
  for (pos += HEADER.length; pos < end; pos++) if (!isBlank(text.charCodeAt(pos))) return false;
  return true;
}

/** How many backticks open a fence at `pos` (at least three), else 0. */
function fenceTicks(text: string, pos: number, end: number): number {
  let p = pos;
  while (p < end && text.charCodeAt(p) === BACKTICK) p++;
  return p - pos >= 3 ? p - pos : 0;
}

/** The fence's language, lower-cased (`""` when none), or null when the info string holds a backtick. */
function fenceLanguage(text: string, pos: number, end: number): string | null {
  const info = text.slice(pos, end).trim();
  if (info.includes("`")) return null;
  let stop = 0;
  while (stop < info.length && !isBlank(info.charCodeAt(stop))) stop++;
  return info.slice(0, stop).toLowerCase();
}

function isClosingFence(text: string, pos: number, end: number, ticks: number): boolean {
  let p = pos;
  while (p < end && text.charCodeAt(p) === BACKTICK) p++;
  if (p - pos < ticks) return false;
  for (; p < end; p++) if (!isBlank(text.charCodeAt(p))) return false;
  return true;
}

/**
 * Where the `::` of a property line starts (so the key is `[pos, result)`),
 * or -1 when the line is not a property: the key would hold whitespace, or
 * no `::` is followed by whitespace or the line's end.
 */
function propertyKeyEnd(text: string, pos: number, end: number): number {
  for (let p = pos; p < end; p++) {
    const c = text.charCodeAt(p);
    if (isBlank(c)) return -1;
    if (c === COLON && text.charCodeAt(p + 1) === COLON) {
      if (p + 2 >= end || isBlank(text.charCodeAt(p + 2))) return p;
      p++;
    }
  }
  return -1;
}

function first(properties: readonly (readonly [string, string])[], key: string): string | null {
  for (const [k, v] of properties) if (k === key && v !== "") return v;
  return null;
}

/**
 * Every `[[link]]` of every property value, duplicates removed. In
 * `[[a [[b]]]]` the link is `b`. A char-code scan: most values are short, and
 * `indexOf` calls cost more than the scan.
 */
function relationshipsOf(properties: readonly (readonly [string, string])[]): Relationship[] {
  const out: Relationship[] = [];
  const seen = new Map<string, Set<string>>(); // property -> targets
  for (const [property, value] of properties) {
    const last = value.length - 1;
    for (let i = 0; i < last; i++) {
      if (value.charCodeAt(i) !== OPEN_BRACKET || value.charCodeAt(i + 1) !== OPEN_BRACKET) {
        continue;
      }
      let start = i + 2, close = start;
      for (; close < last; close++) {
        const c = value.charCodeAt(close), next = value.charCodeAt(close + 1);
        if (c === CLOSE_BRACKET && next === CLOSE_BRACKET) break;
        if (c === OPEN_BRACKET && next === OPEN_BRACKET) start = close + 2;
      }
      if (close >= last) break;
      i = close + 1;
      const target = value.slice(start, close).trim();
      if (target === "") continue;
      let targets = seen.get(property);
      if (!targets) seen.set(property, targets = new Set());
      if (targets.has(target)) continue;
      targets.add(target);
      out.push({ property, target });
    }
  }
  return out;
}
