/**
 * Turns one record's XML into the rows of the contract's target tables.
 * XML is parsed by fast-xml-parser (namespace prefixes removed, every element
 * kept as a list so repeated elements and single ones read the same); each
 * value is checked against its column's type as the row is built, and the
 * first value that does not fit fails the record with its element path.
 *
 * @module
 */
import { XMLParser } from "fast-xml-parser";
import type { ColumnType, MappingContract, TargetColumn } from "./contract.ts";

/** A value of a target column. */
export type CellValue = string | number | boolean | null;

/** One target row: `app_id` first, then the contract's columns. */
export type Row = Record<string, CellValue>;

/** The rows of one record, by target table. */
export type MappedRecord = Map<string, Row[]>;

/** A record that cannot be converted: malformed XML, or a value that does not fit. */
export class MappingError extends Error {
  /** The element path where it failed (`/application[1]/fee[1]/@amount`), or `(xml)`. */
  readonly path: string;
  /** Why, without the path. */
  readonly reason: string;
  /**
   * Creates the error.
   *
   * @param path The element path.
   * @param reason Why.
   */
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "MappingError";
    this.path = path;
    this.reason = reason;
  }
}

type Node = string | { [key: string]: Node[] | string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  textNodeName: "#text",
  trimValues: true,
  processEntities: true,
  isArray: (_name, _jpath, _leaf, isAttribute) => !isAttribute,
});

/**
 * Parses XML into fast-xml-parser's object tree (validating it first).
 *
 * @param xml The XML text.
 * @returns The document node.
 * @throws {MappingError} With path `(xml)` when the XML is malformed.
 */
function parseXml(xml: string): Node {
  try {
    return parser.parse(xml, true) as Node;
  } catch (err) {
    throw new MappingError(
      "(xml)",
      `malformed XML: ${(err as Error).message.replace(/\s+/g, " ")}`,
    );
  }
}

interface Located {
  node: Node;
  path: string;
}

function children(at: Located, name: string): Located[] {
  if (typeof at.node === "string") return [];
  const list = at.node[name];
  if (!Array.isArray(list)) return [];
  return list.map((node, i) => ({ node, path: `${at.path}/${name}[${i + 1}]` }));
}

function walk(from: Located[], steps: string[]): Located[] {
  let here = from;
  for (const step of steps) here = here.flatMap((at) => children(at, step));
  return here;
}

function textOf(node: Node): string {
  if (typeof node === "string") return node;
  const text = node["#text"];
  return typeof text === "string" ? text : "";
}

