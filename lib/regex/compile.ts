/**
 * Checking an untrusted pattern before it runs: its flags and its syntax,
 * every problem in the project's error voice, so a caller can list all the
 * bad patterns of an input, not only the first.
 *
 * @module
 */

/** Whether this runtime knows the `v` (unicode sets) flag. */
const HAS_V_FLAG = (() => {
  try {
    new RegExp("", "v");
    return true;
  } catch {
    return false;
  }
})();

/** The flags {@linkcode compileChecked} accepts, in the order V8 prints them. */
const FLAGS = HAS_V_FLAG ? "dgimsuvy" : "dgimsuy";

/**
 * Compiles a pattern, or explains in the project's error voice why it cannot
 * be. Never runs it. Use it to validate every pattern up front and list all
 * the bad ones, not only the first.
 *
 * @param pattern The pattern's source, as `new RegExp()` takes it.
 * @param flags Any of `d g i m s u y` (and `v` where the runtime has it), each
 * once; none when left out.
 * @returns The compiled regular expression.
 * @throws {SyntaxError} When a flag is unknown or repeated, `u` and `v` are
 * combined, or the pattern's syntax is invalid; the message names the pattern
 * and the runtime's error is the `cause`.
 * @throws {TypeError} When `pattern` or `flags` is not a string.
 *
 * @example Collect every bad pattern
 * ```ts
 * import { compileChecked } from "./compile.ts";
 * import assert from "node:assert/strict";
 * const problems: string[] = [];
 * for (const [pattern, flags] of [["a+b", "i"], ["(a", ""], ["c", "x"]]) {
 *   try {
 *     compileChecked(pattern, flags);
 *   } catch (err) {
 *     if (!(err instanceof SyntaxError)) throw err;
 *     problems.push(err.message);
 *   }
 * }
 * assert.deepEqual(problems, [
 *   'Cannot compile pattern as its syntax is invalid (unterminated group): current value is "(a"',
 *   'Cannot compile pattern as flag "x" is not one of "dgimsuvy": current value is "c"',
 * ]);
 * ```
 */
export function compileChecked(pattern: string, flags = ""): RegExp {
  if (typeof pattern !== "string") {
    throw new TypeError(
      `Cannot compile pattern as it must be a string: current value is "${String(pattern)}"`,
    );
  }
  if (typeof flags !== "string") {
    throw new TypeError(
      `Cannot compile pattern as its flags must be a string: current value is "${pattern}"`,
    );
  }
  const fail = (reason: string, cause?: unknown) =>
    new SyntaxError(`Cannot compile pattern as ${reason}: current value is "${pattern}"`, {
      cause,
    });
  for (const [i, flag] of [...flags].entries()) {
    if (!FLAGS.includes(flag)) throw fail(`flag "${flag}" is not one of "${FLAGS}"`);
    if (flags.indexOf(flag) !== i) throw fail(`flag "${flag}" is repeated`);
  }
  if (flags.includes("u") && flags.includes("v")) {
    throw fail('flags "u" and "v" exclude each other');
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // V8: "Invalid regular expression: /(a/: Unterminated group"; keep the last part.
    const at = err.message.lastIndexOf(": ");
    const detail = (at === -1 ? err.message : err.message.slice(at + 2)) || err.message;
    throw fail(`its syntax is invalid (${detail[0].toLowerCase()}${detail.slice(1)})`, err);
  }
}
