/**
 * A glob matcher that runs in linear time: the pattern becomes a
 * nondeterministic automaton (Thompson's construction) and a path is matched
 * by moving the whole set of live states one character at a time, so a
 * match costs at most (path length) x (pattern size) steps whatever the
 * pattern. picomatch (which checks the syntax) compiles globs to JavaScript
 * regular expressions, which backtrack: `*a*a*a*a*a*b` against a long name
 * ran for seconds and blocked the event loop, signals included.
 *
 * Syntax, as picomatch reads it: `?`, `*` (not across `/`, not a leading
 * dot), `**` as a whole segment (any number of segments, none starting with
 * a dot), `[...]` / `[!...]` / `[^...]` classes with ranges, `{a,b}` and
 * `{1..3}` braces, `(a|b)` groups, the extglobs `@(..)`, `?(..)`, `*(..)`,
 * `+(..)`, and `!(..)` when it ends its path segment, `\` escapes, and a
 * leading `!` that negates the whole glob.
 *
 * @module
 */

/** Tells whether a character may be taken at this point of the path. */
type Test = (c: string, segmentStart: boolean) => boolean;

type State =
  | { kind: "char"; test: Test; out: number }
  | { kind: "split"; out: number[] }
  | { kind: "neg"; inner: (text: string, from: number, to: number) => boolean[]; out: number }
  | { kind: "nodot"; out: number }
  | { kind: "match" };

type Node =
  | { kind: "test"; test: Test }
  | { kind: "star"; first: boolean; alone: boolean; double: boolean }
  | { kind: "group"; op: "@" | "?" | "*" | "+"; alts: Node[][] }
  | { kind: "not"; alts: Node[][] }
  | { kind: "slash" };

/** The most alternatives one `{a..b}` range expands to. */
const MAX_RANGE = 1000;

/**
 * Compiles a glob into a linear-time matcher.
 *
 * @param pattern The glob (its syntax already checked by picomatch).
 * @returns A function telling whether a path matches.
 * @throws {SyntaxError} When a `!(...)` group does not end its path segment.
 *
 * @example
 * ```ts
 * import { compileLinearGlob } from "./glob_nfa.ts";
 * import assert from "node:assert/strict";
 * const matches = compileLinearGlob("pages/**\/!(Draft*).md");
 * assert.equal(matches("pages/a/Avatar.md"), true);
 * assert.equal(matches("pages/Draft1.md"), false);
 * assert.equal(compileLinearGlob("*a*a*a*a*a*a*a*a*b")("a".repeat(5000)), false);
 * ```
 */
export function compileLinearGlob(pattern: string): (path: string) => boolean {
  let negated = false;
  let body = pattern;
  while (body.startsWith("!") && !body.startsWith("!(")) {
    negated = !negated;
    body = body.slice(1);
  }
  const parser = new Parser(body);
  const nodes = parser.sequence(false);
  const automaton = new Automaton();
  const start = automaton.path(nodes);
  if (!negated) return (path) => automaton.run(start, path);
  return (path) => path !== "" && !automaton.run(start, path);
}

class Parser {
  #text: string;
  #at = 0;
  #negated = false;
  constructor(text: string) {
    this.#text = text;
  }

