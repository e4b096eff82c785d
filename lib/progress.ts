/**
 * The progress reporter tasks use: a bar redrawn in place on a terminal,
 * periodic JSON lines otherwise, nothing when quiet. Count, rate, ETA and
 * free-form gauges (busy workers, queue depth, error rate).
 *
 * Rate is the average over the run: items done since the reporter was
 * created (minus `initial`) divided by the seconds since then. It is steady
 * and deterministic, which suits ETAs of long syncs better than a short
 * window that swings with every slow item.
 *
 * @module
 */

/** What a task reports progress through. */
export interface Progress {
  /** Sets the number of items in all (unknown until called). */
  total(n: number): void;
  /** Counts `n` more items done. */
  tick(n?: number): void;
  /** Sets the number of items done. */
  set(done: number): void;
  /** Sets a named figure shown beside the count: busy workers, queue depth, error rate. */
  gauge(name: string, value: number | string): void;
  /** Ends the report with a final line. Later calls are ignored. */
  done(): void;
}

/** Where and how progress is shown. */
export type ProgressMode = "tty" | "json" | "silent";

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** What is being done, shown first. */
  label: string;
  /** How many items in all, when known. */
  total?: number;
  /**
   * Items already done before this run (a resumed run): counted in `done`,
   * not in the rate.
   * @default {0}
   */
  initial?: number;
  /** A bar on a terminal, JSON lines, or nothing. */
  mode: ProgressMode;
  /** Writes text as is (stderr in the CLI); JSON and final lines end in a newline. */
  write: (text: string) => void;
  /**
   * TTY mode only: when given, receives the bar text (no control characters,
   * empty to clear) instead of the bar being drawn through `write` with
   * `\r` and erase-line; for a terminal that keeps a status line under logs.
   */
  status?: (text: string) => void;
  /**
   * The clock, in milliseconds.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * The terminal's width; the bar shrinks and the line is cut to fit.
   * @default {80}
   */
  columns?: number;
  /**
   * The least time between two redraws (TTY) or two lines (JSON), in ms.
   * @default {100 in TTY mode, 1000 in JSON mode}
   */
  intervalMs?: number;
}

/** A progress reporter that can also step aside for a log line. */
export interface ProgressReporter extends Progress {
  /** Erases the bar (TTY) so a log line can be printed; call {@linkcode redraw} after. */
  clear(): void;
  /** Draws the bar now, ignoring the throttle (TTY); no-op in other modes. */
  redraw(): void;
}

const ERASE = "\r\x1b[2K";

