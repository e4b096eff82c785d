/**
 * Problems found in the inputs: errors and warnings, each naming the file
 * and the JSON path, collected all together, and the errors that end a run.
 *
 * @module
 */
import { ExitCode, WeirError } from "../../lib/errors.ts";

/** One problem: where it is and what it is. */
export interface Issue {
  /** The file (its name for a contract, its path for the document or questionnaire). */
  file: string;
  /** The JSON path inside it (`$` for the file as a whole). */
  path: string;
  /** What is wrong, in a sentence. */
  message: string;
}

/**
 * Writes an issue on one line: `Q007.v3.json $.identity.question_id: ...`.
 *
 * @param issue The issue.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { formatIssue } from "./issues.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatIssue({ file: "Q001.v3.json", path: "$", message: "Bad" }), "Q001.v3.json $: Bad");
 * ```
 */
export function formatIssue(issue: Issue): string {
  return `${issue.file} ${issue.path}: ${issue.message}`;
}

/**
 * Orders issues by file, then path, then message, so reports are stable.
 *
 * @param issues The issues.
 * @returns A sorted copy.
 */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  const key = (i: Issue) => `${i.file}\u0000${i.path}\u0000${i.message}`;
  return [...issues].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The inputs do not validate (or, with `--strict`, carry warnings): every
 * problem found is listed, one per line, not only the first. Exit 2.
 *
 * @example
 * ```ts
 * import { ContractValidationError } from "./issues.ts";
 * import assert from "node:assert/strict";
 * const err = new ContractValidationError([{ file: "Q001.v3.json", path: "$", message: "Bad" }]);
 * assert.equal(err.exitCode, 2);
 * assert.equal(err.message, "Cannot use the contracts as 1 problem was found:\nQ001.v3.json $: Bad");
 * ```
 */
export class ContractValidationError extends WeirError {
  /** Every problem, in order. */
  readonly issues: Issue[];

  /**
   * Creates the error.
   *
   * @param issues Every problem found.
   */
  constructor(issues: Issue[]) {
    const n = issues.length;
    super(
      `Cannot use the contracts as ${n} problem${n === 1 ? " was" : "s were"} found:\n` +
        issues.map(formatIssue).join("\n"),
      "contracts_invalid",
      ExitCode.usage,
    );
    this.name = "ContractValidationError";
    this.issues = issues;
  }
}

/**
 * The JOIN table breaks an invariant: every broken one is listed, one per
 * line, before anything downstream runs. Exit 1.
 *
 * @example
 * ```ts
 * import { JoinInvariantError } from "./issues.ts";
 * import assert from "node:assert/strict";
 * const err = new JoinInvariantError(["Expected 300 bindings, got 299"]);
 * assert.equal(err.exitCode, 1);
 * assert.equal(err.message, "Cannot build the JOIN table as 1 invariant failed:\nExpected 300 bindings, got 299");
 * ```
 */
export class JoinInvariantError extends WeirError {
  /** Every broken invariant's message. */
  readonly errors: string[];

  /**
   * Creates the error.
   *
   * @param errors Every broken invariant's message.
   */
  constructor(errors: string[]) {
    const n = errors.length;
    super(
      `Cannot build the JOIN table as ${n} invariant${n === 1 ? "" : "s"} failed:\n` +
        errors.join("\n"),
      "join_invariant",
      ExitCode.failed,
    );
    this.name = "JoinInvariantError";
    this.errors = errors;
  }
}
