/**
 * {@linkcode OwlSyntaxError}: the OWL functional syntax reader's one error.
 *
 * @module
 */

/**
 * The functional syntax is malformed. `line` is 1-based, counted from the
 * `firstLine` given to {@linkcode parseFunctionalSyntax}.
 *
 * @example Read where and why
 * ```ts
 * import assert from "node:assert/strict";
 * import { OwlSyntaxError } from "./owl_error.ts";
 * const err = new OwlSyntaxError(4, '"SubClassOf" has no arguments');
 * assert.ok(err instanceof SyntaxError);
 * assert.equal(err.line, 4);
 * assert.equal(
 *   err.message,
 *   'Cannot parse OWL functional syntax as "SubClassOf" has no arguments at line 4',
 * );
 * ```
 */
export class OwlSyntaxError extends SyntaxError {
  /** 1-based line of the fault. */
  readonly line: number;
  /** What is wrong, as a clause (`the string literal is not terminated`). */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param line 1-based line of the fault.
   * @param reason What is wrong, as a clause.
   * @param options The standard error options (`cause`).
   */
  constructor(line: number, reason: string, options?: ErrorOptions) {
    super(`Cannot parse OWL functional syntax as ${reason} at line ${line}`, options);
    this.name = "OwlSyntaxError";
    this.line = line;
    this.reason = reason;
  }
}
