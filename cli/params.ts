/**
 * Builds a task's or pipeline's params from `--params-file`, `--params` and
 * schema flags, in that order of precedence (later wins).
 *
 * @module
 */
import { resolve } from "../lib/path.ts";
import { UsageError } from "../lib/errors.ts";
import { PermissionMissingError } from "../kernel/errors.ts";
import { flagPairs } from "./argv.ts";
import { type JsonSchema, parseSchemaFlags } from "./schema_flags.ts";

/**
 * Refuses keys the schema does not know, as unknown flags are refused: a
 * zod object would drop them silently, so a typo would go unnoticed. Objects
 * that accept any key (`z.looseObject`, `.catchall()`) are left alone.
 *
 * @param params The params as given.
 * @param schema Their JSON Schema.
 * @param what Where they came from (`--params`, `--params-file "f.json"`).
 * @throws {UsageError} Naming the first unknown key and the known ones.
 *
 * @example
 * ```ts
 * import { assertKnownKeys } from "./params.ts";
 * import assert from "node:assert/strict";
 * const schema = { type: "object", properties: { limit: { type: "integer" } } };
 * assertKnownKeys({ limit: 3 }, schema, "--params");
 * assert.throws(
 *   () => assertKnownKeys({ limt: 3 }, schema, "--params"),
 *   { message: 'Cannot use unknown key "limt" in --params: known keys are limit' },
 * );
 * ```
 */
export function assertKnownKeys(
  params: Record<string, unknown>,
  schema: JsonSchema,
  what: string,
): void {
  if (schema.type !== "object" || !schema.properties) return;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return;
  const known = Object.keys(schema.properties);
  const unknown = Object.keys(params).find((key) => !Object.hasOwn(schema.properties!, key));
  if (unknown !== undefined) {
    throw new UsageError(
      `Cannot use unknown key "${unknown}" in ${what}: known keys are ${
        known.join(", ") || "none"
      }`,
    );
  }
}

/**
 * The largest params a run takes, from `--params` or `--params-file`: a
 * task's input is settings, not data (a 300 MB string crashed V8).
 */
export const MAX_PARAMS_BYTES = 16 * 1024 * 1024;

function tooLarge(what: string, size: number): UsageError {
  return new UsageError(
    `Cannot read ${what} as it is larger than ${MAX_PARAMS_BYTES} bytes: current size is ${size} bytes`,
  );
}

/** Reads a file as UTF-8, refusing it past the cap (a size from `stat` is not trusted: `/dev/zero`). */
function readBounded(path: string, what: string): string {
  using file = Deno.openSync(path);
  const { size } = file.statSync();
  if (size > MAX_PARAMS_BYTES) throw tooLarge(what, size);
  const buffer = new Uint8Array(MAX_PARAMS_BYTES + 1);
  let used = 0;
  for (;;) {
    const n = file.readSync(buffer.subarray(used));
    if (n === null) break;
    used += n;
    if (used > MAX_PARAMS_BYTES) throw tooLarge(what, used);
  }
  return new TextDecoder().decode(buffer.subarray(0, used));
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `Cannot read ${what} as it is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`Cannot use ${what} as it must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Builds params from the command's flags.
 *
 * @param flags The flags after the task id or pipeline name.
 * @param schema The params' JSON Schema.
 * @param reserved Flags the command handles itself (e.g. `--resume`), skipped here.
 * @returns The params, and the values of reserved flags.
 * @throws {UsageError} For bad JSON, an unreadable file, an unknown flag or
 * key, or a wrong type.
 * @throws {PermissionMissingError} When `--params-file` may not be read.
 *
 * @example
 * ```ts
 * import { buildParams } from "./params.ts";
 * import assert from "node:assert/strict";
 * const { params } = buildParams(["--params", '{"a":1}', "--b", "x"], {
 *   type: "object", properties: { a: { type: "number" }, b: { type: "string" } },
 * });
 * assert.deepEqual(params, { a: 1, b: "x" });
 * ```
 */
export function buildParams(
  flags: readonly string[],
  schema: JsonSchema,
  reserved: readonly string[] = [],
): { params: Record<string, unknown>; reserved: Record<string, string | undefined> } {
  let fromFile: Record<string, unknown> = {};
  let fromJson: Record<string, unknown> = {};
  const rest: string[] = [];
  const taken: Record<string, string | undefined> = {};
  for (const [flag, value] of flagPairs(flags)) {
    if (flag === "--params-file") {
      if (!value) throw new UsageError("Cannot use --params-file as it needs a file path");
      const path = resolve(value);
      if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
        throw new PermissionMissingError("--params-file", [`--allow-read=${path}`]);
      }
      let text: string;
      try {
        text = readBounded(path, `--params-file "${value}"`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`Cannot read --params-file "${value}": ${(err as Error).message}`);
      }
      fromFile = parseJsonObject(text, `--params-file "${value}"`);
      assertKnownKeys(fromFile, schema, `--params-file "${value}"`);
    } else if (flag === "--params") {
      if (value === undefined) throw new UsageError("Cannot use --params as it needs a JSON value");
      if (value.length > MAX_PARAMS_BYTES) throw tooLarge("--params", value.length);
      fromJson = parseJsonObject(value, "--params");
      assertKnownKeys(fromJson, schema, "--params");
    } else if (reserved.includes(flag)) taken[flag] = value;
    else rest.push(value === undefined ? flag : `${flag}=${value}`);
  }
  return {
    params: { ...fromFile, ...fromJson, ...parseSchemaFlags(rest, schema) },
    reserved: taken,
  };
}
