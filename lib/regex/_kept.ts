/**
 * What the regex Worker keeps between calls (private to lib/regex): the
 * texts and patterns of batch calls, each sent once and then named by an
 * id, so a call over texts and patterns the Worker already holds clones a
 * few numbers instead of strings and an object per pattern. The Worker's
 * side is in `serveRegex` (its store, filled from `keep`).
 *
 * @module
 */
import type { Request } from "./_worker.ts";

/** The most a Worker keeps between calls: texts and patterns, in UTF-16 code units. */
export const KEPT_UNITS = 64 * 1024 * 1024;

/**
 * The caller's record of what its Worker holds, and the rewriting of a
 * batch call into ids. {@linkcode KeptValues.forget} when the Worker ends:
 * a fresh Worker holds nothing, so the next call sends everything again.
 *
 * @example The second call over the same text sends only ids
 * ```ts
 * import { KeptValues } from "./_kept.ts";
 * import assert from "node:assert/strict";
 * const kept = new KeptValues();
 * const call = { id: 1, op: "batch" as const, source: "", flags: "", text: "", limit: 10,
 *   budgetMs: 50, texts: ["la meta"], patterns: [{ source: "meta", flags: "i", text: 0 }] };
 * assert.deepEqual(kept.wire(call).keep, [[0, "la meta"], [1, "1:imeta"]]);
 * const again = kept.wire(call);
 * assert.deepEqual([again.keep, again.textIds, [...again.pairs!]], [[], [0], [1, 0]]);
 * ```
 */
export class KeptValues {
  readonly #maxUnits: number;
  readonly #texts = new Map<string, number>();
  readonly #patterns = new Map<string, number>();
  #units = 0;
  #nextId = 0;

  /**
   * Creates an empty record.
   *
   * @param maxUnits The most text kept; past it the Worker's store is emptied first.
   */
  constructor(maxUnits = KEPT_UNITS) {
    this.#maxUnits = maxUnits;
  }

  /** How much the Worker holds (texts and patterns), in UTF-16 code units. */
  get units(): number {
    return this.#units;
  }

  /**
   * A batch call as it is sent: `texts` and `patterns` replaced by
   * `textIds` and `pairs` (`[pattern id, text index]` per pattern, a
   * pattern kept as `<flags length>:<flags><source>`, whatever characters
   * its flags hold), with `keep` the values the Worker does
   * not hold yet, and `reset` when it must empty its store first (its
   * texts would pass the limit). Other calls are sent as they are.
   *
   * @param request The call.
   * @returns The call to post.
   */
  wire(request: Request): Request {
    const { texts, patterns } = request;
    if (!texts || !patterns) return request;
    let units = 0;
    for (const text of texts) if (!this.#texts.has(text)) units += text.length;
    const reset = this.#units > 0 && this.#units + units > this.#maxUnits;
    if (reset) this.forget();
    const keep: [number, string][] = [];
    const idOf = (map: Map<string, number>, value: string, size: number): number => {
      let id = map.get(value);
      if (id === undefined) {
        map.set(value, id = this.#nextId++);
        this.#units += size;
        keep.push([id, value]);
      }
      return id;
    };
    const textIds = texts.map((text) => idOf(this.#texts, text, text.length));
    const pairs = new Int32Array(patterns.length * 2);
    for (let i = 0; i < patterns.length; i++) {
      const { source, flags, text } = patterns[i];
      const key = `${flags.length}:${flags}${source}`;
      pairs[2 * i] = idOf(this.#patterns, key, key.length);
      pairs[2 * i + 1] = text ?? -1;
    }
    return { ...request, texts: undefined, patterns: undefined, textIds, pairs, keep, reset };
  }

  /** Forgets everything: the Worker ended, or empties its store with the next call. */
  forget(): void {
    this.#texts.clear();
    this.#patterns.clear();
    this.#units = 0;
  }
}
