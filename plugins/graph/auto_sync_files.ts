/**
 * What `graph.setup_auto_sync` writes: a POSIX shell script that runs one
 * incremental sync, a crontab line that calls it, and a systemd service and
 * timer that do the same. Every path and argument is quoted for the place
 * it goes (sh, crontab, systemd), so spaces and shell metacharacters in
 * paths are data, never syntax.
 *
 * @module
 */

/**
 * Quotes a word for a POSIX shell: single quotes, each `'` as `'\''`.
 *
 * @param word Any text.
 * @returns The quoted word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shQuote } from "./auto_sync_files.ts";
 * assert.equal(shQuote("it's $HOME"), "'it'\\''s $HOME'");
 * ```
 */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Quotes a word for a systemd unit's `ExecStart=`: double quotes, `\` and
 * `"` escaped, `%` doubled (specifiers) and `$` doubled (variables).
 *
 * @param word Any text.
 * @returns The quoted word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemdQuote } from "./auto_sync_files.ts";
 * assert.equal(systemdQuote('a "b" 100% $X'), '"a \\"b\\" 100%% $$X"');
 * ```
 */
export function systemdQuote(word: string): string {
  const escaped = word.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
    .replaceAll("%", "%%").replaceAll("$", "$$$$");
  return `"${escaped}"`;
}

/**
 * Escapes a command for a crontab line, where an unescaped `%` ends the
 * command (and `\%` is a literal `%`).
 *
 * @param command The shell command.
 * @returns The command for the crontab.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crontabEscape } from "./auto_sync_files.ts";
 * assert.equal(crontabEscape("date +%s"), "date +\\%s");
 * ```
 */
export function crontabEscape(command: string): string {
  return command.replaceAll("%", "\\%");
}

/** What the generated files run. */
export interface SyncCommand {
  /** The program and its arguments, unquoted. */
  argv: string[];
  /** Environment variables the script exports (never secrets). */
  env: Record<string, string>;
  /** A file of `NAME=value` lines the script loads first, for secrets. */
  envFile?: string;
}

/**
 * The shell script that runs one sync.
 *
 * @param command What to run.
 * @returns The script's text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cronScript } from "./auto_sync_files.ts";
 * const text = cronScript({ argv: ["/bin/echo", "a b"], env: { WEIR_HOME: "/h" } });
 * assert.match(text, /^exec '\/bin\/echo' 'a b'$/m);
 * assert.match(text, /^export WEIR_HOME='\/h'$/m);
 * ```
 */
export function cronScript(command: SyncCommand): string {
  const lines = [
    "#!/bin/sh",
    "# Written by weir graph.setup_auto_sync: one incremental sync into the hybridgraph.",
    "set -eu",
  ];
  if (command.envFile) {
    lines.push(`set -a`, `. ${shQuote(command.envFile)}`, `set +a`);
  }
  for (const [name, value] of Object.entries(command.env)) {
    lines.push(`export ${name}=${shQuote(value)}`);
  }
  lines.push(`exec ${command.argv.map(shQuote).join(" ")}`);
  return lines.join("\n") + "\n";
}

/**
 * The crontab line that runs the script on a schedule, appending its
 * output to a log.
 *
 * @param schedule The five cron fields.
 * @param script The script's path.
 * @param log The log file.
 * @returns The line, without a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crontabLine } from "./auto_sync_files.ts";
 * assert.equal(crontabLine("*\/5 * * * *", "/a b/s.sh", "/l%"), "*\/5 * * * * '/a b/s.sh' >> '/l\\%' 2>&1");
 * ```
 */
export function crontabLine(schedule: string, script: string, log: string): string {
  return `${schedule} ${crontabEscape(`${shQuote(script)} >> ${shQuote(log)} 2>&1`)}`;
}

/**
 * The systemd service and timer units.
 *
 * @param script The script the service runs.
 * @param onCalendar The timer's `OnCalendar=` value.
 * @returns The two units' texts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemdUnits } from "./auto_sync_files.ts";
 * const { service, timer } = systemdUnits("/x/s.sh", "*:0/5");
 * assert.match(service, /^ExecStart=\/bin\/sh "\/x\/s.sh"$/m);
 * assert.match(timer, /^OnCalendar=\*:0\/5$/m);
 * ```
 */
export function systemdUnits(
  script: string,
  onCalendar: string,
): { service: string; timer: string } {
  const service = [
    "[Unit]",
    "Description=weir graph: incremental sync into the hybridgraph",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=/bin/sh ${systemdQuote(script)}`,
    "",
  ].join("\n");
  const timer = [
    "[Unit]",
    "Description=weir graph: incremental sync into the hybridgraph, on a schedule",
    "",
    "[Timer]",
    `OnCalendar=${onCalendar}`,
    "Persistent=true",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  return { service, timer };
}
