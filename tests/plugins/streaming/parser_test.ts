import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { isRetryable, PermanentError } from "../../../lib/async/retry.ts";
import type { OntologyPage } from "../../../plugins/streaming/model.ts";
import { MAX_DEPTH, OwlSyntaxError } from "../../../plugins/streaming/owl.ts";
import { PageParseError, parsePage } from "../../../plugins/streaming/parser.ts";
import { type DefectKind, generatePages } from "../../../fixtures/ontology/generate.ts";

const FENCE = "```";
const SAMPLE = fileURLToPath(new URL("../../../fixtures/ontology/sample/pages/", import.meta.url));
const GENERATOR = fileURLToPath(new URL("../../../fixtures/ontology/generate.ts", import.meta.url));

const lines = (...ls: string[]) => ls.join("\n");

/** A page whose block holds one term-id property and a clojure fence with `owl`. */
function owlPage(...owl: string[]): string {
  return lines(
    "- ### OntologyBlock",
    "\t- term-id:: T-1",
    `\t- ${FENCE}clojure`,
    ...owl.map((l) => `\t  ${l}`),
    `\t  ${FENCE}`,
  );
}

function ontology(text: string): OntologyPage {
  const result = parsePage(text);
  if (result.kind !== "ontology") {
    assert.fail(`expected an ontology page, got ${JSON.stringify(result)}`);
  }
  return result.page;
}

/** Asserts that parsing fails with exactly this line and reason. */
function assertMalformed(text: string, line: number, reason: string): PageParseError {
  let caught: unknown;
  try {
    parsePage(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PageParseError, `expected a PageParseError, got ${caught}`);
  assert.equal(caught.message, `Cannot parse page as ${reason} at line ${line}`);
  assert.equal(caught.reason, reason);
  assert.equal(caught.line, line);
  return caught;
}

// ------------------------------------------------------------------ properties

Deno.test("parsePage() keeps every key:: value of the block in order, repeated keys included", () => {
  const page = ontology(lines(
    "title:: Page property, not the block's",
    "- ### OntologyBlock",
    "  id:: avatar-ontology",
    "  collapsed:: true",
    "\t- term-id:: MV-1",
    "\t- preferred-term:: Avatar",
    "\t- definition:: A person's stand-in.",
    "\t- maturity:: mature",
    "\t- source:: [[ISO 1]]",
    "\t- owl:class:: mv:Avatar",
    "\t- note:: ratio a:: b",
    "\t- tag:: x",
    "\t- tag:: y",
    "- ## About",
    "\t- after:: the block",
  ));
  assert.deepEqual(page.properties, [
    ["id", "avatar-ontology"],
    ["collapsed", "true"],
    ["term-id", "MV-1"],
    ["preferred-term", "Avatar"],
    ["definition", "A person's stand-in."],
    ["maturity", "mature"],
    ["source", "[[ISO 1]]"],
    ["owl:class", "mv:Avatar"],
    ["note", "ratio a:: b"],
    ["tag", "x"],
    ["tag", "y"],
  ]);
  assert.equal(page.termId, "MV-1");
  assert.equal(page.preferredTerm, "Avatar");
  assert.equal(page.definition, "A person's stand-in.");
  assert.equal(page.owlClass, "mv:Avatar");
});

Deno.test("parsePage() takes the first non-empty value of a named property, else null", () => {
  const page = ontology(
    lines("- ### OntologyBlock", "\t- term-id::", "\t- term-id:: T-2", "\t- definition::   "),
  );
  assert.equal(page.termId, "T-2");
  assert.equal(page.definition, null);
  assert.equal(page.preferredTerm, null);
  assert.equal(page.owlClass, null);
  assert.deepEqual(page.properties, [["term-id", ""], ["term-id", "T-2"], ["definition", ""]]);
});

Deno.test("parsePage() joins a deeper non-bullet line to the property above it", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    "\t- definition:: A value that goes on",
    "\t  over two lines",
    "\t    and a third.",
    "\t- term-id:: T-3",
    "",
    "\t  not a continuation after a blank line",
    "\t- #### Heading",
    "\t  not a continuation of a heading",
  ));
  assert.deepEqual(page.properties, [[
    "definition",
    "A value that goes on over two lines and a third.",
  ], [
    "term-id",
    "T-3",
  ]]);
});

Deno.test("parsePage() reads a line as text when its key would hold whitespace or its :: is not followed by a space", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    "\t- some text:: that is not a property",
    "\t- std::vector is C++",
    "\t- a::b:: c",
    "\t- empty::",
  ));
  assert.deepEqual(page.properties, [["a::b", "c"], ["empty", ""]]);
});

Deno.test("parsePage() makes a relationship of every [[link]] in a property value, duplicates removed", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    "\t- definition:: Made of [[Mesh]] and [[ Rig ]].",
    "\t- has-part:: [[Mesh]], [[Skeleton]]",
    "\t- has-part:: [[Skeleton]], [[Animation Rig]], [[]]",
    "\t- is-subclass-of:: [[Virtual Agent]]",
    "\t- broken:: [[never closed",
    "\t- nested:: [[outer [[Inner]]]]",
  ));
  assert.deepEqual(page.relationships, [
    { property: "definition", target: "Mesh" },
    { property: "definition", target: "Rig" },
    { property: "has-part", target: "Mesh" },
    { property: "has-part", target: "Skeleton" },
    { property: "has-part", target: "Animation Rig" },
    { property: "is-subclass-of", target: "Virtual Agent" },
    { property: "nested", target: "Inner" },
  ]);
});

