/**
 * {@linkcode SourceError}: the one error a source throws when it cannot be
 * opened as given, shared by every adapter.
 *
 * @module
 */
import { ExitCode } from "../../../lib/errors.ts";
import { PermanentError } from "../../../lib/async/retry.ts";

/**
 * A source cannot be opened as given: the directory or repository does not
 * exist, the ref names no commit, the token is missing or refused. It is a
 * {@linkcode PermanentError} (another attempt cannot cure it) whose exit
 * code is 2, as for any invalid input.
 *
 * @example Catch a bad source and read what it was
 * ```ts
 * import assert from "node:assert/strict";
 * import { SourceError } from "./mod.ts";
 * const open = () => {
 *   throw new SourceError("git:/srv/graph@main", 'Cannot open the git source as the ref does not name a commit: current value is "main"');
 * };
 * assert.throws(open, { name: "SourceError", code: "invalid_source", exitCode: 2, source: "git:/srv/graph@main" });
 * ```
 */
export class SourceError extends PermanentError {
  /** `"invalid_source"`. */
  override readonly code: string = "invalid_source";
  /** 2: the source given is invalid input. */
  override readonly exitCode: ExitCode = ExitCode.usage;
  /** The source's location (secrets removed), as in {@linkcode PageSource.location}. */
  readonly source: string;

  /**
   * Creates the error.
   *
   * @param source The source's location, without secrets.
   * @param message What failed, in the project's error voice.
   * @param options The standard error options (`cause`).
   */
  constructor(source: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SourceError";
    this.source = source;
  }
}
