/**
 * The per-table mapping of `canonical.transform`, from a JSON config: field
 * renames, types, the primary key, the ordering field (newest wins) and the
 * delete marker. A table's entry (`"tenant/service/table"` or `"table"`) is
 * merged over `defaults`.
 *
 * @module
 */
import { z } from "zod";
import { tableKey, type TableRef } from "./model.ts";

const fieldType = z.enum(["string", "integer", "number", "boolean", "timestamp"]);

const tableMapping = z.object({
  rename: z.record(z.string(), z.string()).optional().describe("source field -> canonical field"),
  types: z.record(z.string(), fieldType).optional().describe("canonical field -> type"),
  primary_key: z.array(z.string()).min(1).optional().describe("canonical fields of the key"),
  ordering: z.string().optional().describe("canonical field; the largest value is the newest"),
  delete: z.object({ field: z.string(), value: z.unknown() }).optional().describe(
    "a record whose field has this value deletes its key",
  ),
}).strict();

/** The mapping config file's shape. */
export const mappingConfig = z.object({
  defaults: tableMapping.optional(),
  tables: z.record(z.string(), tableMapping).optional(),
}).strict();

/** A mapping config as written. */
export type MappingConfig = z.output<typeof mappingConfig>;

/** One table's resolved mapping. */
export interface TableMapping {
  /** Source field -> canonical field. */
  rename: Record<string, string>;
  /** Canonical field -> type. */
  types: Record<string, z.output<typeof fieldType>>;
  /** The key's canonical fields. */
  primaryKey: string[];
  /** The ordering field. */
  ordering: string;
  /** The delete marker (matched on the canonical record). */
  delete: { field: string; value: unknown };
}

/** The mapping used when a config says nothing. */
export const DEFAULT_MAPPING: TableMapping = {
  rename: {},
  types: {},
  primaryKey: ["id"],
  ordering: "updated_at",
  delete: { field: "op", value: "delete" },
};

/**
 * Resolves a table's mapping from a config.
 *
 * @param config The parsed config (or `undefined` for the defaults).
 * @param t The table.
 * @returns The mapping.
 *
 * @example
 * ```ts
 * import { mappingFor } from "./mapping.ts";
 * import assert from "node:assert/strict";
 * const m = mappingFor({ tables: { users: { primary_key: ["user_id"] } } },
 *   { tenant: "t", service: "s", table: "users" });
 * assert.deepEqual(m.primaryKey, ["user_id"]);
 * assert.equal(m.ordering, "updated_at");
 * ```
 */
export function mappingFor(config: MappingConfig | undefined, t: TableRef): TableMapping {
  const own = config?.tables?.[tableKey(t)] ?? config?.tables?.[t.table] ?? {};
  const base = config?.defaults ?? {};
  return {
    rename: { ...base.rename, ...own.rename },
    types: { ...base.types, ...own.types },
    primaryKey: own.primary_key ?? base.primary_key ?? DEFAULT_MAPPING.primaryKey,
    ordering: own.ordering ?? base.ordering ?? DEFAULT_MAPPING.ordering,
    delete: (own.delete ?? base.delete ?? DEFAULT_MAPPING.delete) as TableMapping["delete"],
  };
}

/** A source record after mapping. */
export interface MappedRecord {
  /** The key, as a string (JSON of its value, or of the array of a composite key's values). */
  pk: string;
  /** The ordering value. */
  ord: number | string;
  /** Whether it deletes its key. */
  deleted: boolean;
  /** The canonical record. */
  record: Record<string, unknown>;
}

function convert(value: unknown, type: TableMapping["types"][string], field: string): unknown {
  if (value === null || value === undefined) return value;
  switch (type) {
    case "string":
      return String(value);
    case "integer":
    case "number": {
      const n = Number(value);
      if (!Number.isFinite(n) || (type === "integer" && !Number.isInteger(n))) {
        throw new TypeError(
          `field "${field}" is not ${type === "integer" ? "an integer" : "a number"}: ${
            JSON.stringify(value)
          }`,
        );
      }
      return n;
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === 1) return true;
      if (value === "false" || value === 0) return false;
      throw new TypeError(`field "${field}" is not a boolean: ${JSON.stringify(value)}`);
    case "timestamp": {
      const d = new Date(value as string | number);
      if (Number.isNaN(d.getTime())) {
        throw new TypeError(`field "${field}" is not a timestamp: ${JSON.stringify(value)}`);
      }
      return d.toISOString();
    }
  }
}

/**
 * A record's key, as the transform keeps it: a single numeric key field is
 * the number itself (no string is built per record); any other key is the
 * JSON of its one value, or of the array of its values. The two kinds never
 * collide, and {@linkcode keyText} gives every key's text form.
 */
export type RecordKey = number | string;

/**
 * The text form of a key: a number's decimal form (which is what its JSON
 * would be), a string key as it is.
 *
 * @param pk The key.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import { keyText } from "./mapping.ts";
 * import assert from "node:assert/strict";
 * assert.equal(keyText(42), "42");
 * assert.equal(keyText('"a"'), '"a"');
 * ```
 */
export function keyText(pk: RecordKey): string {
  return typeof pk === "number" ? String(pk) : pk;
}