  /** Nodes up to the end, or (in a group) up to `|`, `,`, `)` or `}`. */
  sequence(inGroup: boolean): Node[] {
    const nodes: Node[] = [];
    const t = this.#text;
    while (this.#at < t.length) {
      const c = t[this.#at];
      if (inGroup && (c === "|" || c === ")" || c === "," || c === "}")) break;
      const segmentStart = nodes.length === 0 || nodes[nodes.length - 1].kind === "slash";
      if ("@?*+!".includes(c) && t[this.#at + 1] === "(") {
        if (c === "!" && this.#negated) {
          throw new SyntaxError(
            `Cannot use glob as a !(...) group holds another one: current value is "${t}"`,
          );
        }
        this.#at += 2;
        this.#negated ||= c === "!";
        const alts = this.#alternatives(")");
        if (c === "!") this.#negated = false;
        nodes.push(c === "!" ? { kind: "not", alts } : { kind: "group", op: c as "@", alts });
      } else if (c === "(") {
        this.#at++;
        nodes.push({ kind: "group", op: "@", alts: this.#alternatives(")") });
      } else if (c === "{") {
        nodes.push(this.#brace());
      } else if (c === "[") {
        nodes.push(this.#class());
      } else if (c === "*") {
        const from = this.#at;
        while (t[this.#at] === "*") this.#at++;
        const double = this.#at - from > 1;
        const end = this.#at >= t.length || t[this.#at] === "/" ||
          (inGroup && "|),}".includes(t[this.#at]));
        nodes.push({ kind: "star", first: segmentStart, alone: segmentStart && end, double });
      } else if (c === "?") {
        this.#at++;
        nodes.push({ kind: "test", test: anyChar(segmentStart) });
      } else if (c === "/") {
        this.#at++;
        nodes.push({ kind: "slash" });
      } else {
        if (c === "\\" && this.#at + 1 < t.length) this.#at++;
        const ch = t[this.#at++];
        nodes.push({ kind: "test", test: (x) => x === ch });
      }
    }
    return nodes;
  }

  #alternatives(close: string): Node[][] {
    const alts: Node[][] = [];
    for (;;) {
      alts.push(this.sequence(true));
      const c = this.#text[this.#at++];
      if (c === close || c === undefined) return alts;
      if (c !== "|" && c !== ",") return alts;
    }
  }

  /** `{a,b}` as alternatives, `{1..3}` as a range, anything else literally. */
  #brace(): Node {
    const t = this.#text;
    const end = t.indexOf("}", this.#at);
    const range = /^\{(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])\}/.exec(t.slice(this.#at, end + 1));
    if (range) {
      this.#at = end + 1;
      return { kind: "group", op: "@", alts: expandRange(range[1], range[2]) };
    }
    const start = this.#at++;
    const alts = this.#alternatives("}");
    if (alts.length > 1 && t[this.#at - 1] === "}") return { kind: "group", op: "@", alts };
    // No comma: the braces are literal characters.
    this.#at = start + 1;
    return { kind: "test", test: (x) => x === "{" };
  }

  #class(): Node {
    const t = this.#text;
    let i = this.#at + 1;
    const negate = t[i] === "!" || t[i] === "^";
    if (negate) i++;
    const ranges: [string, string][] = [];
    for (let first = true; i < t.length && (first || t[i] !== "]"); first = false) {
      let lo = t[i++];
      if (lo === "\\" && i < t.length) lo = t[i++];
      let hi = lo;
      if (t[i] === "-" && i + 1 < t.length && t[i + 1] !== "]") {
        hi = t[i + 1] === "\\" ? t[i + 2] : t[i + 1];
        i += t[i + 1] === "\\" ? 3 : 2;
      }
      ranges.push([lo, hi]);
    }
    if (i >= t.length) {
      // Unclosed: a literal "[" (picomatch refuses it before this runs).
      this.#at++;
      return { kind: "test", test: (x) => x === "[" };
    }
    this.#at = i + 1;
    const inSet = (c: string) => ranges.some(([lo, hi]) => c >= lo && c <= hi);
    return { kind: "test", test: (c) => c !== "/" && inSet(c) !== negate };
  }
}

function anyChar(segmentStart: boolean): Test {
  return (c, atStart) => c !== "/" && !(segmentStart && atStart && c === ".");
}

function expandRange(from: string, to: string): Node[][] {
  const numeric = /\d/.test(from);
  const a = numeric ? Number(from) : from.charCodeAt(0);
  const b = numeric ? Number(to) : to.charCodeAt(0);
  const step = a <= b ? 1 : -1;
  const alts: Node[][] = [];
  for (let n = a; alts.length < MAX_RANGE; n += step) {
    const text = numeric ? String(n) : String.fromCharCode(n);
    alts.push([...text].map((ch) => ({ kind: "test", test: (x: string) => x === ch })));
    if (n === b) break;
  }
  return alts;
}

class Automaton {
  #states: State[] = [{ kind: "match" }];

  #add(state: State): number {
    this.#states.push(state);
    return this.#states.length - 1;
  }

  /** The start state of a whole glob: segments joined by `/`, `**` segments spanning any number. */
  path(nodes: Node[]): number {
    const segments: Node[][] = [[]];
    for (const node of nodes) {
      if (node.kind === "slash") segments.push([]);
      else segments[segments.length - 1].push(node);
    }
    const globstar = segments.map((s) =>
      s.length === 1 && s[0].kind === "star" && s[0].alone && s[0].double
    );
    // Any character; no segment may start with a dot.
    const any: Test = (c, atStart) => !(atStart && c === ".");
    const last = segments.length - 1;
    let out = 0;
    for (let s = last; s >= 0; s--) {
      if (globstar[s] && last === 0) {
        out = this.#star(any, out, true);
      } else if (globstar[s] && s === last) {
        // `a/**`: `a`, or `a/` and anything below.
        const below = this.#add({ kind: "char", test: (c) => c === "/", out: this.#star(any, 0) });
        out = this.#add({ kind: "split", out: [below, 0] });
      } else if (globstar[s]) {
        // `**/`: nothing, or anything ending with a slash.
        const slash = this.#add({ kind: "char", test: (c) => c === "/", out });
        const loop = this.#add({ kind: "split", out: [] });
        const step = this.#add({ kind: "char", test: any, out: loop });
        (this.#states[loop] as { out: number[] }).out = [step, slash];
        out = this.#add({ kind: "split", out: [loop, out] });
      } else {
        const nextIsTrailingGlobstar = s + 1 === last && globstar[last] && last > 0;
        if (s < last && !nextIsTrailingGlobstar) {
          out = this.#add({ kind: "char", test: (c) => c === "/", out });
        }
        out = this.#sequence(segments[s], out);
      }
    }
    return out;
  }

  /** The nodes of one segment (or a group's alternative), continuing to `out`. */
  #sequence(nodes: Node[], out: number): number {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      switch (node.kind) {
        case "test":
          out = this.#add({ kind: "char", test: node.test, out });
          break;
        case "star":
          out = this.#star(anyChar(node.first), out, node.alone);
          // Like picomatch: a segment that starts with a wildcard never matches a leading dot.
          if (node.first) out = this.#add({ kind: "nodot", out });
          break;
        case "slash":
          out = this.#add({ kind: "char", test: (c) => c === "/", out });
          break;
        case "group":
          out = this.#group(node.op, node.alts, out);
          break;
        case "not": {
          const inner = new Automaton();
          const start = inner.#group("@", node.alts, 0);
          const misses = (text: string, from: number, to: number) =>
            inner.prefixes(start, text, from, to).map((hit) => !hit);
          out = this.#add({ kind: "neg", inner: misses, out });
        }
      }
    }
    return out;
  }

  /** `*`: any number of `test` characters (at least one when `plus`). */
  #star(test: Test, out: number, plus = false): number {
    const loop = this.#add({ kind: "split", out: [] });
    const step = this.#add({ kind: "char", test, out: loop });
    (this.#states[loop] as { out: number[] }).out = [step, out];
    return plus ? step : loop;
  }

  #group(op: "@" | "?" | "*" | "+", alts: Node[][], out: number): number {
    if (op === "@" || op === "?") {
      const starts = alts.map((alt) => this.#sequence(alt, out));
      return this.#add({ kind: "split", out: op === "?" ? [...starts, out] : starts });
    }
    const loop = this.#add({ kind: "split", out: [] });
    const starts = alts.map((alt) => this.#sequence(alt, loop));
    (this.#states[loop] as { out: number[] }).out = [...starts, out];
    return op === "*" ? loop : this.#add({ kind: "split", out: starts });
  }

  /**
   * Runs the automaton (without `!(...)` groups) over `text[from..to]`: for each
   * length from 0 to `to - from`, whether that prefix matches.
   */
  prefixes(start: number, text: string, from: number, to: number): boolean[] {
    const unused = new Map<number, Set<number>>();
    let live = this.#closure([start], from, text, unused);
    const hits = [live.has(0)];
    for (let i = from; i < to; i++) {
      const next: number[] = [];
      for (const s of live) {
        const state = this.#states[s];
        if (state.kind === "char" && state.test(text[i], i === 0 || text[i - 1] === "/")) {
          next.push(state.out);
        }
      }
      live = this.#closure(next, i + 1, text, unused);
      hits.push(live.has(0));
    }
    return hits;
  }

  /** Runs the automaton over `text`: true when it ends in the match state. */
  run(start: number, text: string): boolean {
    const pending = new Map<number, Set<number>>();
    if (text === "") return false; // As picomatch: nothing matches an empty path.
    let live = this.#closure([start], 0, text, pending);
    for (let i = 0; i < text.length; i++) {
      if (live.size === 0) {
        // Only a `!(...)` group that jumps ahead is left: resume at its end.
        if (pending.size === 0) return false;
        i = Math.min(...pending.keys());
        live = this.#closure([...pending.get(i)!], i, text, pending);
        pending.delete(i);
        if (i >= text.length) break;
      }
      const c = text[i];
      const atStart = i === 0 || text[i - 1] === "/";
      const next: number[] = [...(pending.get(i + 1) ?? [])];
      pending.delete(i + 1);
      for (const s of live) {
        const state = this.#states[s];
        if (state.kind === "char" && state.test(c, atStart)) next.push(state.out);
      }
      live = this.#closure(next, i + 1, text, pending);
    }
    return live.has(0);
  }

  /** The states reachable from `from` without taking a character at `at`. */
  #closure(from: number[], at: number, text: string, pending: Map<number, Set<number>>) {
    const seen = new Set<number>();
    const stack = [...from];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const state = this.#states[s];
      if (state.kind === "split") stack.push(...state.out);
      else if (state.kind === "nodot") {
        if (text[at] !== ".") stack.push(state.out);
      } else if (state.kind === "neg") {
        // Every end, up to the segment's, where the text taken is not one of the group's.
        let end = text.indexOf("/", at);
        if (end < 0) end = text.length;
        for (const [k, miss] of state.inner(text, at, end).entries()) {
          if (!miss) continue;
          if (k === 0) stack.push(state.out);
          else {
            const set = pending.get(at + k) ?? new Set<number>();
            set.add(state.out);
            pending.set(at + k, set);
          }
        }
      }
    }
    return seen;
  }
}
