/**
 * A reader for the OWL 2 functional syntax held in the fenced code blocks of
 * ontology pages (DESIGN.md section 8): declarations, axioms whose nested
 * class expressions run over several lines, and `#` comments.
 *
 * What it accepts beyond the W3C grammar, because real pages hold it:
 * - `Prefix(...)`, `Import(...)` and ontology `Annotation(...)` items are
 *   read and dropped; an `Ontology(<iri> ... )` wrapper is transparent (its
 *   IRIs are dropped, its axioms are read as if written at top level).
 * - Lisp-style expressions, `(ObjectSomeValuesFrom mv:p mv:C)`, are read as
 *   `ObjectSomeValuesFrom(mv:p mv:C)` and written so in {@linkcode Axiom.text}.
 * - A `#` outside a string literal or a full IRI starts a comment, also
 *   after an axiom on the same line; so does a `;` (Clojure's comments,
 *   `;;` lines, as pages in `clojure` fences write them).
 * - Lisp-style axioms whole, `(SubClassOf :Persistence :Quality)`, and, at
 *   the top level, `(Class :X)`, `(ObjectProperty :hasPart)` and the other
 *   entity kinds with one IRI read as declarations (`Kind(x)` alone is not an
 *   axiom of the W3C grammar, so nothing valid is read otherwise).
 * - A prefix-less name, `:Persistence`, is resolved against the prefix given
 *   as `defaultPrefix` (the page's, `mv:Persistence`); without one it is kept
 *   as written.
 * - `Declaration(Datatype(x))` is valid OWL 2 but has no
 *   {@linkcode EntityKind}: it is kept as an axiom of type `Declaration`.
 *
 * A function name is a word without `:` (`SubClassOf`); a word with `:`
 * (`mv:Avatar`, `xsd:string`) is always an IRI. Expressions nest at most
 * {@linkcode MAX_DEPTH} levels, so no input can exhaust the stack.
 *
 * @module
 */
import type { Axiom, Declaration, EntityKind } from "./model.ts";
import { OwlSyntaxError } from "./owl_error.ts";

/** How deep expressions may nest; deeper input is a syntax error, never a stack overflow. */
export const MAX_DEPTH = 100;

export { OwlSyntaxError } from "./owl_error.ts";

/** What {@linkcode parseFunctionalSyntax} finds. */
export interface FunctionalSyntax {
  /** The declarations in order, as written (duplicates kept). */
  declarations: Declaration[];
  /** The other axioms in order. */
  axioms: Axiom[];
}

interface Expr {
  name: string;
  args: Term[];
  line: number;
}
/** An atom (word, `<full IRI>` or `"literal"` with its suffix) or an expression. */
type Term = string | Expr;

const KINDS: ReadonlySet<string> = new Set<EntityKind>([
  "Class",
  "ObjectProperty",
  "DataProperty",
  "AnnotationProperty",
  "NamedIndividual",
]);
/** Items read and dropped: they say nothing about a page's entities. */
const DROPPED: ReadonlySet<string> = new Set(["Prefix", "Import", "Annotation"]);

/** Characters that end a word: whitespace and controls, `(`, `)`, `"`, `#`, `<`. */
const ENDS_WORD = new Uint8Array(128);
for (let c = 0; c <= 32; c++) ENDS_WORD[c] = 1;
for (const c of '()"#<;') ENDS_WORD[c.charCodeAt(0)] = 1;

const OPEN = 40, CLOSE = 41, QUOTE = 34, HASH = 35, LT = 60, GT = 62, NL = 10, BACKSLASH = 92;
const SEMICOLON = 59, COLON = 58;

/**
 * Reads OWL 2 functional syntax: declarations and other axioms, in order.
 *
 * @param source The text, e.g. the inside of a fenced code block.
 * @param firstLine The line number of the source's first line (default 1),
 * so errors and {@linkcode Axiom.line} count in the enclosing page.
 * @param defaultPrefix The prefix (without `:`) that prefix-less names
 * (`:Name`) resolve to; they are kept as written when absent.
 * @returns The declarations and axioms.
 * @throws {OwlSyntaxError} When parentheses are unbalanced, a string literal
 * or full IRI is not terminated, an expression has no arguments, a
 * declaration names an unknown entity kind, or an atom stands where an axiom
 * should.
 *
 * @example Nested expressions over several lines, and comments
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFunctionalSyntax } from "./owl.ts";
 * const { declarations, axioms } = parseFunctionalSyntax(`Declaration(Class(mv:Avatar))
 * SubClassOf(mv:Avatar # what an avatar has:
 *   ObjectSomeValuesFrom(mv:hasPart ObjectIntersectionOf(mv:Mesh mv:Rig)))`);
 * assert.deepEqual(declarations, [{ kind: "Class", iri: "mv:Avatar" }]);
 * assert.deepEqual(axioms, [{
 *   type: "SubClassOf",
 *   subject: "mv:Avatar",
 *   text: "SubClassOf(mv:Avatar ObjectSomeValuesFrom(mv:hasPart ObjectIntersectionOf(mv:Mesh mv:Rig)))",
 *   line: 2,
 * }]);
 * ```
 *
 * @example A missing parenthesis
 * ```ts
 * import assert from "node:assert/strict";
 * import { OwlSyntaxError, parseFunctionalSyntax } from "./owl.ts";
 * assert.throws(
 *   () => parseFunctionalSyntax("SubClassOf(mv:A\n  ObjectUnionOf(mv:B mv:C)", 10),
 *   new OwlSyntaxError(10, '"SubClassOf(" has no matching ")"'),
 * );
 * ```
 */