/**
 * Maps source records one after another into its own fields, reused for
 * every record so that mapping allocates nothing of its own when the
 * mapping is the identity (the canonical record is then the source record).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAPPING, RecordReader } from "./mapping.ts";
 * import assert from "node:assert/strict";
 * const r = new RecordReader(DEFAULT_MAPPING);
 * r.read({ id: 7, updated_at: "2026-01-01T00:00:00.000Z", op: "delete" });
 * assert.equal(r.pk, 7);
 * assert.equal(r.deleted, true);
 * assert.throws(() => r.read({ updated_at: 1 }), TypeError);
 * ```
 */
export class RecordReader {
  /** The last record's key. */
  pk: RecordKey = 0;
  /** The last record's ordering value. */
  ord: number | string = 0;
  /** Whether the last record deletes its key. */
  deleted = false;
  /** The last canonical record. */
  record: Record<string, unknown> = {};
  /** Whether records are kept as they are (no renames, no types). */
  readonly identity: boolean;
  readonly #m: TableMapping;
  readonly #single: string | undefined;

  /**
   * Creates a reader for one table's mapping.
   *
   * @param m The mapping.
   */
  constructor(m: TableMapping) {
    this.#m = m;
    this.identity = isIdentity(m);
    this.#single = m.primaryKey.length === 1 ? m.primaryKey[0] : undefined;
  }

  /**
   * Maps one source record: renames, converts types, extracts key and ordering.
   *
   * @param source The source record.
   * @throws {TypeError} When a typed field cannot be converted, or the key or ordering field is missing.
   */
  read(source: Record<string, unknown>): void {
    const m = this.#m;
    const record = this.identity ? source : renamed(source, m);
    if (this.#single === undefined) this.pk = compositeKey(record, m.primaryKey);
    else {
      const v = record[this.#single];
      if (v === undefined || v === null) throw missingKey(m.primaryKey);
      this.pk = typeof v === "number" ? v : JSON.stringify(v);
    }
    const ord = record[m.ordering];
    if (typeof ord !== "number" && typeof ord !== "string") {
      throw new TypeError(`ordering field "${m.ordering}" is missing`);
    }
    this.ord = ord;
    this.deleted = record[m.delete.field] === m.delete.value;
    this.record = record;
  }
}

/** Renames and converts a record's fields into a new record. */
function renamed(source: Record<string, unknown>, m: TableMapping): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(source)) {
    const name = m.rename[field] ?? field;
    const type = m.types[name];
    record[name] = type ? convert(value, type, name) : value;
  }
  return record;
}

/**
 * Maps one source record: renames, converts types, extracts key and ordering.
 *
 * @param source The source record.
 * @param m The table's mapping.
 * @returns The mapped record.
 * @throws {TypeError} When a typed field cannot be converted, or the key or ordering field is missing.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAPPING, mapRecord } from "./mapping.ts";
 * import assert from "node:assert/strict";
 * const m = { ...DEFAULT_MAPPING, rename: { mail: "email" }, types: { age: "integer" as const } };
 * const r = mapRecord({ id: 1, mail: "a@b", age: "42", updated_at: 5, op: "upsert" }, m);
 * assert.deepEqual(r.record, { id: 1, email: "a@b", age: 42, updated_at: 5, op: "upsert" });
 * assert.equal(r.pk, "1");
 * assert.equal(r.deleted, false);
 * ```
 */
export function mapRecord(source: Record<string, unknown>, m: TableMapping): MappedRecord {
  const r = new RecordReader(m);
  r.read(source);
  return { pk: keyText(r.pk), ord: r.ord, deleted: r.deleted, record: r.record };
}

/** A composite key: the JSON of the array of its values. */
function compositeKey(record: Record<string, unknown>, fields: readonly string[]): string {
  const values = fields.map((f) => record[f]);
  if (values.some((v) => v === undefined || v === null)) throw missingKey(fields);
  return JSON.stringify(values);
}

function missingKey(fields: readonly string[]): TypeError {
  return new TypeError(`primary key ${JSON.stringify(fields)} is missing`);
}

const identities = new WeakMap<TableMapping, boolean>();

/**
 * Whether a mapping leaves records as they are (no renames, no types), so
 * that a record's source JSON is already its canonical JSON.
 *
 * @param m The mapping.
 * @returns `true` when it renames and converts nothing.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAPPING, isIdentity } from "./mapping.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isIdentity(DEFAULT_MAPPING), true);
 * assert.equal(isIdentity({ ...DEFAULT_MAPPING, rename: { a: "b" } }), false);
 * ```
 */
export function isIdentity(m: TableMapping): boolean {
  let known = identities.get(m);
  if (known === undefined) {
    known = Object.keys(m.rename).length === 0 && Object.keys(m.types).length === 0;
    identities.set(m, known);
  }
  return known;
}

/**
 * Compares ordering values as SQLite does: numbers before strings, then by value.
 *
 * @param a One value.
 * @param b The other.
 * @returns Negative, zero or positive.
 *
 * @example
 * ```ts
 * import { compareOrd } from "./mapping.ts";
 * import assert from "node:assert/strict";
 * assert.ok(compareOrd("2024-01-02", "2024-01-01") > 0);
 * assert.ok(compareOrd(5, "a") < 0);
 * ```
 */
export function compareOrd(a: number | string, b: number | string): number {
  if (typeof a !== typeof b) return typeof a === "number" ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
