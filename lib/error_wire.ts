/**
 * Errors across a message channel (a Worker's `postMessage`): structured
 * clone keeps only a plain Error, so the sender sends the name, message,
 * code and exit code, and the receiver builds an error of the same class
 * again from the classes it knows.
 *
 * @module
 */
import { WeirError } from "./errors.ts";

/** An error as it crosses from the Worker to the parent. */
export interface SerializedError {
  /** The class's name (`TaskInputError`, `NotCapable`, `TypeError`, ...). */
  name: string;
  /** The message, unchanged. */
  message: string;
  /** A weir error's stable code. */
  code?: string;
  /** A weir error's exit code. */
  exitCode?: number;
  /** The stack, for `-v`. */
  stack?: string;
  /** Any other own fields a weir error carries (`issues`, `flags`, ...). */
  fields?: Record<string, unknown>;
}

/** A class an error can be revived as. */
export type ErrorClass = { readonly prototype: Error };

const BUILT_IN: Record<string, ErrorClass> = {
  WeirError,
  TypeError,
  RangeError,
  SyntaxError,
  ...Deno.errors,
};

/**
 * Turns an error into what crosses the channel.
 *
 * @param err Anything thrown.
 * @returns Its serializable parts.
 *
 * @example
 * ```ts
 * import { serializeError } from "./error_wire.ts";
 * import { UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const s = serializeError(new UsageError("Cannot go"));
 * assert.deepEqual([s.name, s.message, s.exitCode], ["UsageError", "Cannot go", 2]);
 * ```
 */
export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const out: SerializedError = { name: err.name, message: err.message, stack: err.stack };
  if (err instanceof WeirError) {
    out.code = err.code;
    out.exitCode = err.exitCode;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(err)) {
      if (!["code", "exitCode", "name", "message", "stack", "cause"].includes(k)) fields[k] = v;
    }
    if (Object.keys(fields).length) out.fields = structuredClone(fields);
  }
  return out;
}

/**
 * Builds the error again on the receiver's side: of the same class when it
 * is one of `classes`, a built-in error or one of Deno's, else a
 * {@linkcode WeirError} (when it was one, keeping its code and exit code)
 * or an `Error`, named as the original.
 *
 * @param s The serialized error.
 * @param classes More classes to revive by name.
 * @returns The error.
 *
 * @example A missing permission stays a NotCapable; a weir error keeps its exit code
 * ```ts
 * import { reviveError } from "./error_wire.ts";
 * import { WeirError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.ok(reviveError({ name: "NotCapable", message: "Requires read access" })
 *   instanceof Deno.errors.NotCapable);
 * const custom = reviveError({ name: "SourceError", message: "bad", code: "source", exitCode: 2 });
 * assert.ok(custom instanceof WeirError);
 * assert.deepEqual([custom.name, (custom as WeirError).exitCode], ["SourceError", 2]);
 * ```
 */
export function reviveError(
  s: SerializedError,
  classes: Readonly<Record<string, ErrorClass>> = {},
): Error {
  if (typeof s?.name !== "string" || typeof s.message !== "string") {
    return new TypeError(
      `Cannot revive an error as it is malformed: current value is ${
        JSON.stringify(s)?.slice(0, 200)
      }`,
    );
  }
  const known = Object.hasOwn(classes, s.name)
    ? classes[s.name]
    : Object.hasOwn(BUILT_IN, s.name)
    ? BUILT_IN[s.name]
    : undefined;
  const proto = known?.prototype ??
    (s.exitCode !== undefined ? WeirError.prototype : Error.prototype);
  const err = Object.create(proto) as Error;
  Object.defineProperties(err, {
    message: { value: s.message, writable: true, configurable: true },
    name: { value: s.name, writable: true, configurable: true },
    stack: { value: s.stack ?? `${s.name}: ${s.message}`, writable: true, configurable: true },
  });
  if (s.code !== undefined) Object.assign(err, { code: s.code });
  if (s.exitCode !== undefined) Object.assign(err, { exitCode: s.exitCode });
  if (s.fields) Object.assign(err, s.fields);
  return err;
}
