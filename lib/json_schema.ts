/**
 * A {@linkcode Schema} made from a JSON Schema (draft 2020-12, checked by
 * Ajv): how the parent validates the input of a task whose zod schema lives
 * in a sandboxed plugin it never imports. Defaults are applied and, as a zod
 * object does, top-level keys the schema does not list are dropped.
 *
 * @module
 */
import Ajv from "ajv/dist/2020.js";
import type { Schema, SchemaIssue } from "./schema.ts";

/** A schema that also carries the JSON Schema it was made from. */
export interface JsonBackedSchema extends Schema {
  /** The JSON Schema, as given. */
  readonly jsonSchema: Record<string, unknown>;
}

/**
 * Makes a schema from a JSON Schema.
 *
 * @param json The JSON Schema.
 * @returns A schema whose `safeParse` applies defaults and lists every issue.
 * @throws {Error} When the JSON Schema itself is invalid.
 *
 * @example
 * ```ts
 * import { schemaFromJson } from "./json_schema.ts";
 * import assert from "node:assert/strict";
 * const s = schemaFromJson({
 *   type: "object",
 *   properties: { limit: { type: "number", default: 10 } },
 * });
 * assert.deepEqual(s.safeParse({ other: 1 }), { success: true, data: { limit: 10 } });
 * const bad = s.safeParse({ limit: "x" });
 * assert.equal(bad.success, false);
 * assert.deepEqual(!bad.success && bad.error.issues[0].path, ["limit"]);
 * ```
 */
export function schemaFromJson(json: Record<string, unknown>): JsonBackedSchema {
  const ajv = new Ajv.default({ strict: false, allErrors: true, useDefaults: true });
  const check = ajv.compile(json);
  const known = json.properties && json.additionalProperties === undefined
    ? Object.keys(json.properties)
    : undefined;
  return {
    jsonSchema: json,
    _zod: undefined as unknown as Schema["_zod"],
    safeParse(value: unknown) {
      const data = value === undefined ? undefined : structuredClone(value);
      if (!check(data)) {
        const issues: SchemaIssue[] = (check.errors ?? []).map((e) => ({
          path: [
            ...e.instancePath.split("/").slice(1).map((p) =>
              p.replace(/~1/g, "/").replace(/~0/g, "~")
            ),
            ...(typeof e.params.missingProperty === "string" ? [e.params.missingProperty] : []),
          ],
          message: e.message ?? "is invalid",
        }));
        return { success: false, error: { issues } };
      }
      if (known && data && typeof data === "object" && !Array.isArray(data)) {
        for (const key of Object.keys(data)) {
          if (!known.includes(key)) delete (data as Record<string, unknown>)[key];
        }
      }
      return { success: true, data };
    },
  };
}