Deno.test("parsePage() removes duplicate links on a page of hundreds of them, as on a short one", () => {
  // 150 distinct links, each written twice, under 3 properties written twice.
  const props = Array.from(
    { length: 6 },
    (_, p) =>
      `\t- rel-${p % 3}:: ${
        Array.from({ length: 50 }, (_, k) => `[[T${k + 50 * (p % 3)}]]`).join(", ")
      }`,
  );
  const page = ontology(lines("- ### OntologyBlock", ...props));
  assert.equal(page.relationships.length, 150);
  assert.deepEqual(page.relationships[0], { property: "rel-0", target: "T0" });
  assert.deepEqual(page.relationships[149], { property: "rel-2", target: "T149" });
  assert.equal(new Set(page.relationships.map((r) => `${r.property} ${r.target}`)).size, 150);
});

// ------------------------------------------------------------------ block boundaries

Deno.test("parsePage() ends the block at the next bullet indented the same or less, a tab counting two spaces", () => {
  const page = ontology(lines(
    "- notes first",
    "  - ### OntologyBlock",
    "\t\t- inside:: 1",
    "\t  - inside-too:: 2",
    "    \t- deeper:: 3",
    "\t- sibling:: not in the block",
    "- top:: not in the block",
  ));
  assert.deepEqual(page.properties, [["inside", "1"], ["inside-too", "2"], ["deeper", "3"]]);
});

Deno.test("parsePage() reads a page with tabs and spaces mixed on one line and across lines", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    " \t- a:: 1",
    "\t \t- b:: 2",
    "  \t  - c:: 3",
    `\t- ${FENCE}clojure`,
    "\t \tSubClassOf(mv:A",
    "  \t\t  mv:B)",
    `  \t${FENCE}`,
  ));
  assert.deepEqual(page.properties.map(([k]) => k), ["a", "b", "c"]);
  assert.deepEqual(page.axioms, [{
    type: "SubClassOf",
    subject: "mv:A",
    text: "SubClassOf(mv:A mv:B)",
    line: 6,
  }]);
});

Deno.test("parsePage() reads several blocks on one page as one", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    "\t- term-id:: T-1",
    "- between",
    "- ## OntologyBlock",
    `\t- ${FENCE}`,
    "\t  Declaration(Class(mv:A))",
    `\t  ${FENCE}`,
  ));
  assert.equal(page.termId, "T-1");
  assert.deepEqual(page.declarations, [{ kind: "Class", iri: "mv:A" }]);
});

Deno.test("parsePage() accepts CRLF line endings", () => {
  const page = ontology(owlPage("SubClassOf(mv:A", "  mv:B)").replaceAll("\n", "\r\n"));
  assert.equal(page.termId, "T-1");
  assert.deepEqual(page.axioms, [{
    type: "SubClassOf",
    subject: "mv:A",
    text: "SubClassOf(mv:A mv:B)",
    line: 4,
  }]);
});

Deno.test("parsePage() reads OWL from clojure, owl and untagged fences only, and closes a fence on as many backticks", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    `\t- ${FENCE}OWL`,
    "\t  Declaration(Class(mv:A))",
    `\t  ${FENCE}`,
    `\t- ${FENCE}`,
    "\t  Declaration(Class(mv:B))",
    `\t  ${FENCE}`,
    `\t- ${FENCE}mermaid`,
    "\t  graph TD; A((unbalanced",
    `\t  ${FENCE}`,
    "\t- ````markdown",
    `\t  ${FENCE}clojure`,
    "\t  Declaration(Class(mv:Hidden))",
    `\t  ${FENCE}`,
    "\t  ````",
    "\t- ````clojure",
    "\t  Declaration(Class(mv:C))",
    "\t  `````",
  ));
  assert.deepEqual(page.declarations.map((d) => d.iri), ["mv:A", "mv:B", "mv:C"]);
});

// ------------------------------------------------------------------ skipped pages

Deno.test("parsePage() skips a page without an OntologyBlock", () => {
  const skipped = { kind: "skipped", reason: "no OntologyBlock" };
  assert.deepEqual(parsePage(""), skipped);
  assert.deepEqual(
    parsePage("title:: Notes\n- ### Ontology notes\n\t- owner:: [[Alice]]"),
    skipped,
  );
  assert.deepEqual(
    parsePage(
      lines(`- ${FENCE}markdown`, "  - ### OntologyBlock", "    - term-id:: 1", `  ${FENCE}`),
    ),
    skipped,
  );
});

const MENTIONS =
  'it mentions OntologyBlock, but no block starts in a form the parser reads ("- ### OntologyBlock" or <details><summary>OntologyBlock</summary>)';

Deno.test("parsePage() warns of a page that names an OntologyBlock but yields none, with the line", () => {
  const warned = (line: number, reason = MENTIONS) => ({
    kind: "skipped",
    reason: "no OntologyBlock",
    warning: { line, reason },
  });
  assert.deepEqual(
    parsePage("title:: Notes\n- An OntologyBlock is planned.\n- ### Ontology notes"),
    warned(2),
  );
  assert.deepEqual(parsePage("- ### OntologyBlock draft\n\t- term-id:: 1"), warned(1));
  assert.deepEqual(parsePage("### OntologyBlock\n- term-id:: not a bullet header"), warned(1));
  assert.deepEqual(parsePage("- ####### OntologyBlock\n\t- a:: seven hashes"), warned(1));
});

Deno.test("parsePage() warns of OWL-looking text outside any block, never of a markdown example", () => {
  const owl = (what: string) =>
    `it holds OWL-looking text (${JSON.stringify(what)}) outside any OntologyBlock`;
  assert.deepEqual(
    parsePage(lines("- notes", `- ${FENCE}clojure`, "  Declaration(Class(mv:X))", `  ${FENCE}`)),
    {
      kind: "skipped",
      reason: "no OntologyBlock",
      warning: { line: 3, reason: owl("Declaration(") },
    },
  );
  assert.deepEqual(parsePage("- notes\n\t- (SubClassOf :A :B)").kind, "skipped");
  assert.deepEqual(parsePage("- notes\n\t- (SubClassOf :A :B)"), {
    kind: "skipped",
    reason: "no OntologyBlock",
    warning: { line: 2, reason: owl("(SubClassOf") },
  });
  assert.deepEqual(
    parsePage("- owl:functional-syntax:: |\n  SubClassOf(mv:A mv:B)"),
    {
      kind: "skipped",
      reason: "no OntologyBlock",
      warning: { line: 2, reason: owl("SubClassOf(") },
    },
  );
  // A markdown fence is an example: neither read nor warned of.
  assert.deepEqual(
    parsePage(lines(`${FENCE}markdown`, "- ### OntologyBlock", "  SubClassOf(mv:A mv:B)", FENCE)),
    { kind: "skipped", reason: "no OntologyBlock" },
  );
});

