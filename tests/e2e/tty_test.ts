/**
 * Terminal output (issue 7, item 8): on a terminal `run` and `pipeline`
 * print a human summary, `--json` forces the envelope; piped, the envelope.
 * The terminal is a real pseudo-terminal from util-linux `script`.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { ROOT, weir } from "../helpers/cli.ts";

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts"];
const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));
const RUN_ID = /\d{8}T\d{6}Z-[0-9a-f]{8}/;

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Runs the CLI with stdout and stderr on a pseudo-terminal; returns what it showed. */
async function weirOnTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const cmd = [
    Deno.execPath(),
    "run",
    "--no-prompt",
    "--allow-read",
    "--allow-write",
    "--allow-run=deno",
    "main.ts",
    ...args,
  ].map(quote).join(" ");
  const out = await new Deno.Command(SCRIPT!, {
    args: ["-qec", cmd, "/dev/null"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, screen: new TextDecoder().decode(out.stdout).replaceAll("\r", "") };
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "weir-tty-" });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const ignore = SCRIPT === undefined;

Deno.test({
  name: "on a terminal, weir run prints a summary with status, run id, output and failures",
  ignore,
  fn: () =>
    withHome(async (home) => {
      const { code, screen } = await weirOnTerminal([
        ...PROBE,
        "--home",
        home,
        "run",
        "probe.partial",
        "--items",
        "a",
        "--items",
        "bad1",
      ]);
      assert.equal(code, 3, screen);
      assert.match(screen, new RegExp(`probe\\.partial: partial \\(run ${RUN_ID.source}\\)\n`));
      assert.match(screen, /\n {2}ok {2}1\n/);
      assert.match(screen, /\ncounters: ok=1\n/);
      assert.match(screen, /\n1 failed:\n {2}bad1: item "bad1" is malformed\n/);
      assert.doesNotMatch(screen, /"run_id"/, "no JSON envelope");
    }),
});

Deno.test({
  name: "on a terminal, weir pipeline prints the pipeline's summary lines, not the envelope",
  ignore,
  fn: () =>
    withHome(async (home) => {
      const { code, screen } = await weirOnTerminal([
        ...PROBE,
        "--home",
        home,
        "pipeline",
        "probe-resume",
        "--dir",
        home,
      ]);
      assert.equal(code, 0, screen);
      assert.match(screen, new RegExp(`probe-resume: ok \\(run ${RUN_ID.source}\\)\n`));
      assert.match(screen, /\nfirst ran \{"runs":1\}\n/);
      assert.doesNotMatch(screen, /"run_id"/);
    }),
});

Deno.test({
  name: "on a terminal, --json prints the JSON envelope",
  ignore,
  fn: () =>
    withHome(async (home) => {
      const { code, screen } = await weirOnTerminal([
        ...PROBE,
        "--json",
        "--home",
        home,
        "run",
        "probe.echo",
        "--text",
        "hey",
      ]);
      assert.equal(code, 0, screen);
      const start = screen.indexOf("{\n");
      const envelope = JSON.parse(screen.slice(start, screen.lastIndexOf("}") + 1));
      assert.equal(envelope.status, "succeeded");
      assert.deepEqual(envelope.output, { text: "hey", tags: [] });
    }),
});

Deno.test("piped, weir run and weir pipeline print the JSON envelope and nothing else", async () => {
  await withHome(async (home) => {
    const run = await weir([...PROBE, "--home", home, "run", "probe.echo", "--text", "hey"]);
    assert.equal(run.code, 0, run.stderr);
    const envelope = run.json as { run_id: string; status: string; output: unknown };
    assert.match(envelope.run_id, RUN_ID);
    assert.equal(envelope.status, "succeeded");
    const pipeline = await weir([
      ...PROBE,
      "--home",
      home,
      "pipeline",
      "probe-resume",
      "--dir",
      home,
    ]);
    assert.equal(pipeline.code, 0, pipeline.stderr);
    assert.equal((pipeline.json as { status: string }).status, "succeeded");
    // The pipeline's summary lines go to stderr for people watching the logs.
    assert.match(pipeline.stderr, /first ran \{"runs":1\}/);
  });
});
