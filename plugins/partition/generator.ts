/**
 * A seeded generator of XML source records like the ones the partition
 * plugin converts: patent-style applications with namespaces (`app:`,
 * `addr:`), attributes, optional elements and nested repeated elements
 * (applicants, claims, fees), 1 to 20 KB each, a share of them malformed
 * (broken XML, a value of the wrong type, a missing required element). The
 * same seed gives the same records; `fixtures/partition/mapping.json` maps them.
 *
 * @module
 */
import { mulberry32 } from "../../lib/random.ts";
import type { SourceRecord } from "./store.ts";

/** Options of {@linkcode generateRecords}. */
export interface GenerateOptions {
  /** How many records. */
  count: number;
  /** The seed. @default {1} */
  seed?: number;
  /** The first id; ids are consecutive. @default {1} */
  firstId?: number;
  /** The share of malformed records, from 0 to 1. @default {0.02} */
  malformedRate?: number;
  /** The smallest record, in bytes. @default {1024} */
  minBytes?: number;
  /** The largest record, in bytes. @default {20480} */
  maxBytes?: number;
}

/** Generated records and which of them are malformed. */
export interface Generated {
  /** The records, ids ascending. */
  records: SourceRecord[];
  /** The ids of the malformed ones, with how each is broken. */
  malformed: Map<number, "xml" | "type" | "required">;
}

const WORDS = (
  "rotor blade bearing housing valve sensor signal module carbon layer fluid pump gear shaft " +
  "circuit coil membrane filter optical lens frame joint seal spring thermal coupling &amp; method"
).split(" ");
const COUNTRIES = ["DE", "FR", "US", "JP", "SE", "NL", "IT", "ES"];
const CITIES = ["Berlin", "Lyon", "Austin", "Osaka", "Malmö", "Delft", "Turin", "Bilbao"];

/**
 * Generates records.
 *
 * @param o Count, seed, malformed share, sizes.
 * @returns The records and the malformed ids.
 * @throws {RangeError} When the count or the sizes are out of range.
 *
 * @example The same seed gives the same records
 * ```ts
 * import { generateRecords } from "./generator.ts";
 * import assert from "node:assert/strict";
 * const a = generateRecords({ count: 20, seed: 7 });
 * assert.deepEqual(a, generateRecords({ count: 20, seed: 7 }));
 * assert.ok(a.records.every((r) => r.xml.length >= 1024 && r.xml.length <= 20480 + 200));
 * ```
 */
export function generateRecords(o: GenerateOptions): Generated {
  const { count, seed = 1, firstId = 1, malformedRate = 0.02 } = o;
  const { minBytes = 1024, maxBytes = 20_480 } = o;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `Cannot generate records as count must be a non-negative integer: current value is "${count}"`,
    );
  }
  if (!(minBytes >= 600 && maxBytes >= minBytes)) {
    throw new RangeError(
      `Cannot generate records as sizes must be 600 <= minBytes <= maxBytes: current value is "${minBytes}..${maxBytes}"`,
    );
  }
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]) => list[int(0, list.length - 1)];
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  const records: SourceRecord[] = [];
  const malformed = new Map<number, "xml" | "type" | "required">();
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    const target = int(minBytes, maxBytes);
    const broken = rnd() < malformedRate ? pick(["xml", "type", "required"] as const) : undefined;
    const applicants = Array.from({ length: int(1, 4) }, (_, k) => {
      const address = rnd() < 0.7
        ? `<addr:address><addr:city>${pick(CITIES)}</addr:city><addr:postcode>${
          int(10000, 99999)
        }</addr:postcode></addr:address>`
        : "";
      return `<app:applicant seq="${k + 1}" country="${pick(COUNTRIES)}"><app:name>${
        words(2)
      }</app:name>${address}</app:applicant>`;
    }).join("");
    const fees = Array.from({ length: int(1, 3) }, () => {
      const amount = broken === "type" ? "12,5x" : (int(1000, 90000) / 100).toFixed(2);
      return `<app:fee code="F${int(1, 9)}" amount="${amount}" currency="EUR"/>`;
    }).join("");
    const head =
      `<?xml version="1.0" encoding="UTF-8"?>\n<app:application xmlns:app="urn:weir:application:1" ` +
      `xmlns:addr="urn:weir:address:1" id="${id}" kind="${
        pick(["patent", "utility", "design"])
      }">` +
      (broken === "required" ? "" : `<app:title>${words(int(3, 8))}</app:title>`) +
      `<app:filed>20${int(10, 25)}-${String(int(1, 12)).padStart(2, "0")}-${
        String(int(1, 28)).padStart(2, "0")
      }</app:filed>` +
      (rnd() < 0.5 ? `<app:priority>${rnd() < 0.5}</app:priority>` : "") +
      `<app:applicants>${applicants}</app:applicants><app:fees>${fees}</app:fees>` +
      (rnd() < 0.6 ? `<app:abstract>${words(int(10, 40))}</app:abstract>` : "");
    const tail = "</app:application>\n";
    let claims = "";
    for (let n = 1; head.length + claims.length + tail.length + 40 < target; n++) {
      claims += `<app:claim n="${n}">${words(int(20, 80))}</app:claim>`;
    }
    let xml = `${head}<app:claims>${claims}</app:claims>${tail}`;
    if (broken === "xml") xml = xml.slice(0, Math.floor(xml.length * 0.6)); // truncated
    if (broken) malformed.set(id, broken);
    records.push({ appId: id, xml });
  }
  return { records, malformed };
}