// ------------------------------------------------------------------ other block formats

Deno.test("parsePage() reads an HTML <details> OntologyBlock, with or without properties, to its </details>", () => {
  const page = ontology(lines(
    "- <details><summary>🔷 OntologyBlock</summary>",
    "- term-id:: X1",
    "- owl:class:: mv:X",
    "  - has-part:: [[Y]]",
    "- </details>",
    "- term-id:: after the block",
  ));
  assert.deepEqual(page.properties, [["term-id", "X1"], ["owl:class", "mv:X"], [
    "has-part",
    "[[Y]]",
  ]]);
  assert.deepEqual(page.relationships, [{ property: "has-part", target: "Y" }]);

  const axiomsOnly = ontology(lines(
    "<details>",
    "<summary>OntologyBlock</summary>",
    "<details><summary>nested</summary>inner</details>",
    `${FENCE}owl`,
    "Declaration(Class(mv:Z))",
    FENCE,
    "</details>",
    "key:: not in the block",
  ));
  assert.deepEqual(axiomsOnly.properties, []);
  assert.deepEqual(axiomsOnly.declarations, [{ kind: "Class", iri: "mv:Z" }]);
  assertMalformed(
    "<details><summary>OntologyBlock</summary>\nonly text\n</details>",
    1,
    "the OntologyBlock has neither properties nor OWL axioms",
  );
});

Deno.test("parsePage() reads owl:functional-syntax:: | as the indented, unfenced axioms after it", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    "  - owl:class:: mv:A",
    "  - owl:functional-syntax:: |",
    "      Declaration(Class(mv:A))",
    "",
    "      SubClassOf(mv:A # the parent:",
    "        mv:B)",
    "  - status:: draft",
  ));
  assert.deepEqual(page.declarations, [{ kind: "Class", iri: "mv:A" }]);
  assert.deepEqual(page.axioms, [
    { type: "SubClassOf", subject: "mv:A", text: "SubClassOf(mv:A mv:B)", line: 6 },
  ]);
  assert.deepEqual(page.properties.map(([k]) => k), [
    "owl:class",
    "owl:functional-syntax",
    "status",
  ]);
  assert.equal(
    page.properties[1][1],
    "Declaration(Class(mv:A))\nSubClassOf(mv:A # the parent:\nmv:B)",
  );
  assertMalformed(
    lines("- ### OntologyBlock", "  - owl:functional-syntax:: |", "      SubClassOf(mv:A"),
    3,
    '"SubClassOf(" has no matching ")"',
  );
});

Deno.test("parsePage() reads ;; comments and Lisp S-expression axioms, resolving :Name against the page's prefix", () => {
  const fenced = (...owl: string[]) =>
    lines(
      "- ### OntologyBlock",
      "  - owl:class:: uo:P",
      `  - ${FENCE}clojure`,
      ...owl.map((l) => `    ${l}`),
      `    ${FENCE}`,
    );
  const page = ontology(fenced(
    ";; declarations",
    "(Declaration (Class :Persistence)) ; trailing",
    "(ObjectProperty :hasPart)",
    "# a hash comment next to them",
    "(SubClassOf :Persistence :Quality)",
  ));
  assert.deepEqual(page.declarations, [
    { kind: "Class", iri: "uo:Persistence" },
    { kind: "ObjectProperty", iri: "uo:hasPart" },
  ]);
  assert.deepEqual(page.axioms, [{
    type: "SubClassOf",
    subject: "uo:Persistence",
    text: "SubClassOf(uo:Persistence uo:Quality)",
    line: 8,
  }]);
  // Without a prefix of the page's own, or with the empty prefix declared, :Name stays.
  const bare = ontology(
    lines("- ### OntologyBlock", `  - ${FENCE}`, "    (Class :Thing)", `    ${FENCE}`),
  );
  assert.deepEqual(bare.declarations, [{ kind: "Class", iri: ":Thing" }]);
  const declared = ontology(fenced("Prefix(:=<http://example.org/#>)", "(Class :Thing)"));
  assert.deepEqual(declared.declarations, [{ kind: "Class", iri: ":Thing" }]);
});

Deno.test("parsePage() never reads a markdown fence as ontology, in a block or out of one", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    "  - term-id:: 1",
    `  - ${FENCE}markdown`,
    "    - owl:class:: mv:Example",
    "    Declaration(Class(mv:Example))",
    "    <details><summary>OntologyBlock</summary>",
    `    ${FENCE}`,
  ));
  assert.deepEqual([page.properties, page.declarations], [[["term-id", "1"]], []]);
});

// ------------------------------------------------------------------ OWL

Deno.test("parsePage() reads a declaration of every entity kind and removes duplicates", () => {
  const page = ontology(owlPage(
    "Declaration(Class(mv:Avatar))",
    "Declaration(ObjectProperty(mv:hasPart))",
    "Declaration(DataProperty(mv:hasHeight))",
    "Declaration(AnnotationProperty(mv:source))",
    "Declaration(NamedIndividual(mv:Alice))",
    "Declaration( Class( mv:Avatar ) )",
    'Declaration(Annotation(rdfs:comment "annotated") ObjectProperty(mv:hasPart))',
    "Declaration(NamedIndividual(mv:Avatar))",
  ));
  assert.deepEqual(page.declarations, [
    { kind: "Class", iri: "mv:Avatar" },
    { kind: "ObjectProperty", iri: "mv:hasPart" },
    { kind: "DataProperty", iri: "mv:hasHeight" },
    { kind: "AnnotationProperty", iri: "mv:source" },
    { kind: "NamedIndividual", iri: "mv:Alice" },
    { kind: "NamedIndividual", iri: "mv:Avatar" },
  ]);
  assert.deepEqual(page.axioms, []);
});