/** Reads one column's raw text for a row: `undefined` when absent. */
function rawValue(root: Located, row: Located, position: number, path: string): {
  text: string | undefined;
  at: string;
} {
  if (path === "$position") return { text: String(position), at: `${row.path}/$position` };
  if (path === ".") return { text: textOf(row.node), at: row.path };
  const absolute = path.startsWith("/");
  const parts = (absolute ? path.slice(1) : path).split("/");
  const last = parts[parts.length - 1];
  const attribute = last.startsWith("@") ? last : undefined;
  const steps = attribute ? parts.slice(0, -1) : parts;
  const found = walk([absolute ? root : row], steps);
  const base = absolute ? root.path : row.path;
  const at = `${base}/${parts.join("/")}`;
  if (found.length > 1) {
    throw new MappingError(at, `expected at most one value, found ${found.length}`);
  }
  if (found.length === 0) return { text: undefined, at };
  const node = found[0].node;
  if (attribute) {
    const value = typeof node === "string" ? undefined : node[attribute];
    return {
      text: typeof value === "string" ? value : undefined,
      at: `${found[0].path}/${attribute}`,
    };
  }
  return { text: textOf(node), at: found[0].path };
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Converts a value's text to its column type.
 *
 * @param text The text (trimmed by the parser).
 * @param type The column type.
 * @param at The element path, for the error.
 * @returns The typed value.
 * @throws {MappingError} When the text is not of the type.
 *
 * @example
 * ```ts
 * import { typed } from "./mapper.ts";
 * import assert from "node:assert/strict";
 * assert.equal(typed("42", "integer", "/a/@n"), 42);
 * assert.throws(() => typed("4x", "integer", "/a/@n"), /\/a\/@n: expected an integer, found "4x"/);
 * ```
 */
export function typed(text: string, type: ColumnType, at: string): CellValue {
  const fail = (what: string): never => {
    throw new MappingError(at, `expected ${what}, found "${text.slice(0, 60)}"`);
  };
  switch (type) {
    case "string":
      return text;
    case "integer": {
      const n = Number(text);
      return INTEGER.test(text) && Number.isSafeInteger(n) ? n : fail("an integer");
    }
    case "number": {
      const n = Number(text);
      return NUMBER.test(text) && Number.isFinite(n) ? n : fail("a number");
    }
    case "boolean":
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      return fail("a boolean (true, false, 1 or 0)");
    case "date": {
      const m = DATE.exec(text);
      const d = m ? new Date(`${text}T00:00:00Z`) : undefined;
      return d && !Number.isNaN(d.getTime()) && d.toISOString().startsWith(text)
        ? text
        : fail("a date (YYYY-MM-DD)");
    }
  }
}

function cell(root: Located, row: Located, position: number, column: TargetColumn): CellValue {
  const { text, at } = rawValue(root, row, position, column.path);
  const empty = text === undefined || (text === "" && column.type !== "string");
  if (empty) {
    if (column.required) {
      throw new MappingError(at, `required ${column.type} "${column.name}" is missing`);
    }
    return null;
  }
  return typed(text, column.type, at);
}

/**
 * Parses a record's XML and builds the rows of every target table.
 *
 * @param contract The mapping contract.
 * @param appId The record's id, the first column of every row.
 * @param xml The record's XML.
 * @returns The rows by table name (tables without rows have an empty list).
 * @throws {MappingError} For malformed XML, a value of the wrong type, a missing
 * required value or a repeated key, naming the element path.
 *
 * @example A record becomes one application row and two applicant rows
 * ```ts
 * import { mapRecord } from "./mapper.ts";
 * import { parseContract } from "./contract.ts";
 * import assert from "node:assert/strict";
 * const contract = parseContract({
 *   version: 1, schema: "apps",
 *   tables: [
 *     { name: "applications", rows: "application", columns: [{ name: "title", path: "title", type: "string", required: true }] },
 *     { name: "applicants", rows: "application/applicant", key: ["pos"], columns: [
 *       { name: "pos", path: "$position", type: "integer" },
 *       { name: "age", path: "@age", type: "integer" },
 *     ] },
 *   ],
 * }, "inline");
 * const xml = '<application><title>Mill</title><applicant age="40"/><applicant/></application>';
 * const rows = mapRecord(contract, 7, xml);
 * assert.deepEqual(rows.get("applications"), [{ app_id: 7, title: "Mill" }]);
 * assert.deepEqual(rows.get("applicants"), [{ app_id: 7, pos: 1, age: 40 }, { app_id: 7, pos: 2, age: null }]);
 * ```
 */
export function mapRecord(contract: MappingContract, appId: number, xml: string): MappedRecord {
  const root: Located = { node: parseXml(xml), path: "" };
  const out: MappedRecord = new Map();
  for (const table of contract.tables) {
    const rowsPath = table.rows.replace(/^\//, "").split("/");
    const located = walk([root], rowsPath);
    const rows: Row[] = [];
    const keys = new Set<string>();
    located.forEach((at, i) => {
      const row: Row = { app_id: appId };
      for (const column of table.columns) row[column.name] = cell(root, at, i + 1, column);
      if (table.key.length > 0) {
        const key = JSON.stringify(table.key.map((k) => row[k]));
        if (keys.has(key)) {
          throw new MappingError(
            at.path,
            `key (${table.key.join(", ")}) = ${key} repeats in table "${table.name}"`,
          );
        }
        keys.add(key);
      }
      rows.push(row);
    });
    out.set(table.name, rows);
  }
  return out;
}
