/**
 * `graph.setup_auto_sync`: the generated cron script, run as cron would run
 * it, syncs the right graphs, with spaces and shell metacharacters in every
 * path; the systemd units quote the same paths for systemd; status reports
 * what is installed and the last sync.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateDocument } from "../../../fixtures/graph/generate.ts";
import type { Json } from "../../../plugins/graph/tree.ts";
import { tempDir } from "../../helpers/temp.ts";
import { graphRun, outputOf, writeDocs } from "./_cli.ts";

/** A folder name made of what shells and cron treat as syntax. */
const NASTY = `we ir $(touch PWNED) \`touch PWNED2\` 'q" ;& |x %d \\n $HOME`;

async function sh(args: string[], cwd: string): Promise<Deno.CommandOutput> {
  return await new Deno.Command("sh", {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { PATH: Deno.env.get("PATH") ?? "" },
  })
    .output();
}

async function pendingDocs(home: string, n: number): Promise<void> {
  const docs: Record<string, Json> = {};
  for (let i = 0; i < n; i++) docs[`c${i}`] = generateDocument(i, { seed: 3, maxArray: 8 }) as Json;
  await writeDocs(join(home, "in"), docs);
  await Deno.writeTextFile(join(home, "blocker"), "");
  const up = await graphRun(home, [
    "graph.batch_upload_dual",
    "--input",
    join(home, "in"),
    "--hybrid-db",
    join(home, "blocker", "h.db"),
  ]);
  assert.equal(up.code, 3, up.stderr);
}

Deno.test("the generated cron script and crontab line run graph.sync_to_hybrid on the right graphs, metacharacters in paths", async () => {
  await using tmp = await tempDir("weir-graph-cron-");
  const home = join(tmp.path, NASTY);
  await Deno.mkdir(home);
  await pendingDocs(home, 5);
  const setup = await graphRun(home, ["graph.setup_auto_sync", "--method", "cron", "--limit", "3"]);
  assert.equal(setup.code, 0, setup.stderr);
  const out = outputOf<{ files: string[]; crontab_line: string; command: string[] }>(setup);
  const script = join(home, "graph", "auto_sync", "weir-graph-sync.sh");
  assert.deepEqual(out.files, [script]);
  assert.ok(out.command.includes("graph.sync_to_hybrid"));
  assert.equal((await Deno.stat(script)).mode! & 0o111, 0o111, "the script is executable");

  // Run the script as cron would: sh, from another directory, with a bare PATH.
  const first = await sh([script], tmp.path);
  assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
  assert.equal(new TextDecoder().decode(first.stderr), "", "--quiet: nothing on stderr");
  assert.equal(JSON.parse(new TextDecoder().decode(first.stdout)).output.documents_synced, 3);

  // The crontab line: cron turns `\%` back into `%` and hands the rest to sh -c.
  const fields = out.crontab_line.split(" ");
  assert.equal(fields.slice(0, 5).join(" "), "*/5 * * * *");
  const command = fields.slice(5).join(" ");
  assert.ok(!/(^|[^\\])%/.test(command), "every % is escaped for cron");
  const second = await sh(["-c", command.replaceAll("\\%", "%")], tmp.path);
  assert.equal(second.code, 0, new TextDecoder().decode(second.stderr));
  const log = await Deno.readTextFile(join(home, "graph", "auto_sync", "sync.log"));
  assert.equal(JSON.parse(log).output.documents_synced, 2);

  for (const name of ["PWNED", "PWNED2"]) {
    for (const dir of [tmp.path, home]) {
      await assert.rejects(
        Deno.stat(join(dir, name)),
        Deno.errors.NotFound,
        "nothing in a path ran",
      );
    }
  }
  const status = outputOf<{
    installed: Record<string, boolean>;
    last_sync: { documents_synced: number } | null;
    by_status: Record<string, number>;
  }>(await graphRun(home, ["graph.setup_auto_sync", "--method", "status"]));
  assert.equal(status.installed["weir-graph-sync.sh"], true);
  assert.equal(status.installed["weir-graph-sync.timer"], false);
  assert.equal(status.last_sync?.documents_synced, 2);
  assert.deepEqual(status.by_status, { synced: 5 });
});

Deno.test("setup_auto_sync --method systemd writes a service and a timer that quote the script for systemd", async () => {
  await using tmp = await tempDir("weir-graph-systemd-");
  const home = join(tmp.path, NASTY);
  await Deno.mkdir(home);
  const run = await graphRun(home, [
    "graph.setup_auto_sync",
    "--method",
    "systemd",
    "--on-calendar",
    "hourly",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const dir = join(home, "graph", "auto_sync");
  const service = await Deno.readTextFile(join(dir, "weir-graph-sync.service"));
  const timer = await Deno.readTextFile(join(dir, "weir-graph-sync.timer"));
  const exec = service.split("\n").find((l) => l.startsWith("ExecStart="))!;
  const quoted = exec.slice("ExecStart=/bin/sh ".length);
  // systemd's rules: "..." with \\ and \" escapes, %% for %, $$ for $.
  assert.match(quoted, /^".*"$/);
  const unquoted = quoted.slice(1, -1).replace(/\\(["\\])/g, "$1").replaceAll("%%", "%").replaceAll(
    "$$",
    "$",
  );
  assert.equal(unquoted, join(dir, "weir-graph-sync.sh"));
  assert.ok(!/(^|[^%])%[^%]/.test(quoted.replaceAll("%%", "")), "no bare % specifier");
  assert.match(timer, /^OnCalendar=hourly$/m);
  const status = outputOf<{ installed: Record<string, boolean> }>(
    await graphRun(home, ["graph.setup_auto_sync", "--method", "status"]),
  );
  assert.deepEqual(status.installed, {
    "weir-graph-sync.sh": true,
    "weir-graph-sync.service": true,
    "weir-graph-sync.timer": true,
  });
});

Deno.test("setup_auto_sync refuses a path Deno's permission flags cannot name", async () => {
  await using tmp = await tempDir("weir-graph-comma-");
  const home = join(tmp.path, "a,b");
  await Deno.mkdir(home);
  const run = await graphRun(home, ["graph.setup_auto_sync", "--method", "cron"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cannot name a path with a comma/);
});