Deno.test("parsePage() keeps a Datatype declaration as an axiom of type Declaration", () => {
  const page = ontology(owlPage("Declaration(Datatype(mv:Centimetre))"));
  assert.deepEqual(page.declarations, []);
  assert.deepEqual(page.axioms, [{
    type: "Declaration",
    subject: "mv:Centimetre",
    text: "Declaration(Datatype(mv:Centimetre))",
    line: 4,
  }]);
});

Deno.test("parsePage() reads a SubClassOf whose nested expression spans several lines, at its first line", () => {
  const page = ontology(owlPage(
    "Declaration(Class(mv:X))",
    "SubClassOf(mv:X",
    "  ObjectSomeValuesFrom(mv:hasPart",
    "\t\tObjectIntersectionOf(",
    "      mv:A",
    "      mv:B",
    "    )",
    "  )",
    ")",
  ));
  assert.deepEqual(page.axioms, [{
    type: "SubClassOf",
    subject: "mv:X",
    text: "SubClassOf(mv:X ObjectSomeValuesFrom(mv:hasPart ObjectIntersectionOf(mv:A mv:B)))",
    line: 5,
  }]);
});

Deno.test("parsePage() reads other axiom types and takes the subject from the first IRI argument", () => {
  const page = ontology(owlPage(
    "EquivalentClasses(mv:A ObjectUnionOf(mv:B mv:C))",
    "DisjointClasses(mv:A mv:B mv:C)",
    "ObjectPropertyDomain(mv:hasPart mv:A)",
    "DataPropertyRange(mv:hasHeight xsd:decimal)",
    "SubClassOf(ObjectComplementOf(mv:A) mv:B)",
    'SubClassOf(Annotation(rdfs:comment "why") mv:A mv:B)',
    'AnnotationAssertion(rdfs:label mv:A "A"@en)',
    "SubClassOf(mv:A ObjectExactCardinality(2 mv:hasPart mv:B))",
    "SubClassOf(<http://example.org/x#A> mv:B)",
  ));
  assert.deepEqual(page.axioms.map((a) => [a.type, a.subject, a.line]), [
    ["EquivalentClasses", "mv:A", 4],
    ["DisjointClasses", "mv:A", 5],
    ["ObjectPropertyDomain", "mv:hasPart", 6],
    ["DataPropertyRange", "mv:hasHeight", 7],
    ["SubClassOf", null, 8],
    ["SubClassOf", "mv:A", 9],
    ["AnnotationAssertion", "mv:A", 10],
    ["SubClassOf", "mv:A", 11],
    ["SubClassOf", "<http://example.org/x#A>", 12],
  ]);
  assert.equal(page.axioms[5].text, 'SubClassOf(Annotation(rdfs:comment "why") mv:A mv:B)');
});

Deno.test("parsePage() drops # comments but not # inside strings or full IRIs", () => {
  const page = ontology(owlPage(
    "# a comment line (with an unbalanced paren",
    "## a section",
    "SubClassOf(mv:A mv:B) # trailing ) comment",
    "SubClassOf(mv:A # comment inside an axiom",
    "  mv:C)",
    'AnnotationAssertion(rdfs:label mv:A "A (v2) #1; not a comment"@en)',
    'AnnotationAssertion(rdfs:comment mv:A "say \\"hi\\" (#2"^^xsd:string)',
    "SubClassOf(<http://example.org/onto#A> mv:B)",
    'AnnotationAssertion(rdfs:comment mv:A "two',
    '  lines (#")',
  ));
  assert.deepEqual(page.axioms.map((a) => a.text), [
    "SubClassOf(mv:A mv:B)",
    "SubClassOf(mv:A mv:C)",
    'AnnotationAssertion(rdfs:label mv:A "A (v2) #1; not a comment"@en)',
    'AnnotationAssertion(rdfs:comment mv:A "say \\"hi\\" (#2"^^xsd:string)',
    "SubClassOf(<http://example.org/onto#A> mv:B)",
    'AnnotationAssertion(rdfs:comment mv:A "two\n\t    lines (#")',
  ]);
  assert.deepEqual(page.axioms.map((a) => a.line), [6, 7, 9, 10, 11, 12]);
});

Deno.test("parsePage() reads axioms inside Ontology(...) and drops Prefix, Import and ontology annotations", () => {
  const page = ontology(lines(
    "- ### OntologyBlock",
    `\t- ${FENCE}clojure`,
    "Prefix(:=<http://example.org/bc#>)",
    "\t  Prefix(xsd:=<http://www.w3.org/2001/XMLSchema#>)",
    "\t  Ontology(<http://example.org/bc> <http://example.org/bc/1.0>",
    "\t    Import(<http://example.org/core>)",
    '\t    Annotation(rdfs:comment "the ontology")',
    "\t    Declaration(Class(:Halving))",
    "\t    SubClassOf(:Halving :Event)",
    "\t  )",
    "\t  SubClassOf(:After :Ontology)",
    `\t  ${FENCE}`,
  ));
  assert.deepEqual(page.declarations, [{ kind: "Class", iri: ":Halving" }]);
  assert.deepEqual(page.axioms.map((a) => [a.text, a.line]), [
    ["SubClassOf(:Halving :Event)", 9],
    ["SubClassOf(:After :Ontology)", 11],
  ]);
  assert.deepEqual(ontology(owlPage("Ontology()", "SubClassOf(mv:A mv:B)")).axioms.length, 1);
});

