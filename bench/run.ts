/**
 * `deno task bench [name...]`: runs every `bench/*_bench.ts` (or those whose
 * name contains one of the arguments), prints a table, and writes all
 * results to `bench/results/latest.json`.
 *
 * @module
 */
// deno-lint-ignore-file no-console -- a benchmark runner's job is printing
import { fileURLToPath } from "node:url";
import type { Bench, BenchResult } from "./harness.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
const filters = Deno.args;
const files = [...Deno.readDirSync(dir)]
  .map((e) => e.name)
  .filter((n) => n.endsWith("_bench.ts"))
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();

const all: BenchResult[] = [];
for (const file of files) {
  console.error(`running ${file} ...`);
  const bench: Bench = (await import(`./${file}`)).default;
  all.push(...await bench());
}

const rows = all.map((r) => [
  r.name,
  `${r.value} ${r.unit}`,
  r.value_min === undefined ? "" : `${r.value_min}-${r.value_max}`,
  r.baseline,
  `${r.baseline_value} ${r.unit}`,
  `${r.ratio}x`,
  r.ratio_min === undefined ? "" : `${r.ratio_min}-${r.ratio_max}x (${r.pairs} pairs)`,
]);
const header = [
  "benchmark",
  "median",
  "min-max",
  "baseline",
  "baseline median",
  "ratio",
  "ratio min-max",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows) console.log(line(row));

const out = new URL("./results/latest.json", import.meta.url);
Deno.writeTextFileSync(out, JSON.stringify(all, null, 2) + "\n");
console.error(`wrote ${fileURLToPath(out)}`);
