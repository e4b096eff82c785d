/**
 * The streaming plugin's data model: what a page source lists and reads,
 * and what the parser makes of an ontology page (format: DESIGN.md
 * section 8).
 *
 * @module
 */

/** A page as a source lists it, before it is read. */
export interface PageRef {
  /** Path inside the source, `/`-separated, e.g. `pages/Avatar.md`. */
  readonly path: string;
  /**
   * A cheap change token known without reading the page: the git blob sha
   * for git and GitHub sources, `<size>-<mtimeMs>` for a directory. When it
   * equals the stored one, the page is unchanged and is not read.
   */
  readonly version: string;
  /**
   * Set when the source found the entry but cannot read it (a looping
   * link, a folder it may not read): the sync records that entry as failed
   * with this reason and goes on.
   */
  readonly problem?: string;
}

/** Where pages come from: a directory, a git repository at a ref, or GitHub. */
export interface PageSource {
  /** `dir`, `git` or `github`. */
  readonly kind: string;
  /** Identifies the source (path, URL + ref, owner/repo@ref + prefix), for state and logs. */
  readonly location: string;
  /** Lists the pages (`*.md` under the prefix), sorted by path, lazily. */
  list(signal?: AbortSignal): AsyncIterable<PageRef>;
  /**
   * A hint that most pages will be read (a first sync, `--full`): a source
   * that can fetch them at once (GitHub's archive) does so.
   */
  preferArchive?(): void;
  /**
   * Reads a page at once, on the calling thread, when that costs less than
   * an asynchronous read (a small local file); undefined when it cannot or
   * when anything goes wrong, and {@linkcode PageSource.read} then reads it
   * (with its retries, timeout and errors). Optional.
   */
  readNow?(ref: PageRef): string | undefined;
  /** Reads one page's text. Network or timeout failures throw RetryableError. */
  read(ref: PageRef, signal?: AbortSignal): Promise<string>;
  /** Releases processes, connections. */
  close(): Promise<void>;
}

/** The kinds of OWL entity a declaration names. */
export type EntityKind =
  | "Class"
  | "ObjectProperty"
  | "DataProperty"
  | "AnnotationProperty"
  | "NamedIndividual";

/** One `Declaration(Kind(iri))`. */
export interface Declaration {
  /** What is declared. */
  readonly kind: EntityKind;
  /** The IRI as written (`mv:Avatar`). */
  readonly iri: string;
}

/** One axiom other than a declaration, e.g. `SubClassOf(mv:X mv:Y)`. */
export interface Axiom {
  /** The axiom's function name: `SubClassOf`, `EquivalentClasses`, `DisjointClasses`, ... */
  readonly type: string;
  /** The first argument when it is an IRI (the class the axiom is about), else null. */
  readonly subject: string | null;
  /** The whole axiom, whitespace collapsed to single spaces, comments removed. */
  readonly text: string;
  /** 1-based line in the page where the axiom starts. */
  readonly line: number;
}

/** A `[[wiki link]]` found in a property value. */
export interface Relationship {
  /** The property it was found in (`has-part`, `is-subclass-of`, ...). */
  readonly property: string;
  /** The link target, without brackets. */
  readonly target: string;
}

/** What the parser makes of a page that holds an OntologyBlock. */
export interface OntologyPage {
  /** `term-id::`, when present. */
  readonly termId: string | null;
  /** `preferred-term::`, when present. */
  readonly preferredTerm: string | null;
  /** `definition::`, when present. */
  readonly definition: string | null;
  /** `owl:class::`, when present. */
  readonly owlClass: string | null;
  /** Every `key:: value` of the block, in order; a key may repeat. */
  readonly properties: ReadonlyArray<readonly [key: string, value: string]>;
  /** The declarations, in order, duplicates removed. */
  readonly declarations: readonly Declaration[];
  /** The other axioms, in order. */
  readonly axioms: readonly Axiom[];
  /** The `[[links]]` of relationship properties, duplicates removed. */
  readonly relationships: readonly Relationship[];
}

/** The parser's verdict on one page. */
export type ParseResult =
  | { readonly kind: "ontology"; readonly page: OntologyPage }
  | {
    readonly kind: "skipped";
    readonly reason: string;
    /** Set when the page looks like ontology (it names an OntologyBlock, or holds OWL-looking text) yet yields none. */
    readonly warning?: PageWarningFact;
  };

/** Why a page that yields no ontology is suspicious, and where. */
export interface PageWarningFact {
  /** 1-based line of the first suspicious text. */
  readonly line: number;
  /** What was found, as a sentence. */
  readonly reason: string;
}