Deno.test("parsePage() reads a Lisp-style expression as functional syntax", () => {
  const page = ontology(
    owlPage("SubClassOf(:Halving", "  (ObjectSomeValuesFrom :partOf (ObjectUnionOf :A :B)))"),
  );
  assert.deepEqual(page.axioms, [{
    type: "SubClassOf",
    subject: ":Halving",
    text: "SubClassOf(:Halving ObjectSomeValuesFrom(:partOf ObjectUnionOf(:A :B)))",
    line: 4,
  }]);
});

// ------------------------------------------------------------------ malformed pages

Deno.test("parsePage() reports an unclosed parenthesis at the line where the axiom starts", () => {
  assertMalformed(
    owlPage(
      "Declaration(Class(mv:A))",
      "SubClassOf(mv:A",
      "  ObjectSomeValuesFrom(mv:p mv:B)",
      "SubClassOf(mv:A mv:C)",
    ),
    5,
    '"SubClassOf(" has no matching ")"',
  );
  assertMalformed(
    owlPage("Ontology(<http://x>", "  SubClassOf(mv:A mv:B)"),
    4,
    '"Ontology(" has no matching ")"',
  );
});

Deno.test("parsePage() reports a ) without its ( at its line", () => {
  assertMalformed(owlPage("SubClassOf(mv:A mv:B))"), 4, '")" has no matching "("');
  assertMalformed(owlPage("SubClassOf(mv:A mv:B)", ")"), 5, '")" has no matching "("');
});

Deno.test("parsePage() reports a code fence of the block that is never closed at its opening line", () => {
  const text = lines(
    "- ### OntologyBlock",
    "\t- term-id:: 1",
    `\t- ${FENCE}clojure`,
    "\t  SubClassOf(mv:A mv:B)",
    "- ## About",
  );
  assertMalformed(text, 3, "the code fence is not closed");
  // A fence outside the block is the notes' business.
  assert.equal(
    parsePage(lines("- ### OntologyBlock", "\t- a:: 1", `- ${FENCE}`, "  x")).kind,
    "ontology",
  );
});

Deno.test("parsePage() reports a string literal that is never terminated at the line where it starts", () => {
  assertMalformed(
    owlPage(
      "SubClassOf(mv:A mv:B)",
      'AnnotationAssertion(rdfs:comment mv:A "open (',
      "  SubClassOf(mv:C mv:D)",
    ),
    5,
    "the string literal is not terminated",
  );
  assertMalformed(
    owlPage('AnnotationAssertion(rdfs:comment mv:A "escaped at the end\\")'),
    4,
    "the string literal is not terminated",
  );
});

Deno.test("parsePage() reports a full IRI that is never terminated", () => {
  assertMalformed(
    owlPage("SubClassOf(<http://example.org/A mv:B)"),
    4,
    "the full IRI is not terminated",
  );
});

Deno.test("parsePage() reports a declaration of an unknown entity kind", () => {
  assertMalformed(
    owlPage("Declaration(Class(mv:A))", "Declaration(Concept(mv:B))"),
    5,
    'Declaration names the unknown entity kind "Concept"',
  );
});

Deno.test("parsePage() reports a declaration that is not one Kind(IRI)", () => {
  const reason = "Declaration must hold one entity as Kind(IRI)";
  assertMalformed(owlPage("Declaration(mv:A)"), 4, reason);
  assertMalformed(owlPage("Declaration(Class(mv:A) Class(mv:B))"), 4, reason);
  assertMalformed(
    owlPage("Declaration(Class(mv:A mv:B))"),
    4,
    "Class in Declaration must name one IRI",
  );
  assertMalformed(owlPage('Declaration(Class("A"))'), 4, "Class in Declaration must name one IRI");
});

Deno.test("parsePage() reports an axiom or expression with no arguments", () => {
  assertMalformed(owlPage("SubClassOf()"), 4, '"SubClassOf" has no arguments');
  assertMalformed(
    owlPage("SubClassOf(mv:A", "  ObjectUnionOf( ))"),
    5,
    '"ObjectUnionOf" has no arguments',
  );
  assertMalformed(owlPage("Declaration()"), 4, '"Declaration" has no arguments');
});

Deno.test("parsePage() reports a ( with no function name and an atom where an axiom should be", () => {
  assertMalformed(owlPage("SubClassOf(mv:A ((mv:B)))"), 4, '"(" has no function name');
  assertMalformed(owlPage("SubClassOf(mv:A (mv:B mv:C))"), 4, '"(" has no function name');
  assertMalformed(owlPage("SubClassOf(mv:A mv:B)", "mv:Stray"), 5, '"mv:Stray" is not an axiom');
  assertMalformed(owlPage('"a string"'), 4, '"\\"a string\\"" is not an axiom');
  assertMalformed(owlPage("x".repeat(60)), 4, `"${"x".repeat(39)}…" is not an axiom`);
});

Deno.test("parsePage() reports an OntologyBlock with neither properties nor OWL axioms at its header", () => {
  assertMalformed(
    lines("title:: X", "- ### OntologyBlock", "\t- just text", "- ## About"),
    2,
    "the OntologyBlock has neither properties nor OWL axioms",
  );
  assertMalformed(
    lines("- ### OntologyBlock", `\t- ${FENCE}clojure`, "\t  # only a comment", `\t  ${FENCE}`),
    1,
    "the OntologyBlock has neither properties nor OWL axioms",
  );
  assertMalformed(
    lines("- ### OntologyBlock", "\t- a:: 1", "- ### OntologyBlock", "- end"),
    3,
    "the OntologyBlock has neither properties nor OWL axioms",
  );
});

Deno.test("parsePage() reports a property line without a key", () => {
  assertMalformed(
    lines("- ### OntologyBlock", "\t- term-id:: 1", "\t- :: orphan value"),
    3,
    "the property has no key",
  );
  assertMalformed(lines("- ### OntologyBlock", "  ::"), 2, "the property has no key");
});

