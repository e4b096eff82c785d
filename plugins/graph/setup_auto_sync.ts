/**
 * `graph.setup_auto_sync`: sets up a scheduled incremental sync.
 * `--method cron` writes a shell script and prints the crontab line that
 * runs it; `--method systemd` writes the script with a service and a timer
 * unit (copy them to `~/.config/systemd/user/`); `--method status` shows
 * which files exist, the last sync and the documents by status. Nothing is
 * installed into the system's crontab or systemd by weir itself.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CONFIG_ENV } from "../../kernel/config.ts";
import type { WeirConfig } from "../../kernel/config.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { UsageError } from "../../lib/errors.ts";
import { mergeNeeds, needsToFlags } from "../../lib/permissions.ts";
import { cronScript, crontabLine, type SyncCommand, systemdUnits } from "./auto_sync_files.ts";
import { type GraphFlags, graphFlags } from "./flags.ts";
import {
  embeddedPaths,
  graphNeeds,
  type LastSync,
  openGraphs,
  openState,
  SYNC_SCOPE,
} from "./graphs.ts";
import type { Options } from "./options.ts";

const SCRIPT = "weir-graph-sync.sh";
const SERVICE = "weir-graph-sync.service";
const TIMER = "weir-graph-sync.timer";

const input = z.object({
  method: z.enum(["cron", "systemd", "status"]).describe("what to set up, or status"),
  dir: z.string().min(1).optional().describe("where the files go (default <home>/graph/auto_sync)"),
  schedule: z.string().regex(/^\S+( \S+){4}$/, "five cron fields").default("*/5 * * * *")
    .describe("cron: when to run"),
  on_calendar: z.string().min(1).default("*:0/5").describe("systemd: the timer's OnCalendar="),
  limit: z.number().int().min(1).max(10_000_000).default(1000).describe("documents per sync"),
  env_file: z.string().min(1).optional().describe(
    "a file of NAME=value lines the script loads (for NEO4J_PASSWORD; never written by weir)",
  ),
  ...graphFlags,
});

const output = z.object({
  method: z.string(),
  dir: z.string(),
  files: z.array(z.string()),
  command: z.array(z.string()).describe("what the script runs"),
  crontab_line: z.string().nullable(),
  installed: z.record(z.string(), z.boolean()).nullable(),
  last_sync: z.object({
    run_id: z.string(),
    at: z.string(),
    documents_synced: z.number(),
    errors: z.number(),
  })
    .nullable(),
  by_status: z.record(z.string(), z.number()).nullable(),
});

/** The command the script runs: one `graph.sync_to_hybrid`, with explicit permissions. */
function syncCommand(i: z.output<typeof input>, config: WeirConfig, options: Options): SyncCommand {
  const flags: GraphFlags = { ...i };
  if (i.backend === "embedded") {
    const paths = embeddedPaths(i, config.home, options);
    flags.json_db = paths.json;
    flags.hybrid_db = paths.hybrid;
  }
  const args = [
    "--home",
    config.home,
    "--quiet",
    "run",
    "graph.sync_to_hybrid",
    "--limit",
    String(i.limit),
    "--backend",
    flags.backend,
    "--layout",
    flags.layout,
    "--batch-size",
    String(flags.batch_size),
    ...(flags.namespace ? ["--namespace", flags.namespace] : []),
    ...(flags.backend === "embedded"
      ? ["--json-db", flags.json_db!, "--hybrid-db", flags.hybrid_db!]
      : ["--json-database", flags.json_database, "--hybrid-database", flags.hybrid_database]),
  ];
  const exec = Deno.execPath();
  const env: Record<string, string> = {};
  for (const name of ["NEO4J_URI", "NEO4J_HYBRID_URI", "NEO4J_USER"] as const) {
    const value = {
      NEO4J_URI: config.neo4j.uri,
      NEO4J_HYBRID_URI: config.neo4j.hybridUri,
      NEO4J_USER: config.neo4j.user,
    }[name];
    if (value) env[name] = value;
  }
  const command: SyncCommand = { argv: [], env, envFile: i.env_file && resolve(i.env_file) };
  if (!/^deno(\.exe)?$/.test(basename(exec))) {
    command.argv = [exec, ...args]; // a compiled weir binary carries its permissions
    return command;
  }
  const root = fileURLToPath(new URL("../../", import.meta.url));
  for (const path of [root, config.home, flags.json_db ?? "", flags.hybrid_db ?? ""]) {
    if (path.includes(",")) {
      throw new UsageError(
        `Cannot write a sync script as Deno's --allow-* flags cannot name a path with a comma: current value is "${path}"`,
      );
    }
  }
  const needs = mergeNeeds(graphNeeds(i, config, options), {
    read: [root, config.home],
    write: [config.home],
    env: [...CONFIG_ENV],
    sys: ["hostname"],
  });
  command.argv = [
    exec,
    "run",
    "--no-prompt",
    `--config=${join(root, "deno.json")}`,
    ...needsToFlags(needs),
    join(root, "main.ts"),
    ...args,
  ];
  return command;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * Creates the `graph.setup_auto_sync` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setupAutoSyncTask } from "./setup_auto_sync.ts";
 * import { defaults } from "./options.ts";
 * assert.equal(setupAutoSyncTask(defaults).id, "graph.setup_auto_sync");
 * ```
 */
export function setupAutoSyncTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "graph.setup_auto_sync",
    summary: "Writes a cron script or systemd units for a scheduled sync, or shows their status",
    input,
    output,
    permissions: (i, config) => {
      const dir = resolve(config.home, i.dir ?? options.autoSyncDir);
      return mergeNeeds(graphNeeds(i, config, options), { read: [dir], write: [dir] });
    },
    async run(ctx, i) {
      const dir = resolve(ctx.config.home, i.dir ?? options.autoSyncDir);
      const script = join(dir, SCRIPT);
      const command = syncCommand(i, ctx.config, options);
      const out: z.output<typeof output> = {
        method: i.method,
        dir,
        files: [],
        command: command.argv,
        crontab_line: null,
        installed: null,
        last_sync: null,
        by_status: null,
      };
      if (i.method === "status") {
        out.installed = {};
        for (const name of [SCRIPT, SERVICE, TIMER]) {
          out.installed[name] = await exists(join(dir, name));
        }
        await using graphs = await openGraphs(ctx, i, options);
        const { checkpoints } = await openState(ctx, options, SYNC_SCOPE);
        out.last_sync = checkpoints.get<LastSync>(graphs.identity) ?? null;
        out.by_status = (await graphs.json.counts()).byStatus;
        return out;
      }
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(script, cronScript(command), { mode: 0o755 });
      await Deno.chmod(script, 0o755);
      out.files.push(script);
      if (i.method === "cron") {
        out.crontab_line = crontabLine(i.schedule, script, join(dir, "sync.log"));
        ctx.log.info("add this line with `crontab -e`", { line: out.crontab_line });
      } else {
        const units = systemdUnits(script, i.on_calendar);
        await Deno.writeTextFile(join(dir, SERVICE), units.service);
        await Deno.writeTextFile(join(dir, TIMER), units.timer);
        out.files.push(join(dir, SERVICE), join(dir, TIMER));
        ctx.log.info("copy the units to ~/.config/systemd/user/, then enable the timer", {
          command: `systemctl --user enable --now ${TIMER}`,
        });
      }
      return out;
    },
  });
}
