/**
 * JSON Schema from a task's zod schema, for flags, `--help` and `describe`.
 * Its own module, imported only where it is needed: generating it costs
 * start-up time a `weir run` without flags does not need to pay.
 *
 * @module
 */
import { z } from "zod";
import type { Schema } from "../lib/schema.ts";
import type { JsonSchema } from "./schema_flags.ts";

/**
 * The JSON Schema of a zod schema's input side.
 *
 * @param schema A zod schema.
 * @returns Its JSON Schema (draft 2020-12).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { inputJsonSchema } from "./json_schema.ts";
 * import assert from "node:assert/strict";
 * const s = inputJsonSchema(z.object({ limit: z.number().default(10) }));
 * assert.equal(s.properties?.limit.type, "number");
 * ```
 */
export function inputJsonSchema(schema: Schema): JsonSchema {
  // A sandboxed plugin's task: the parent holds its JSON Schema, never its zod schema.
  if ("jsonSchema" in schema) return schema.jsonSchema as JsonSchema;
  // Every Schema the kernel receives is a zod schema (see kernel/schema.ts).
  return z.toJSONSchema(schema as unknown as z.ZodType, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
}