Deno.test("parsePage() reports expressions nested too deep instead of overflowing the stack", () => {
  const deep = "SubClassOf(mv:A " + "ObjectComplementOf(".repeat(100_000) + "mv:B" +
    ")".repeat(100_001);
  assertMalformed(owlPage(deep), 4, `the expression is nested deeper than ${MAX_DEPTH} levels`);
  const fine = "SubClassOf(mv:A " + "ObjectComplementOf(".repeat(MAX_DEPTH - 2) + "mv:B" +
    ")".repeat(MAX_DEPTH - 1);
  assert.equal(ontology(owlPage(fine)).axioms.length, 1);
  assertMalformed(owlPage("(".repeat(100_000)), 4, '"(" has no function name');
});

Deno.test("PageParseError is a permanent error with the OWL syntax error as cause", () => {
  const err = assertMalformed(owlPage("SubClassOf()"), 4, '"SubClassOf" has no arguments');
  assert.ok(err instanceof PermanentError);
  assert.equal(err.name, "PageParseError");
  assert.equal(err.code, "permanent");
  assert.equal(isRetryable(err), false);
  assert.ok(err.cause instanceof OwlSyntaxError);
  assert.equal(err.cause.line, 4);
});

Deno.test("parsePage() rejects a text that is not a string with a TypeError", () => {
  assert.throws(() => parsePage(42 as unknown as string), {
    name: "TypeError",
    message: 'Cannot parse page as its text must be a string: current type is "number"',
  });
});

// ------------------------------------------------------------------ committed sample

type Expected =
  | {
    kind: "ontology";
    termId: string | null;
    owlClass: string | null;
    properties: number;
    declarations: string[];
    axioms: string[];
    relationships: number;
  }
  | { kind: "skipped"; warningLine?: number }
  | { kind: "malformed"; line: number; reason: string };

const SAMPLE_EXPECTED: Record<string, Expected> = {
  "Avatar.md": {
    kind: "ontology",
    termId: "MV-20067",
    owlClass: "mv:Avatar",
    properties: 19,
    declarations: ["Class mv:Avatar"],
    axioms: ["SubClassOf@31", "SubClassOf@34"],
    relationships: 9,
  },
  "Spatial Anchor.md": {
    kind: "ontology",
    termId: "MV-20112",
    owlClass: "mv:SpatialAnchor",
    properties: 5,
    declarations: [
      "Class mv:SpatialAnchor",
      "ObjectProperty mv:anchoredTo",
      "DataProperty mv:hasAccuracyCm",
      "AnnotationProperty mv:sourceStandard",
      "NamedIndividual mv:HomeAnchor",
    ],
    axioms: [
      "Declaration@15",
      "ObjectPropertyDomain@17",
      "ObjectPropertyRange@18",
      "DataPropertyRange@19",
      "FunctionalDataProperty@20",
      "ClassAssertion@21",
      "DataPropertyAssertion@22",
      "AnnotationAssertion@23",
    ],
    relationships: 0,
  },
  "Digital Twin.md": {
    kind: "ontology",
    termId: "MV-20210",
    owlClass: "mv:DigitalTwin",
    properties: 7,
    declarations: [],
    axioms: [
      "EquivalentClasses@13",
      "DisjointClasses@20",
      "SubClassOf@21",
      "SubClassOf@23",
      "SubClassOf@24",
    ],
    relationships: 3,
  },
  "Halving.md": {
    kind: "ontology",
    termId: "BC-0070",
    owlClass: "bc:Halving",
    properties: 9,
    declarations: ["Class :Halving"],
    axioms: [
      "SubClassOf@32",
      "SubClassOf@35",
      "DataPropertyAssertion@38",
      "AnnotationAssertion@39",
    ],
    relationships: 2,
  },
  "Smart Contract.md": {
    kind: "ontology",
    termId: "BC-0123",
    owlClass: "bc:SmartContract",
    properties: 3,
    declarations: ["Class <http://example.org/bc#SmartContract>", "Class bc:Contract"],
    axioms: [
      "SubClassOf@8",
      "AnnotationAssertion@9",
      "AnnotationAssertion@10",
      "AnnotationAssertion@11",
    ],
    relationships: 0,
  },
  "Digital Identity.md": {
    kind: "ontology",
    termId: "MV-20300",
    owlClass: null,
    properties: 7,
    declarations: [],
    axioms: [],
    relationships: 4,
  },
  "Mesh.md": {
    kind: "ontology",
    termId: null,
    owlClass: null,
    properties: 0,
    declarations: ["Class mv:Mesh"],
    axioms: ["SubClassOf@8"],
    relationships: 0,
  },
  "Meeting Notes.md": { kind: "skipped", warningLine: 4 },
  "Inbox.md": { kind: "skipped", warningLine: 1 },
  "Lost Block.md": { kind: "skipped", warningLine: 3 },
  "Persistence.md": {
    kind: "ontology",
    termId: "UO-0001",
    owlClass: "uo:Persistence",
    properties: 4,
    declarations: ["Class uo:Persistence", "Class uo:Quality", "ObjectProperty uo:hasPart"],
    axioms: ["SubClassOf@17", "SubClassOf@18"],
    relationships: 1,
  },
  "Quality.md": {
    kind: "ontology",
    termId: "UO-0002",
    owlClass: "uo:Quality",
    properties: 5,
    declarations: ["Class uo:Quality"],
    axioms: ["SubClassOf@11"],
    relationships: 0,
  },
  "Upper Ontology.md": {
    kind: "ontology",
    termId: null,
    owlClass: null,
    properties: 0,
    declarations: ["Class :Entity"],
    axioms: ["SubClassOf@6"],
    relationships: 0,
  },
  "Broken Axiom.md": { kind: "malformed", line: 8, reason: '"SubClassOf(" has no matching ")"' },
  "Broken Fence.md": { kind: "malformed", line: 3, reason: "the code fence is not closed" },
  "Unknown Kind.md": {
    kind: "malformed",
    line: 5,
    reason: 'Declaration names the unknown entity kind "Concept"',
  },
  "Empty Block.md": {
    kind: "malformed",
    line: 3,
    reason: "the OntologyBlock has neither properties nor OWL axioms",
  },
};