/**
 * Formats seconds as `42s`, `1m05s` or `2h03m`.
 *
 * @param seconds A duration; rounded up to whole seconds.
 * @returns The short form.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatDuration(65), "1m05s");
 * assert.equal(formatDuration(7380), "2h03m");
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}

/**
 * Creates a progress reporter. Updates are throttled: a redraw (TTY) or a
 * line (JSON) happens on an update at least `intervalMs` after the previous
 * one; no timer runs, so nothing keeps the process alive. JSON lines look
 * like `{"type":"progress","label":"sync","done":5,"total":10,"rate":2.5,
 * "eta_s":2,"elapsed_s":2,"gauges":{},"ts":"...","final":false}`; `total`
 * and `eta_s` are null when unknown.
 *
 * @param options Label, total, mode, writer, clock, width and throttle.
 * @returns The reporter.
 * @throws {TypeError} When a count is not a number.
 * @throws {RangeError} When a count is negative or not finite.
 *
 * @example A bar with count, rate and ETA
 * ```ts
 * import { createProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * let clock = 0, out = "";
 * const p = createProgress({
 *   label: "sync", total: 10, mode: "tty", now: () => clock, write: (t) => out += t,
 * });
 * clock = 2000;
 * p.tick(5);
 * assert.match(out, /5\/10 50% 2\.5\/s ETA 2s$/);
 * p.done();
 * assert.match(out, /in 2s\n$/);
 * ```
 *
 * @example JSON lines for logs and scripts
 * ```ts
 * import { createProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const p = createProgress({ label: "load", mode: "json", write: (t) => lines.push(t) });
 * p.tick();
 * p.done();
 * assert.equal(JSON.parse(lines.at(-1)!).final, true);
 * ```
 */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const { label, mode, write, status, now = Date.now, columns = 80 } = options;
  const intervalMs = options.intervalMs ?? (mode === "json" ? 1000 : 100);
  const initial = check("initial", options.initial ?? 0);
  check("intervalMs", intervalMs);
  check("columns", columns);
  const start = now();
  const gauges: Record<string, number | string> = {};
  let total = options.total === undefined ? null : check("total", options.total);
  let done = initial;
  let last = -Infinity;
  let drawn = false;
  let finished = false;

  const figures = () => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? (done - initial) / elapsed : 0;
    const left = total === null ? null : Math.max(0, total - done);
    const eta = left === null ? null : left === 0 ? 0 : rate > 0 ? Math.ceil(left / rate) : null;
    return { elapsed, rate, eta };
  };

  const line = (final: boolean): string => {
    const { elapsed, rate, eta } = figures();
    const parts = [total === null ? String(done) : `${done}/${total}`];
    if (total !== null && total > 0) parts.push(`${Math.floor(Math.min(1, done / total) * 100)}%`);
    parts.push(`${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s`);
    if (final) parts.push(`in ${formatDuration(elapsed)}`);
    else if (eta !== null) parts.push(`ETA ${formatDuration(eta)}`);
    for (const [name, value] of Object.entries(gauges)) {
      parts.push(`${name}=${typeof value === "number" ? +value.toFixed(2) : value}`);
    }
    const rest = parts.join(" ");
    const room = columns - 1 - label.length - rest.length - 4;
    const width = Math.min(30, room);
    let bar = "";
    if (total !== null && width >= 5) {
      const fill = total === 0 ? width : Math.floor(Math.min(1, done / total) * width);
      bar = ` [${"█".repeat(fill)}${"░".repeat(width - fill)}]`;
    }
    return `${label}${bar} ${rest}`.slice(0, columns - 1);
  };

  const json = (final: boolean): string => {
    const { elapsed, rate, eta } = figures();
    return JSON.stringify({
      type: "progress",
      label,
      done,
      total,
      rate: Math.round(rate * 100) / 100,
      eta_s: final ? 0 : eta,
      elapsed_s: Math.round(elapsed * 100) / 100,
      gauges,
      ts: new Date(now()).toISOString(),
      final,
    }) + "\n";
  };

  const render = (final: boolean) => {
    last = now();
    if (mode === "json") return write(json(final));
    if (mode !== "tty") return;
    const text = line(final);
    if (status && final) {
      status("");
      write(text + "\n");
    } else if (status) {
      status(text);
    } else {
      write(ERASE + text + (final ? "\n" : ""));
    }
    drawn = !final;
  };

  const update = () => {
    if (!finished && now() - last >= intervalMs) render(false);
  };

  return {
    total(n: number) {
      total = check("total", n);
      update();
    },
    tick(n = 1) {
      done += check("tick", n);
      update();
    },
    set(n: number) {
      done = check("done", n);
      update();
    },
    gauge(name: string, value: number | string) {
      gauges[name] = value;
      update();
    },
    done() {
      if (finished) return;
      finished = true;
      render(true);
    },
    clear() {
      if (!drawn) return;
      drawn = false;
      if (status) status("");
      else write(ERASE);
    },
    redraw() {
      if (!finished && mode === "tty") render(false);
    },
  };
}

/** Checks that `n` is a finite number from 0 and returns it. */
function check(what: string, n: unknown): number {
  if (typeof n !== "number") {
    throw new TypeError(
      `Cannot report progress as ${what} must be a number: current value is "${n}"`,
    );
  }
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(
      `Cannot report progress as ${what} must be a finite number from 0: current value is "${n}"`,
    );
  }
  return n;
}
