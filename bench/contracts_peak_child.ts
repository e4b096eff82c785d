/**
 * One contracts load in a process of its own, for the benchmark's
 * peak-memory figure: loads and validates a contracts directory and prints
 * `{ms, contracts, peak_rss_mb}`, the peak being the kernel's high-water
 * mark of the resident set (`getrusage`'s `ru_maxrss`, as `VmHWM`; reading
 * `/proc/self/status` would need every permission). Start it from a small
 * process: `ru_maxrss` is kept across `exec`.
 *
 * Run: `deno run -R bench/contracts_peak_child.ts <contracts-dir>`
 *
 * @module
 */
// deno-lint-ignore-file no-console -- prints its figures for the benchmark
import process from "node:process";
import { loadContracts } from "../plugins/contracts/load.ts";
import { PatternCache } from "../plugins/contracts/patterns.ts";

if (import.meta.main) {
  const started = performance.now();
  const load = await loadContracts(Deno.args[0], { patterns: new PatternCache() });
  const ms = performance.now() - started;
  if (load.errors.length > 0) throw new Error(load.errors[0].message);
  const hwm = process.resourceUsage().maxRSS; // kB
  console.log(JSON.stringify({
    ms,
    contracts: load.contracts.length,
    peak_rss_mb: Math.round(Number(hwm) / 102.4) / 10,
  }));
}
