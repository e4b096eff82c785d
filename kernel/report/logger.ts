/**
 * A structured logger: JSON lines when stderr is not a terminal, short text
 * lines when it is. Every line passes through the redactor.
 *
 * @module
 */
import { Redactor } from "../../lib/redact.ts";
import type { Terminal } from "../../lib/terminal.ts";

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logger tasks get as `ctx.log`. */
export interface Logger {
  /** Detail for `-v` runs. */
  debug(msg: string, fields?: LogFields): void;
  /** What happened. */
  info(msg: string, fields?: LogFields): void;
  /** Something odd that did not stop the work. */
  warn(msg: string, fields?: LogFields): void;
  /** Something failed. Shown even with `--quiet`. */
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Where lines go. */
  terminal: Terminal;
  /** The lowest level written. @default {"info"} */
  level?: LogLevel;
  /** `json` lines or `text`. @default {terminal.isTTY ? "text" : "json"} */
  format?: "json" | "text";
  /** Replaces secrets. @default {new Redactor()} */
  redactor?: Redactor;
  /** Fields on every line. @default {{}} */
  fields?: LogFields;
  /** The clock. @default {() => new Date()} */
  now?: () => Date;
}

/**
 * Creates a logger.
 *
 * @param options Where and how to write.
 * @returns The logger.
 *
 * @example JSON lines carry the message, level and fields
 * ```ts
 * import { createLogger } from "./logger.ts";
 * import { Terminal } from "../../lib/terminal.ts";
 * import assert from "node:assert/strict";
 * const out: string[] = [];
 * const sink = { writeSync: (b: Uint8Array) => (out.push(new TextDecoder().decode(b)), b.length) };
 * const log = createLogger({ terminal: new Terminal(sink, false) }).child({ task: "hello.greet" });
 * log.info("greeted", { name: "ada" });
 * const { ts, ...line } = JSON.parse(out[0]);
 * assert.equal(typeof ts, "string");
 * assert.deepEqual(line, { level: "info", msg: "greeted", task: "hello.greet", name: "ada" });
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const { terminal } = options;
  const min = RANK[options.level ?? "info"];
  const format = options.format ?? (terminal.isTTY ? "text" : "json");
  const redactor = options.redactor ?? new Redactor();
  const now = options.now ?? (() => new Date());

  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (RANK[level] < min) return;
      const all = redactor.value({ ...base, ...fields });
      const text = redactor.text(msg);
      if (format === "json") {
        terminal.line(JSON.stringify({ ts: now().toISOString(), level, msg: text, ...all }));
      } else {
        const time = now().toISOString().slice(11, 19);
        const extra = Object.entries(all).map(([k, v]) =>
          `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
        );
        terminal.line([time, level.toUpperCase().padEnd(5), text, ...extra].join(" "));
      }
    };
    return {
      debug: (msg, fields) => emit("debug", msg, fields),
      info: (msg, fields) => emit("info", msg, fields),
      warn: (msg, fields) => emit("warn", msg, fields),
      error: (msg, fields) => emit("error", msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.fields ?? {});
}
