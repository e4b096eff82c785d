/**
 * The schema shape the kernel relies on. zod v4 schemas satisfy it as they
 * are; naming it here keeps zod's large type surface out of weir's public
 * API (and out of `deno doc`), while tasks still write plain zod.
 *
 * @module
 */

/** One problem a schema found. */
export interface SchemaIssue {
  /** Where: property names and array indexes from the root. */
  readonly path: readonly PropertyKey[];
  /** What was expected and what was found. */
  readonly message: string;
}

/** The result of {@linkcode Schema.safeParse}. */
export type SafeParseResult<Out> =
  | { readonly success: true; readonly data: Out }
  | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };

/**
 * A schema with an input and an output type, as zod v4 defines them.
 *
 * @typeParam Out What parsing returns (defaults applied).
 * @typeParam In What parsing accepts.
 *
 * @example A zod schema is a Schema
 * ```ts
 * import { z } from "zod";
 * import type { Schema, SchemaOutput } from "./schema.ts";
 * import assert from "node:assert/strict";
 * const limit = z.object({ limit: z.number().default(10) });
 * const schema: Schema = limit;
 * const parsed = schema.safeParse({});
 * const value: SchemaOutput<typeof limit> = { limit: 1 };
 * assert.equal(parsed.success, true);
 * assert.equal(value.limit, 1);
 * ```
 */
export interface Schema<Out = unknown, In = unknown> {
  /** zod's type carrier; only its types are read. */
  readonly _zod: { readonly output: Out; readonly input: In };
  /** Validates without throwing. */
  safeParse(data: unknown): SafeParseResult<Out>;
}

/** What a schema's parse returns. */
export type SchemaOutput<S extends Schema> = S["_zod"]["output"];

/** What a schema's parse accepts. */
export type SchemaInput<S extends Schema> = S["_zod"]["input"];

/**
 * Issues with their paths written as dotted strings (`items.0.name`), as
 * error messages and `TaskInputError` name fields.
 *
 * @param issues What a schema found.
 * @returns The same issues, each path joined with dots.
 *
 * @example
 * ```ts
 * import { dottedIssues } from "./schema.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(dottedIssues([{ path: ["items", 0], message: "bad" }]), [
 *   { path: "items.0", message: "bad" },
 * ]);
 * ```
 */
export function dottedIssues(
  issues: readonly SchemaIssue[],
): { path: string; message: string }[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