export function parseFunctionalSyntax(
  source: string,
  firstLine = 1,
  defaultPrefix?: string,
): FunctionalSyntax {
  const reader = new Reader(source, firstLine, defaultPrefix);
  reader.items(null);
  return { declarations: reader.declarations, axioms: reader.axioms };
}

class Reader {
  readonly declarations: Declaration[] = [];
  readonly axioms: Axiom[] = [];
  readonly #src: string;
  readonly #end: number;
  #pos = 0;
  #line: number;
  /** Whether the last atom read was a word (not an IRI in `<>` or a literal). */
  #word = false;

  readonly #prefix: string | undefined;

  constructor(src: string, firstLine: number, prefix?: string) {
    this.#prefix = prefix;
    this.#src = src;
    this.#end = src.length;
    this.#line = firstLine;
  }

  /** Reads axiom-level items until the end, or until the `)` of the enclosing Ontology. */
  items(ontology: Expr | null, depth = 0): void {
    const src = this.#src;
    for (;;) {
      this.#skipSpace();
      if (this.#pos >= this.#end) {
        if (ontology) throw unclosed(ontology);
        return;
      }
      const c = src.charCodeAt(this.#pos);
      if (c === CLOSE) {
        if (!ontology) throw new OwlSyntaxError(this.#line, '")" has no matching "("');
        this.#pos++;
        return;
      }
      const line = this.#line;
      let name: string;
      if (c === OPEN) {
        this.#pos++;
        name = this.#lispName(line);
      } else {
        const atom = this.#atom();
        if (!this.#isApplied(atom)) {
          if (ontology) continue; // the ontology's IRI and version IRI
          throw new OwlSyntaxError(line, `${quote(atom)} is not an axiom`);
        }
        name = atom;
      }
      const expr: Expr = { name, args: [], line };
      if (depth >= MAX_DEPTH) throw tooDeep(line);
      if (name === "Ontology") this.items(expr, depth + 1);
      else {
        this.#args(expr, expr, depth + 1);
        this.#interpret(expr);
      }
    }
  }

  #interpret(expr: Expr): void {
    if (DROPPED.has(expr.name)) return;
    const only = expr.args[0];
    if (
      KINDS.has(expr.name) && expr.args.length === 1 && typeof only === "string" &&
      only.charCodeAt(0) !== QUOTE
    ) {
      this.declarations.push({ kind: expr.name as EntityKind, iri: only }); // Lisp style: (Class :X)
      return;
    }
    if (expr.name !== "Declaration") {
      this.axioms.push({
        type: expr.name,
        subject: subjectOf(expr),
        text: render(expr),
        line: expr.line,
      });
      return;
    }
    const entities = expr.args.filter((a) => typeof a === "string" || a.name !== "Annotation");
    const entity = entities[0];
    if (entities.length !== 1 || typeof entity === "string") {
      throw new OwlSyntaxError(expr.line, "Declaration must hold one entity as Kind(IRI)");
    }
    if (!KINDS.has(entity.name) && entity.name !== "Datatype") {
      throw new OwlSyntaxError(
        entity.line,
        `Declaration names the unknown entity kind ${quote(entity.name)}`,
      );
    }
    const iri = entity.args[0];
    if (entity.args.length !== 1 || typeof iri !== "string" || iri.charCodeAt(0) === QUOTE) {
      throw new OwlSyntaxError(entity.line, `${entity.name} in Declaration must name one IRI`);
    }
    if (entity.name === "Datatype") {
      this.axioms.push({ type: "Declaration", subject: iri, text: render(expr), line: expr.line });
    } else this.declarations.push({ kind: entity.name as EntityKind, iri });
  }

  /** Reads the arguments of `expr` up to and including its `)`. */
  #args(expr: Expr, root: Expr, depth: number): void {
    const src = this.#src;
    for (;;) {
      this.#skipSpace();
      if (this.#pos >= this.#end) throw unclosed(root);
      const c = src.charCodeAt(this.#pos);
      if (c === CLOSE) {
        this.#pos++;
        if (expr.args.length === 0) {
          throw new OwlSyntaxError(expr.line, `${quote(expr.name)} has no arguments`);
        }
        return;
      }
      const line = this.#line;
      let name: string;
      if (c === OPEN) {
        this.#pos++;
        name = this.#lispName(line);
      } else {
        const atom = this.#atom();
        if (!this.#isApplied(atom)) {
          expr.args.push(atom);
          continue;
        }
        name = atom;
      }
      if (depth >= MAX_DEPTH) throw tooDeep(line);
      const child: Expr = { name, args: [], line };
      this.#args(child, root, depth + 1);
      expr.args.push(child);
    }
  }

  /** After an atom: when it is a function name followed by `(`, consumes the `(`. */
  #isApplied(atom: string): boolean {
    if (!this.#word || atom.includes(":")) return false;
    this.#skipSpace();
    if (this.#src.charCodeAt(this.#pos) !== OPEN) return false;
    this.#pos++;
    return true;
  }

  /** After a `(` with no name before it: the name that follows (Lisp style). */
  #lispName(line: number): string {
    this.#skipSpace();
    const c = this.#src.charCodeAt(this.#pos);
    if (this.#pos < this.#end && c !== OPEN && c !== CLOSE) {
      const atom = this.#atom();
      if (this.#word && !atom.includes(":")) return atom;
    }
    throw new OwlSyntaxError(line, '"(" has no function name');
  }

  /** Skips whitespace and `#` comments, counting lines. */
  #skipSpace(): void {
    const src = this.#src, end = this.#end;
    let pos = this.#pos;
    while (pos < end) {
      const c = src.charCodeAt(pos);
      if (c === NL) {
        this.#line++;
        pos++;
      } else if (c <= 32) pos++;
      else if (c === HASH || c === SEMICOLON) {
        const nl = src.indexOf("\n", pos);
        pos = nl < 0 ? end : nl;
      } else break;
    }
    this.#pos = pos;
  }

  /** Reads a word, a `<full IRI>` or a `"literal"` (with `@lang` or `^^type`) at the position. */
  #atom(): string {
    const src = this.#src, start = this.#pos, c = src.charCodeAt(start);
    if (c === QUOTE) {
      this.#word = false;
      this.#pos = this.#string(start);
      if (src.charCodeAt(this.#pos) === 64) this.#pos = this.#wordEnd(this.#pos + 1); // @lang
      else if (src.startsWith("^^", this.#pos)) {
        this.#pos += 2;
        this.#pos = src.charCodeAt(this.#pos) === LT
          ? this.#iri(this.#pos)
          : this.#wordEnd(this.#pos);
      }
    } else if (c === LT) {
      this.#word = false;
      this.#pos = this.#iri(start);
    } else {
      this.#word = true;
      this.#pos = this.#wordEnd(start);
      if (c === COLON && this.#prefix !== undefined && this.#pos > start + 1) {
        return this.#prefix + src.slice(start, this.#pos); // :Name in the page's prefix
      }
    }
    return src.slice(start, this.#pos);
  }

  #wordEnd(pos: number): number {
    const src = this.#src, end = this.#end;
    while (pos < end) {
      const c = src.charCodeAt(pos);
      if (c < 128 && ENDS_WORD[c] === 1) break;
      pos++;
    }
    return pos;
  }

  /** The position after the closing quote of the string starting at `start`. */
  #string(start: number): number {
    const src = this.#src, end = this.#end, line = this.#line;
    for (let pos = start + 1; pos < end; pos++) {
      const c = src.charCodeAt(pos);
      if (c === QUOTE) return pos + 1;
      if (c === BACKSLASH) pos++;
      if (src.charCodeAt(pos) === NL) this.#line++;
    }
    throw new OwlSyntaxError(line, "the string literal is not terminated");
  }

  /** The position after the `>` of the full IRI starting at `start`. */
  #iri(start: number): number {
    const src = this.#src, end = this.#end;
    for (let pos = start + 1; pos < end; pos++) {
      const c = src.charCodeAt(pos);
      if (c === GT) return pos + 1;
      if (c <= 32) break;
    }
    throw new OwlSyntaxError(this.#line, "the full IRI is not terminated");
  }
}

function unclosed(root: Expr): OwlSyntaxError {
  return new OwlSyntaxError(root.line, `${quote(root.name + "(")} has no matching ")"`);
}

function tooDeep(line: number): OwlSyntaxError {
  return new OwlSyntaxError(line, `the expression is nested deeper than ${MAX_DEPTH} levels`);
}

/** A value for a message: in double quotes, cut to 40 characters. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? value.slice(0, 39) + "…" : value);
}

/**
 * The first argument that is not an axiom annotation, when it is an IRI.
 * `AnnotationAssertion(property subject value)` is about its second one.
 */
function subjectOf(expr: Expr): string | null {
  let skip = expr.name === "AnnotationAssertion" ? 1 : 0;
  for (const arg of expr.args) {
    if (typeof arg !== "string" && arg.name === "Annotation") continue;
    if (skip-- > 0) continue;
    return typeof arg === "string" && arg.charCodeAt(0) !== QUOTE ? arg : null;
  }
  return null;
}

/** The expression in functional syntax, one space between arguments. */
function render(expr: Expr): string {
  let out = expr.name + "(";
  for (let i = 0; i < expr.args.length; i++) {
    const arg = expr.args[i];
    if (i > 0) out += " ";
    out += typeof arg === "string" ? arg : render(arg);
  }
  return out + ")";
}
