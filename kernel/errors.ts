/**
 * The kernel's own errors: a task's input failed validation, a permission
 * is missing, the configuration is invalid. Each maps to exit 2.
 *
 * @module
 */
import { ExitCode, WeirError } from "../lib/errors.ts";

/** One problem found in a task's input. */
export interface InputIssue {
  /** Dotted path of the field, empty for the whole input. */
  path: string;
  /** What was expected and what was found. */
  message: string;
}

/**
 * A task's input failed validation. Every issue is collected, not only the
 * first, so one run shows everything to fix.
 *
 * @example
 * ```ts
 * import { TaskInputError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new TaskInputError("demo.task", [{ path: "limit", message: "expected number" }]);
 * assert.match(err.message, /limit/);
 * ```
 */
export class TaskInputError extends WeirError {
  /** Each problem, with the field it concerns. */
  readonly issues: readonly InputIssue[];

  /**
   * Creates the error.
   *
   * @param taskId The task whose input was invalid.
   * @param issues Every problem found.
   * @param options The standard error options (`cause`).
   */
  constructor(taskId: string, issues: readonly InputIssue[], options?: ErrorOptions) {
    const list = issues.map((i) => i.path ? `"${i.path}": ${i.message}` : i.message).join("; ");
    super(
      `Cannot run "${taskId}" as its input is invalid: ${list}`,
      "invalid_input",
      ExitCode.usage,
      options,
    );
    this.name = "TaskInputError";
    this.issues = issues;
  }
}

/**
 * A permission the task needs was not granted. Raised before any work.
 *
 * @example
 * ```ts
 * import { PermissionMissingError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new PermissionMissingError("demo.task", ["--allow-read=/data"]);
 * assert.deepEqual(err.flags, ["--allow-read=/data"]);
 * ```
 */
export class PermissionMissingError extends WeirError {
  /** The exact flags that would grant what is missing. */
  readonly flags: readonly string[];

  /**
   * Creates the error.
   *
   * @param subject The task or pipeline that needs the permissions.
   * @param flags The exact flags that are missing.
   * @param options The standard error options (`cause`).
   */
  constructor(subject: string, flags: readonly string[], options?: ErrorOptions) {
    super(
      `Cannot run "${subject}" as a permission is missing: run again with ${flags.join(" ")}`,
      "permission_missing",
      ExitCode.usage,
      options,
    );
    this.name = "PermissionMissingError";
    this.flags = flags;
  }
}

/**
 * Configuration from flags or environment is invalid.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new ConfigError('Cannot use NEO4J_URI as it is not a URL: current value is "x"');
 * assert.equal(err.exitCode, 2);
 * ```
 */
export class ConfigError extends WeirError {
  /**
   * Creates the error.
   *
   * @param message Which setting is wrong and why.
   * @param options The standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "config", ExitCode.usage, options);
    this.name = "ConfigError";
  }
}
