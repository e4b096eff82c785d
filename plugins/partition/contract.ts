/**
 * The mapping contract: a JSON document, validated by zod, that says how a
 * source record's XML becomes rows of target tables. Every table and column
 * name is an SQL identifier checked against {@linkcode IDENTIFIER}, so a
 * contract cannot smuggle SQL into the statements built from it.
 *
 * @module
 */
import { z } from "zod";
import { UsageError } from "../../lib/errors.ts";

/**
 * What an SQL identifier in a contract may be: a letter or `_`, then letters,
 * digits or `_`, at most 63 characters (PostgreSQL's limit). Quotes,
 * semicolons, spaces, dots and dashes are all refused.
 */
export const IDENTIFIER: RegExp = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Names weir's own tables and columns use, refused for target tables and columns. */
const RESERVED_TABLES = new Set(["partition_log", "partition_sessions", "partition_leases"]);

const identifier = (what: string) =>
  z.string().superRefine((value, ctx) => {
    if (!IDENTIFIER.test(value)) {
      ctx.addIssue({
        code: "custom",
        message:
          `Cannot use ${what} "${value}" as it must be an SQL identifier (a letter or _, then letters, digits or _, at most 63)`,
      });
    }
  });

/** An element path: names separated by `/`, attributes as `@name`, `.` for the element itself. */
const elementPath = z.string().min(1).regex(
  /^(\/?[A-Za-z_][\w.-]*(\/[A-Za-z_][\w.-]*)*(\/@[A-Za-z_][\w.-]*)?|@[A-Za-z_][\w.-]*|\.|\$position)$/,
  "must be an element path like a/b, a/@attr, @attr, . or $position",
);

/** The value types a column can have; each is checked as rows are built. */
export const COLUMN_TYPES = ["string", "integer", "number", "boolean", "date"] as const;

/** The type of a column value. */
export type ColumnType = typeof COLUMN_TYPES[number];

const column = z.object({
  name: identifier("column name"),
  path: elementPath.describe(
    "relative to the row element; /a/b from the record's root; $position = the row's 1-based index",
  ),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().default(false),
}).strict();

const table = z.object({
  name: identifier("table name").refine((n) => !RESERVED_TABLES.has(n.toLowerCase()), {
    message: "is one of weir's own tables",
  }),
  rows: elementPath.describe("the element path, from the record's root, that yields one row each"),
  key: z.array(identifier("key column")).default([]),
  columns: z.array(column).min(1),
}).strict().superRefine((t, ctx) => {
  const names = new Set<string>();
  for (const c of t.columns) {
    const lower = c.name.toLowerCase();
    if (lower === "app_id") {
      ctx.addIssue({
        code: "custom",
        message: `Cannot use column "app_id" in table "${t.name}" as weir adds it`,
      });
    }
    if (names.has(lower)) {
      ctx.addIssue({
        code: "custom",
        message: `Cannot use column "${c.name}" twice in table "${t.name}"`,
      });
    }
    names.add(lower);
  }
  for (const k of t.key) {
    if (!names.has(k.toLowerCase())) {
      ctx.addIssue({
        code: "custom",
        message: `Cannot use key "${k}" in table "${t.name}" as it is not one of its columns`,
      });
    }
  }
});

/** The zod schema of a mapping contract. */
export const mappingContract = z.object({
  version: z.literal(1),
  schema: identifier("schema name").describe(
    "PostgreSQL schema of every table (ignored on SQLite)",
  ),
  source: z.object({
    table: identifier("source table").default("source_records"),
    id: identifier("source id column").default("app_id"),
    xml: identifier("source xml column").default("xml"),
  }).strict().default({ table: "source_records", id: "app_id", xml: "xml" }),
  tables: z.array(table).min(1),
}).strict().superRefine((c, ctx) => {
  const seen = new Set<string>();
  for (const t of c.tables) {
    const lower = t.name.toLowerCase();
    if (seen.has(lower) || lower === c.source.table.toLowerCase()) {
      ctx.addIssue({ code: "custom", message: `Cannot use table "${t.name}" twice` });
    }
    seen.add(lower);
  }
});

/** A validated mapping contract. */
export type MappingContract = z.output<typeof mappingContract>;

/** One target table of a contract. */
export type TargetTable = MappingContract["tables"][number];

/** One column of a target table. */
export type TargetColumn = TargetTable["columns"][number];

/** A contract that failed validation (exit 2): every problem, each naming where. */
export class ContractError extends UsageError {
  /** The problems, as `path: message`. */
  readonly problems: string[];
  /**
   * Creates the error.
   *
   * @param source Where the contract came from (a file name).
   * @param problems The problems.
   */
  constructor(source: string, problems: string[]) {
    super(`Cannot use mapping contract "${source}" as it is invalid: ${problems.join("; ")}`);
    this.name = "ContractError";
    this.problems = problems;
  }
}

/**
 * Validates a parsed contract.
 *
 * @param value The parsed JSON.
 * @param source Where it came from, for the message.
 * @returns The contract with defaults filled in.
 * @throws {ContractError} Listing every problem with its JSON path.
 *
 * @example A table name carrying SQL is refused
 * ```ts
 * import { parseContract } from "./contract.ts";
 * import assert from "node:assert/strict";
 * const contract = {
 *   version: 1, schema: "apps",
 *   tables: [{ name: "x; DROP TABLE y", rows: "app", columns: [{ name: "id", path: "@id", type: "integer" }] }],
 * };
 * assert.throws(() => parseContract(contract, "m.json"), /tables\.0\.name: Cannot use table name "x; DROP TABLE y"/);
 * ```
 */
export function parseContract(value: unknown, source: string): MappingContract {
  const parsed = mappingContract.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ContractError(
    source,
    parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
  );
}

/**
 * Reads and validates a contract file.
 *
 * @param path The JSON file.
 * @returns The contract.
 * @throws {ContractError} When the file is not JSON or not a valid contract.
 *
 * @example
 * ```ts
 * import { readContract } from "./contract.ts";
 * import assert from "node:assert/strict";
 * const contract = await readContract("fixtures/partition/mapping.json");
 * assert.equal(contract.source.table, "source_records");
 * ```
 */
export async function readContract(path: string): Promise<MappingContract> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new ContractError(path, [`cannot be read: ${(err as Error).message}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ContractError(path, [`not JSON: ${(err as Error).message}`]);
  }
  return parseContract(value, path);
}

/**
 * Quotes an identifier that {@linkcode IDENTIFIER} accepted, for SQL text.
 *
 * @param name The identifier.
 * @returns It in double quotes.
 * @throws {TypeError} When it is not a valid identifier (defence in depth).
 *
 * @example
 * ```ts
 * import { quoteIdent } from "./contract.ts";
 * import assert from "node:assert/strict";
 * assert.equal(quoteIdent("applicants"), '"applicants"');
 * assert.throws(() => quoteIdent('a"b'), TypeError);
 * ```
 */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new TypeError(`Cannot quote "${name}" as it is not an SQL identifier`);
  }
  return `"${name}"`;
}