function readSample(name: string): string {
  return readFileSync(SAMPLE + name, "utf8");
}

Deno.test("the committed sample pages parse as fixtures/ontology/sample/README.md says", () => {
  assert.deepEqual(readdirSync(SAMPLE).sort(), Object.keys(SAMPLE_EXPECTED).sort());
  for (const [name, expected] of Object.entries(SAMPLE_EXPECTED)) {
    const text = readSample(name);
    if (expected.kind === "malformed") {
      assertMalformed(text, expected.line, expected.reason);
      continue;
    }
    const result = parsePage(text);
    if (expected.kind === "skipped") {
      const line = expected.warningLine;
      const warning = (result as { warning?: { line: number } }).warning;
      assert.deepEqual([result.kind, warning?.line], ["skipped", line], name);
      continue;
    }
    const page = ontology(text);
    assert.deepEqual(
      {
        kind: "ontology",
        termId: page.termId,
        owlClass: page.owlClass,
        properties: page.properties.length,
        declarations: page.declarations.map((d) => `${d.kind} ${d.iri}`),
        axioms: page.axioms.map((a) => `${a.type}@${a.line}`),
        relationships: page.relationships.length,
      },
      expected,
      name,
    );
  }
});

Deno.test("the sample's Avatar page gives its nested axiom and relationships exactly", () => {
  const page = ontology(readSample("Avatar.md"));
  assert.equal(
    page.axioms[1].text,
    "SubClassOf(mv:Avatar ObjectSomeValuesFrom(mv:hasPart ObjectIntersectionOf(mv:Mesh mv:Skeleton)))",
  );
  assert.deepEqual(
    page.relationships.filter((r) => r.property === "has-part").map((r) => r.target),
    [
      "Mesh",
      "Skeleton",
      "Animation Rig",
    ],
  );
  assert.equal(
    page.definition,
    "A digital representation of a person or [[Virtual Agent]] in a shared virtual environment.",
  );
});

// ------------------------------------------------------------------ generator

function verdictOf(text: string): { expect: string; line?: number; facts?: unknown } {
  try {
    const result = parsePage(text);
    if (result.kind === "skipped") return { expect: "skipped" };
    const p = result.page;
    return {
      expect: "ontology",
      facts: {
        termId: p.termId,
        owlClass: p.owlClass,
        properties: p.properties.length,
        declarations: p.declarations.length,
        axioms: p.axioms.length,
        relationships: p.relationships.length,
      },
    };
  } catch (err) {
    if (!(err instanceof PageParseError)) throw err;
    return { expect: "malformed", line: err.line };
  }
}

Deno.test("generated pages parse as their verdicts say, with their facts and defect lines", () => {
  for (const seed of [1, 2, 3, 977]) {
    for (const page of generatePages({ count: 300, seed, malformedEvery: 20 })) {
      const got = verdictOf(page.text);
      const want = page.expect === "ontology"
        ? { expect: "ontology", facts: page.facts }
        : page.expect === "malformed"
        ? { expect: "malformed", line: page.defect!.line }
        : { expect: "skipped" };
      assert.deepEqual(got, want, `seed ${seed}, ${page.path}`);
    }
  }
});

Deno.test("generatePages() is deterministic: the same seed gives the same bytes, another seed other pages", () => {
  const a = [...generatePages({ count: 120, seed: 42 })];
  const b = [...generatePages({ count: 120, seed: 42 })];
  assert.deepEqual(a, b);
  const c = [...generatePages({ count: 120, seed: 43 })];
  assert.notDeepEqual(a.map((p) => p.text), c.map((p) => p.text));
  // Page i does not depend on the count.
  assert.deepEqual([...generatePages({ count: 10, seed: 42 })], a.slice(0, 10));
});

Deno.test("generatePages() gives unique paths, also past the 2,000 base names", () => {
  const paths = [...generatePages({ count: 4500, seed: 5 })].map((p) => p.path);
  assert.equal(new Set(paths).size, 4500);
  assert.ok(paths.every((p) => /^pages\/[A-Za-z]+ [A-Za-z]+( \d+)?\.md$/.test(p)));
});

Deno.test("generatePages() by default makes 974 pages: 10% without a block, 2% malformed, ontology pages of 4-10 KB", () => {
  const pages = [...generatePages()];
  assert.equal(pages.length, 974);
  const count = (v: string) => pages.filter((p) => p.expect === v).length;
  assert.deepEqual([count("ontology"), count("skipped"), count("malformed")], [858, 97, 19]);
  const sizes = pages.filter((p) => p.expect === "ontology").map((p) =>
    new TextEncoder().encode(p.text).length
  )
    .sort((x, y) => x - y);
  assert.ok(
    sizes[0] >= 4000 && sizes.at(-1)! <= 10_240,
    `sizes from ${sizes[0]} to ${sizes.at(-1)}`,
  );
  const median = sizes[sizes.length >> 1];
  assert.ok(median >= 5000 && median <= 8000, `median ${median}`);
  const declarations = pages.flatMap((p) => (p.facts ? [p.facts.declarations] : []));
  assert.equal(Math.min(...declarations), 1);
  assert.equal(Math.max(...declarations), 25);
});

