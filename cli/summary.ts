/**
 * What `weir run` and `weir pipeline` print when stdout is a terminal: a
 * short summary a person reads, instead of the JSON envelope scripts get.
 *
 * @module
 */

/** The parts of a run's result a summary shows (the envelope's fields). */
export interface SummaryInput {
  /** The run id. */
  run_id: string;
  /** The task id or pipeline name. */
  name: string;
  /** How it ended. */
  status: "succeeded" | "partial" | "failed" | "interrupted";
  /** The output. */
  output: unknown;
  /** Counters. */
  counters: Record<string, number>;
  /** Items that failed. */
  failures: readonly { item: string; reason: string }[];
  /** Why it failed. */
  error?: string;
}

/** Options of {@linkcode renderSummary}. */
export interface SummaryOptions {
  /** `run` for a task, `pipeline` for a pipeline (its resume hint). @default {"run"} */
  command?: "run" | "pipeline";
  /** The pipeline's own summary lines; they replace the output table. */
  lines?: readonly string[];
  /** The widest a line may be. @default {100} */
  columns?: number;
  /** How many failures to list before "and N more". @default {5} */
  maxFailures?: number;
}

const MARK = { succeeded: "ok", partial: "partial", failed: "FAILED", interrupted: "interrupted" };

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}

function show(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

/**
 * A compact key/value table: one line per key of an object (nested values
 * as one-line JSON, clipped to the width), or the value itself.
 *
 * @param value The output.
 * @param columns The widest a line may be.
 * @returns The lines, indented by two spaces.
 *
 * @example
 * ```ts
 * import { keyValueLines } from "./summary.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(keyValueLines({ files: 3, root: "ab12", tags: ["x"] }, 80), [
 *   "  files  3",
 *   "  root   ab12",
 *   '  tags   ["x"]',
 * ]);
 * ```
 */
export function keyValueLines(value: unknown, columns: number): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== "object" || Array.isArray(value)) {
    return [clip(`  ${show(value)}`, columns)];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => clip(`  ${k.padEnd(width)}  ${show(v)}`, columns));
}

/**
 * Renders the human summary of a run: a status line with the run id, the
 * pipeline's summary lines or else a table of the output and the counters,
 * the first failures, the error, and how to resume a pipeline.
 *
 * @param result The run's envelope.
 * @param options The command, the pipeline's lines, the width.
 * @returns The text, newline-terminated.
 *
 * @example A task's summary
 * ```ts
 * import { renderSummary } from "./summary.ts";
 * import assert from "node:assert/strict";
 * const text = renderSummary({
 *   run_id: "20260101T000000Z-0a1b2c3d",
 *   name: "probe.partial",
 *   status: "partial",
 *   output: { ok: 2 },
 *   counters: { ok: 2 },
 *   failures: [{ item: "bad1", reason: 'item "bad1" is malformed' }],
 * });
 * assert.equal(
 *   text,
 *   [
 *     "probe.partial: partial (run 20260101T000000Z-0a1b2c3d)",
 *     "  ok  2",
 *     "counters: ok=2",
 *     "1 failed:",
 *     '  bad1: item "bad1" is malformed',
 *     "",
 *   ].join("\n"),
 * );
 * ```
 */
export function renderSummary(result: SummaryInput, options: SummaryOptions = {}): string {
  const { command = "run", columns = 100, maxFailures = 5 } = options;
  const out = [`${result.name}: ${MARK[result.status]} (run ${result.run_id})`];
  if (options.lines?.length) {
    // The pipeline's own lines; a leading blank line is for the stderr layout.
    const lines = options.lines[0] === "" ? options.lines.slice(1) : options.lines;
    out.push(...lines);
  } else out.push(...keyValueLines(result.output, columns));
  const counters = Object.entries(result.counters);
  // A pipeline's own lines already say what its steps counted.
  if (counters.length && !options.lines?.length) {
    out.push(clip(`counters: ${counters.map(([k, v]) => `${k}=${v}`).join(" ")}`, columns));
  }
  if (result.failures.length) {
    out.push(`${result.failures.length} failed:`);
    for (const f of result.failures.slice(0, maxFailures)) {
      out.push(clip(`  ${f.item}: ${f.reason}`, columns));
    }
    const more = result.failures.length - maxFailures;
    if (more > 0) out.push(`  … and ${more} more (see: weir runs show ${result.run_id})`);
  }
  if (result.error) out.push(`error: ${result.error}`);
  if (command === "pipeline" && (result.status === "failed" || result.status === "interrupted")) {
    out.push(`Continue with: weir pipeline ${result.name} --resume ${result.run_id}`);
  }
  return out.join("\n") + "\n";
}
