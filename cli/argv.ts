/**
 * Splits the command line into global options, the command, its positional
 * words and its remaining flags. Global options may stand anywhere.
 *
 * @module
 */
import { UsageError } from "../lib/errors.ts";

/** Options every command accepts. */
export interface GlobalOptions {
  /** Only errors on stderr (for cron). */
  quiet: boolean;
  /** Debug logs. */
  verbose: boolean;
  /** `--home`: the kernel's directory. */
  home?: string;
  /** `--feature`: feature flags. */
  features: string[];
  /** `--plugin`: plugin modules to load at run time (path or URL). */
  plugins: string[];
  /** `--sandbox-timeout`: the longest a sandboxed task may run, in seconds. */
  sandboxTimeout?: number;
  /** `--log-format`. */
  logFormat?: "json" | "text";
  /** `--help` / `-h`. */
  help: boolean;
  /** `--version`. */
  version: boolean;
  /** `--json`: the JSON envelope on stdout even when it is a terminal. */
  json: boolean;
}

/** The command line, split. */
export interface ParsedArgs {
  /** Global options. */
  global: GlobalOptions;
  /** The command and its positional words. */
  words: string[];
  /** The rest: `--name value`, `--name=value`, `--flag`, in order. */
  flags: string[];
}

const VALUED = new Set(["--home", "--feature", "--plugin", "--sandbox-timeout", "--log-format"]);

/** Every global option, as `weir --help` lists them. */
export const GLOBAL_FLAGS: readonly string[] = [
  "-q",
  "--quiet",
  "-v",
  "--verbose",
  "-h",
  "--help",
  "--version",
  "--json",
  ...VALUED,
];

/**
 * Splits the command line.
 *
 * @param args `Deno.args`.
 * @returns Global options, words, and the remaining flags.
 * @throws {UsageError} When a global option lacks its value, or an option
 * before the command is not a global one.
 *
 * @example
 * ```ts
 * import { splitArgs } from "./argv.ts";
 * import assert from "node:assert/strict";
 * const p = splitArgs(["run", "-q", "example.snapshot", "--limit", "3"]);
 * assert.equal(p.global.quiet, true);
 * assert.deepEqual(p.words, ["run", "example.snapshot"]);
 * assert.deepEqual(p.flags, ["--limit", "3"]);
 * assert.throws(() => splitArgs(["--nope", "list"]), /unknown global flag --nope/);
 * ```
 */
export function splitArgs(args: readonly string[]): ParsedArgs {
  const global: GlobalOptions = {
    quiet: false,
    verbose: false,
    features: [],
    plugins: [],
    help: false,
    version: false,
    json: false,
  };
  const words: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      words.push(...args.slice(i + 1));
      break;
    }
    const [name, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (name === "-q" || name === "--quiet") global.quiet = true;
    else if (name === "-v" || name === "--verbose") global.verbose = true;
    else if (name === "-h" || name === "--help") global.help = true;
    else if (name === "--version") global.version = true;
    else if (name === "--json") global.json = true;
    else if (VALUED.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) {
        throw new UsageError(`Cannot use ${name} as it needs a value`);
      }
      if (name === "--home") global.home = value;
      else if (name === "--feature") global.features.push(value);
      else if (name === "--plugin") global.plugins.push(value);
      else if (name === "--sandbox-timeout") {
        global.sandboxTimeout = Number(value);
        if (!(global.sandboxTimeout > 0)) {
          throw new UsageError(
            `Cannot use --sandbox-timeout as it must be a number of seconds above 0: current value is "${value}"`,
          );
        }
      } else if (value === "json" || value === "text") global.logFormat = value;
      else {
        throw new UsageError(
          `Cannot use --log-format as it must be "json" or "text": current value is "${value}"`,
        );
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      // Before the command, only global options make sense: `weir --nope list`.
      if (words.length === 0) {
        throw new UsageError(
          `Cannot use unknown global flag ${name}: known global flags are ${
            GLOBAL_FLAGS.join(", ")
          }`,
        );
      }
      flags.push(arg);
      // A value follows unless the next word is itself a flag.
      const next = args[i + 1];
      if (inline === undefined && next !== undefined && !next.startsWith("--")) {
        flags.push(next);
        i++;
      }
    } else words.push(arg);
  }
  return { global, words, flags };
}

/**
 * Reads `--name value` / `--name=value` / `--flag` pairs from flags.
 *
 * @param flags The flags from {@linkcode splitArgs}.
 * @returns Each flag with its value (`undefined` for a bare flag).
 * @throws {UsageError} For a word that is not a flag.
 *
 * @example
 * ```ts
 * import { flagPairs } from "./argv.ts";
 * import assert from "node:assert/strict";
 * const pairs = flagPairs(["--limit", "3", "--full", "--only=a*"]);
 * assert.deepEqual(pairs, [["--limit", "3"], ["--full", undefined], ["--only", "a*"]]);
 * ```
 */
export function flagPairs(flags: readonly string[]): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (!flag.startsWith("--")) {
      throw new UsageError(`Cannot use "${flag}" as flags are written --name value`);
    }
    const eq = flag.indexOf("=");
    if (eq > 0) out.push([flag.slice(0, eq), flag.slice(eq + 1)]);
    else if (flags[i + 1] !== undefined && !flags[i + 1].startsWith("--")) {
      out.push([flag, flags[++i]]);
    } else out.push([flag, undefined]);
  }
  return out;
}