Deno.test("generatePages() covers every defect, declaration kind and construct the parser reads", () => {
  const pages = [...generatePages({ count: 974, seed: 1 })];
  const defects = new Set(pages.flatMap((p) => (p.defect ? [p.defect.kind] : [])));
  const all: DefectKind[] = [
    "unclosed-paren",
    "stray-paren",
    "unclosed-fence",
    "unclosed-string",
    "unknown-kind",
    "no-arguments",
    "property-without-key",
    "empty-block",
  ];
  assert.deepEqual([...defects].sort(), all.sort());
  const text = pages.filter((p) => p.expect === "ontology").map((p) => p.text).join("\n");
  for (
    const needle of [
      "Declaration(Class(",
      "Declaration(ObjectProperty(",
      "Declaration(DataProperty(",
      "Declaration(AnnotationProperty(",
      "Declaration(NamedIndividual(",
      "EquivalentClasses(",
      "DisjointClasses(",
      "ObjectPropertyDomain(",
      "ObjectIntersectionOf(",
      "  (ObjectSomeValuesFrom ",
      "\nPrefix(",
      "Ontology(<",
      "\t  ",
      "\n  - ",
      '"@en)',
      "# ",
    ]
  ) assert.ok(text.includes(needle), `no generated page holds ${JSON.stringify(needle)}`);
});

Deno.test("generatePages() rejects an option that is not a non-negative integer", () => {
  assert.throws(() => generatePages({ count: -1 }).next(), {
    name: "RangeError",
    message: 'Cannot generate pages as count must be a non-negative integer: current value is "-1"',
  });
  assert.throws(() => generatePages({ seed: 1.5 }).next(), RangeError);
});

Deno.test("the generator CLI writes pages/<Name>.md and expect.json, and exits 2 on bad usage", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weir_ontology_" });
  try {
    const run = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-R", "-W", GENERATOR, ...args],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
    const ok = await run(dir, "--count", "12", "--seed", "3", "--malformed-every", "5");
    const stderr = new TextDecoder().decode(ok.stderr);
    assert.equal(ok.code, 0, stderr);
    assert.match(
      stderr,
      /^Wrote 12 pages \(9 ontology, 1 skipped, 2 malformed\) to .+ in \d+ ms\n$/,
    );
    const expected = [...generatePages({ count: 12, seed: 3, malformedEvery: 5 })];
    for (const page of expected) {
      assert.equal(await Deno.readTextFile(`${dir}/${page.path}`), page.text);
    }
    const verdicts = JSON.parse(await Deno.readTextFile(`${dir}/expect.json`));
    assert.deepEqual(Object.keys(verdicts).sort(), expected.map((p) => p.path).sort());
    assert.deepEqual(verdicts[expected[2].path], {
      expect: "malformed",
      defect: expected[2].defect,
    });
    assert.deepEqual(verdicts[expected[9].path], { expect: "skipped" });
    assert.equal((await run()).code, 2);
    assert.equal((await run(dir, "--count", "x")).code, 2);
    assert.equal((await run(dir, "--nope")).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ------------------------------------------------------------------ properties of any input

/** Parses and checks the contract: a result, or a PageParseError at a line of the page. */
function parsesOrFailsCleanly(text: string): void {
  const lineCount = text.split("\n").length;
  try {
    const result = parsePage(text);
    if (result.kind === "ontology") {
      for (const a of result.page.axioms) assert.ok(a.line >= 1 && a.line <= lineCount);
      const keys = result.page.declarations.map((d) => `${d.kind} ${d.iri}`);
      assert.equal(new Set(keys).size, keys.length);
    }
  } catch (err) {
    if (!(err instanceof PageParseError)) throw err;
    assert.ok(
      Number.isInteger(err.line) && err.line >= 1 && err.line <= lineCount,
      `line ${err.line} of ${lineCount}`,
    );
  }
}

const PIECES = [
  "- ### OntologyBlock\n",
  "\n",
  "\t",
  "  ",
  "- ",
  "key:: ",
  "::",
  "[[",
  "]]",
  `${FENCE}clojure\n`,
  `${FENCE}\n`,
  "(",
  ")",
  '"',
  "#",
  "<",
  ">",
  "\\",
  "\r\n",
  "Declaration(Class(mv:A))",
  "SubClassOf(",
  "Ontology(",
  "Prefix(",
  "mv:A ",
  "@en",
  "^^xsd:string",
];

Deno.test("parsePage() returns or throws PageParseError for any string", () => {
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 400 }),
    fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 120 })
      .map((a) => a.join("")),
  );
  fc.assert(fc.property(text, parsesOrFailsCleanly), { numRuns: 2000, seed: 20_251_126 });
});

Deno.test("parsePage() returns or throws PageParseError for any mutation of a valid page", () => {
  const bases = [
    ...Object.keys(SAMPLE_EXPECTED).map(readSample),
    ...[...generatePages({ count: 12, seed: 9 })].map((p) => p.text),
  ];
  const edit = fc.record({
    op: fc.constantFrom("delete", "insert", "duplicate-line", "drop-line", "swap-lines"),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
    piece: fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 8 })),
  });
  const mutate = (
    text: string,
    edits: { op: string; at: number; length: number; piece: string }[],
  ) => {
    for (const e of edits) {
      const at = text.length === 0 ? 0 : e.at % text.length;
      if (e.op === "delete") text = text.slice(0, at) + text.slice(at + e.length);
      else if (e.op === "insert") text = text.slice(0, at) + e.piece + text.slice(at);
      else {
        const ls = text.split("\n"), i = e.at % ls.length, j = (e.at + e.length) % ls.length;
        if (e.op === "duplicate-line") ls.splice(i, 0, ls[i]);
        else if (e.op === "drop-line") ls.splice(i, 1);
        else [ls[i], ls[j]] = [ls[j], ls[i]];
        text = ls.join("\n");
      }
    }
    return text;
  };
  fc.assert(
    fc.property(
      fc.constantFrom(...bases),
      fc.array(edit, { minLength: 1, maxLength: 6 }),
      (base, edits) => {
        parsesOrFailsCleanly(mutate(base, edits));
      },
    ),
    { numRuns: 3000, seed: 20_251_126 },
  );
});
