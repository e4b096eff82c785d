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

/** Where the home directory's path came from. */
export type HomeOrigin = "--home" | "WEIR_HOME" | "default";

/**
 * The home directory cannot be used: it is a file, a parent of it is a
 * file, or it cannot be created or written. The message names where the
 * path came from (`--home`, `WEIR_HOME`) when that is known.
 *
 * @example
 * ```ts
 * import { HomeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new HomeError("/tmp/f", "it is a file, not a directory", "WEIR_HOME");
 * assert.equal(err.exitCode, 2);
 * assert.equal(
 *   err.message,
 *   'Cannot use WEIR_HOME as it is a file, not a directory: current value is "/tmp/f"',
 * );
 * assert.match(err.from("--home").message, /^Cannot use --home as/);
 * ```
 */
export class HomeError extends ConfigError {
  /** The home directory, resolved. */
  readonly path: string;
  /** Why it cannot be used. */
  readonly reason: string;
  /** Where the path came from, when known. */
  readonly origin?: HomeOrigin;

  /**
   * Creates the error.
   *
   * @param path The home directory.
   * @param reason Why it cannot be used ("it is a file, not a directory").
   * @param origin Where the path came from, when known.
   * @param options The standard error options (`cause`).
   */
  constructor(path: string, reason: string, origin?: HomeOrigin, options?: ErrorOptions) {
    const what = origin === undefined || origin === "default" ? "the home directory" : origin;
    super(`Cannot use ${what} as ${reason}: current value is "${path}"`, options);
    this.name = "HomeError";
    this.path = path;
    this.reason = reason;
    this.origin = origin;
  }

  /**
   * The same error, naming where the path came from.
   *
   * @param origin `--home`, `WEIR_HOME` or the default.
   * @returns A new error with the same path, reason and cause.
   */
  from(origin: HomeOrigin): HomeError {
    return new HomeError(this.path, this.reason, origin, { cause: this.cause });
  }
}
