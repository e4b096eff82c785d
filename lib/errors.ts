/**
 * The error base: every catchable weir error carries a stable code and the
 * CLI exit code it maps to (DESIGN.md section 3). Anything else that escapes
 * a task is a failure (exit 1).
 *
 * @module
 */

/** Exit codes of the CLI contract. */
export const ExitCode = {
  /** The run succeeded. */
  ok: 0,
  /** The run failed. */
  failed: 1,
  /** Invalid input, usage or a missing permission. */
  usage: 2,
  /** Some items failed and are listed; the rest succeeded. */
  partial: 3,
  /** Interrupted by a signal; state is consistent and resumable. */
  interrupted: 130,
} as const;

/** One of the CLI's exit codes. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/**
 * Base class of weir's catchable errors: a stable `code` for scripts and the
 * exit code the CLI uses when the error ends a run.
 *
 * @example Catch any weir error and read its exit code
 * ```ts
 * import { UsageError, WeirError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * try {
 *   throw new UsageError("Cannot run as no task id was given");
 * } catch (err) {
 *   assert.ok(err instanceof WeirError);
 *   assert.equal(err.exitCode, 2);
 * }
 * ```
 */
export class WeirError extends Error {
  /** A stable, machine-readable error code. */
  readonly code: string;
  /** The exit code the CLI uses when this error ends a run. */
  readonly exitCode: ExitCode;
  /**
   * What the task found before it failed, in the shape of its output (a
   * check's findings): the kernel gives it as the failed run's output, so
   * scripts read it from the envelope's `output` as they read a success.
   */
  declare readonly output?: unknown;

  /**
   * Creates the error.
   *
   * @param message What went wrong, in the project's error voice.
   * @param code A stable, machine-readable error code.
   * @param exitCode The exit code the CLI uses for it.
   * @param options The standard error options (`cause`), and the run's `output`.
   */
  constructor(
    message: string,
    code: string,
    exitCode: ExitCode,
    options?: ErrorOptions & { output?: unknown },
  ) {
    super(message, options);
    this.name = "WeirError";
    this.code = code;
    this.exitCode = exitCode;
    if (options?.output !== undefined) this.output = options.output;
  }
}

/**
 * The command line was wrong: unknown command, task or flag, bad JSON.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const err = new UsageError('Cannot find task "nope.nothing"');
 * assert.equal(err.exitCode, 2);
 * assert.equal(err.code, "usage");
 * ```
 */
export class UsageError extends WeirError {
  /**
   * Creates the error.
   *
   * @param message What was wrong with the command line.
   * @param options The standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, "usage", ExitCode.usage, options);
    this.name = "UsageError";
  }
}

/**
 * The run was interrupted by SIGINT/SIGTERM after its last unit of work was
 * committed; it can be resumed.
 *
 * @example
 * ```ts
 * import { InterruptedError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new InterruptedError().exitCode, 130);
 * ```
 */
export class InterruptedError extends WeirError {
  /**
   * Creates the error.
   *
   * @param message What was interrupted.
   * @param options The standard error options (`cause`).
   */
  constructor(message = "Interrupted; the run can be resumed", options?: ErrorOptions) {
    super(message, "interrupted", ExitCode.interrupted, options);
    this.name = "InterruptedError";
  }
}

/**
 * Returns the exit code an error maps to: a {@linkcode WeirError}'s own
 * code, 130 for an abort, 1 otherwise.
 *
 * @param err Anything thrown.
 * @returns The CLI exit code.
 *
 * @example
 * ```ts
 * import { exitCodeOf, UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(exitCodeOf(new UsageError("x")), 2);
 * assert.equal(exitCodeOf(new Error("boom")), 1);
 * ```
 */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof WeirError) return err.exitCode;
  if (err instanceof DOMException && err.name === "AbortError") return ExitCode.interrupted;
  return ExitCode.failed;
}

/**
 * The message of anything thrown.
 *
 * @param err What was thrown.
 * @returns Its message.
 *
 * @example
 * ```ts
 * import { messageOf } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(messageOf(new Error("boom")), "boom");
 * assert.equal(messageOf("plain"), "plain");
 * ```
 */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
