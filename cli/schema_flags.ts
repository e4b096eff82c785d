/**
 * CLI flags derived from a task's input schema: each top-level property is a
 * `--kebab-case` flag, converted by the type the JSON Schema gives it.
 * Nothing is declared twice: the schema is the only source.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";
import { flagPairs } from "./argv.ts";

/** The subset of JSON Schema the flags look at. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  /** Absent or `false` for a zod object that strips or rejects unknown keys. */
  additionalProperties?: boolean | JsonSchema;
}

/** One flag and the property it sets. */
export interface FlagSpec {
  /** `--instance-id`. */
  flag: string;
  /** `instanceId`. */
  key: string;
  /** The property's schema. */
  schema: JsonSchema;
  /** Whether the input requires it (no default). */
  required: boolean;
}

/**
 * `instanceId` or `instance_id` → `instance-id`.
 *
 * @param key A property name.
 * @returns The flag name without dashes.
 *
 * @example
 * ```ts
 * import { kebab } from "./schema_flags.ts";
 * import assert from "node:assert/strict";
 * assert.equal(kebab("instanceId"), "instance-id");
 * assert.equal(kebab("page_size"), "page-size");
 * ```
 */
export function kebab(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase();
}

/**
 * Lists the flags of an object schema.
 *
 * @param schema The input's JSON Schema.
 * @returns One spec per top-level property.
 *
 * @example
 * ```ts
 * import { flagSpecs } from "./schema_flags.ts";
 * import assert from "node:assert/strict";
 * const specs = flagSpecs({ type: "object", properties: { pageSize: { type: "integer" } } });
 * assert.equal(specs[0].flag, "--page-size");
 * ```
 */
export function flagSpecs(schema: JsonSchema): FlagSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, prop]) => ({
    flag: `--${kebab(key)}`,
    key,
    schema: prop,
    required: required.has(key) && prop.default === undefined,
  }));
}

function typeOf(schema: JsonSchema): string | undefined {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  if (t) return t;
  const types = new Set(schema.anyOf?.map(typeOf).filter((x) => x !== "null"));
  return types.size === 1 ? [...types][0] : undefined;
}

function convert(spec: FlagSpec, raw: string | undefined, itemSchema?: JsonSchema): unknown {
  const schema = itemSchema ?? spec.schema;
  const type = typeOf(schema);
  if (type === "boolean") {
    if (raw === undefined || raw === "true") return true;
    if (raw === "false") return false;
    throw new UsageError(
      `Cannot use ${spec.flag} as it expects true or false: current value is "${raw}"`,
    );
  }
  if (raw === undefined) {
    throw new UsageError(`Cannot use ${spec.flag} as it needs a value`);
  }
  if (type === "number" || type === "integer") {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) {
      throw new UsageError(
        `Cannot use ${spec.flag} as it expects a number: current value is "${raw}"`,
      );
    }
    return n;
  }
  if (type === "object" || (type === "array" && !itemSchema && raw.trim().startsWith("["))) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new UsageError(
        `Cannot use ${spec.flag} as it expects JSON: current value is "${raw}"`,
      );
    }
  }
  return raw;
}

/**
 * Turns flags into an input object for the schema.
 *
 * Booleans: `--full`, `--full=false`, `--no-full`. Arrays: repeat the flag
 * or give a JSON array. Objects: a JSON value.
 *
 * @param flags The flags after the task id.
 * @param schema The input's JSON Schema.
 * @returns The input object.
 * @throws {UsageError} For an unknown flag or a value of the wrong type, naming both.
 *
 * @example
 * ```ts
 * import { parseSchemaFlags } from "./schema_flags.ts";
 * import assert from "node:assert/strict";
 * const input = parseSchemaFlags(["--limit", "3", "--no-full"], {
 *   type: "object",
 *   properties: { limit: { type: "integer" }, full: { type: "boolean" } },
 * });
 * assert.deepEqual(input, { limit: 3, full: false });
 * ```
 */
export function parseSchemaFlags(
  flags: readonly string[],
  schema: JsonSchema,
): Record<string, unknown> {
  const specs = new Map(flagSpecs(schema).map((s) => [s.flag, s]));
  const out: Record<string, unknown> = {};
  for (const [flag, raw] of flagPairs(flags)) {
    const negated = flag.startsWith("--no-") ? specs.get(`--${flag.slice(5)}`) : undefined;
    if (negated && typeOf(negated.schema) === "boolean" && raw === undefined) {
      out[negated.key] = false;
      continue;
    }
    const spec = specs.get(flag);
    if (!spec) {
      const known = [...specs.keys()].join(", ") || "none";
      throw new UsageError(`Cannot use unknown flag ${flag}: known flags are ${known}`);
    }
    if (typeOf(spec.schema) === "array" && !(raw ?? "").trim().startsWith("[")) {
      const list = (out[spec.key] as unknown[] | undefined) ?? [];
      list.push(convert(spec, raw, spec.schema.items ?? {}));
      out[spec.key] = list;
    } else out[spec.key] = convert(spec, raw);
  }
  return out;
}
