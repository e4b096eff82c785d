/**
 * Input errors as a shell script sees them (issue 7, item 7): nothing on
 * stdout, one clear line on stderr naming what was wrong, no stack trace,
 * and the exit code of the contract.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { weir } from "../helpers/cli.ts";

const PROBE = ["--plugin", "tests/fixtures/probe_plugin.ts"];
const ECHO_KEYS = "text, times, loud, tags, url";
const GLOBAL_FLAGS =
  "-q, --quiet, -v, --verbose, -h, --help, --version, --json, --home, --feature, --plugin, --sandbox-timeout, --log-format";

/** Asserts an empty stdout and exactly one JSON error line with this message and exit code. */
function assertOneError(
  run: { code: number; stdout: string; stderr: string },
  exitCode: number,
  message: string,
): void {
  assert.equal(run.code, exitCode, run.stderr);
  assert.equal(run.stdout, "");
  const lines = run.stderr.split("\n").filter((l) => l.trim() && !l.includes("experimental"));
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${run.stderr}`);
  const line = JSON.parse(lines[0]);
  assert.equal(line.level, "error");
  assert.equal(line.exit_code, exitCode);
  assert.equal(line.msg, message);
  assert(!/\n\s+at /.test(run.stderr), "no stack trace");
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weir-input-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an unknown flag before the command is exit 2 naming it, with nothing on stdout", async () => {
  const run = await weir(["--nope", "list"], { perms: [] });
  assertOneError(
    run,
    2,
    `Cannot use unknown global flag --nope: known global flags are ${GLOBAL_FLAGS}`,
  );
});

for (const limit of ["1e308", "0", "10001", "2.5", "many"]) {
  Deno.test(`runs --limit ${limit} is exit 2 naming the range, before the database is opened`, async () => {
    await withTempDir(async (dir) => {
      const home = join(dir, "home");
      const run = await weir(["--home", home, "runs", "--limit", limit]);
      assertOneError(
        run,
        2,
        `Cannot use --limit as it expects an integer from 1 to 10000: current value is "${limit}"`,
      );
      assert.equal(await Deno.stat(home).catch(() => null), null, "nothing was created");
    });
  });
}

Deno.test("--home naming a file is exit 2 naming --home", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    const run = await weir(["--home", file, "runs"]);
    assertOneError(
      run,
      2,
      `Cannot use --home as it is a file, not a directory: current value is "${file}"`,
    );
  });
});

Deno.test("WEIR_HOME naming a file is exit 2 naming WEIR_HOME", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    const run = await weir([...PROBE, "run", "probe.echo"], {
      perms: ["--allow-read", "--allow-write", "--allow-env"],
      env: { WEIR_HOME: file },
    });
    assertOneError(
      run,
      2,
      `Cannot use WEIR_HOME as it is a file, not a directory: current value is "${file}"`,
    );
  });
});

Deno.test("WEIR_HOME under a file is exit 2 naming the file in the way", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "");
    const home = join(file, "home");
    const run = await weir(["runs"], {
      perms: ["--allow-read", "--allow-write", "--allow-env"],
      env: { WEIR_HOME: home },
    });
    assertOneError(
      run,
      2,
      `Cannot use WEIR_HOME as a parent of it is a file, not a directory ("${file}"): current value is "${home}"`,
    );
  });
});

Deno.test({
  name: "a WEIR_HOME that cannot be written is exit 2 naming WEIR_HOME",
  // Root writes through mode bits (and Deno guards /sys and /proc), so only others can see it.
  ignore: Deno.uid() === 0,
  fn: async () => {
    await withTempDir(async (dir) => {
      const parent = join(dir, "read-only");
      await Deno.mkdir(parent, { mode: 0o555 });
      const home = join(parent, "home");
      const run = await weir(["runs"], {
        perms: ["--allow-read", "--allow-write", "--allow-env"],
        env: { WEIR_HOME: home },
      });
      assertOneError(
        run,
        2,
        `Cannot use WEIR_HOME as it is not writable (EACCES): current value is "${home}"`,
      );
    });
  },
});

Deno.test("a --home whose weir.db cannot be opened is exit 2 naming --home and the file", async () => {
  await withTempDir(async (dir) => {
    const db = join(dir, "weir.db");
    await Deno.mkdir(db);
    const run = await weir(["--home", dir, "runs"]);
    assertOneError(
      run,
      2,
      `Cannot use --home as its database cannot be created or opened (unable to open database file: ${db}): current value is "${dir}"`,
    );
  });
});

Deno.test("an unknown key in --params is exit 2 naming it and the known keys", async () => {
  const run = await weir([...PROBE, "run", "probe.echo", "--params", '{"txt":"x"}']);
  assertOneError(
    run,
    2,
    `Cannot use unknown key "txt" in --params: known keys are ${ECHO_KEYS}`,
  );
});

Deno.test("an unknown key in --params-file is exit 2 naming it, the file and the known keys", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "params.json");
    await Deno.writeTextFile(file, JSON.stringify({ text: "a", tims: 2 }));
    const run = await weir([...PROBE, "run", "probe.echo", "--params-file", file]);
    assertOneError(
      run,
      2,
      `Cannot use unknown key "tims" in --params-file "${file}": known keys are ${ECHO_KEYS}`,
    );
  });
});

Deno.test("an unknown key in a pipeline's --params is exit 2 naming it", async () => {
  const run = await weir([...PROBE, "pipeline", "probe-resume", "--params", '{"dri":"/x"}']);
  assertOneError(run, 2, 'Cannot use unknown key "dri" in --params: known keys are dir');
});

Deno.test("a malformed glob in --only is exit 2 naming the flag and the glob, before any work", async () => {
  await withTempDir(async (dir) => {
    const db = join(dir, "o.db");
    const run = await weir([
      "--home",
      dir,
      "run",
      "streaming.sync",
      "--source",
      "fixtures/ontology/sample",
      "--db",
      db,
      "--only",
      "pages/[a",
    ]);
    assertOneError(
      run,
      2,
      'Cannot run "streaming.sync" as its input is invalid: "--only": Invalid glob "pages/[a": Missing closing: "]" - use "\\\\]" to match literal characters',
    );
    assert.equal(await Deno.stat(db).catch(() => null), null, "no database was created");
  });
});

Deno.test("a malformed glob in a pipeline's --only is exit 2 naming the flag and the glob", async () => {
  await withTempDir(async (dir) => {
    const run = await weir(["--home", dir, "pipeline", "sync:ontology", "--only", "{a,b"]);
    assertOneError(
      run,
      2,
      'Cannot run "sync:ontology" as its input is invalid: "--only": Invalid glob "{a,b": Missing closing: "}" - use "\\\\}" to match literal characters',
    );
  });
});

Deno.test("a corrupted run-record database is exit 1 naming the file and what to do", async () => {
  await withTempDir(async (dir) => {
    const db = join(dir, "weir.db");
    await Deno.writeTextFile(db, "not a database ".repeat(100));
    const run = await weir(["--home", dir, "runs"]);
    assertOneError(
      run,
      1,
      `Cannot use database "${db}" as it is corrupted (file is not a database): it holds only run records: move it aside to start a new run history, or restore it from a backup`,
    );
  });
});

Deno.test("a corrupted plugin database is exit 1: streaming.check reports it (ok: false) rather than failing to open it", async () => {
  await withTempDir(async (dir) => {
    const db = join(dir, "ontology.db");
    await Deno.writeTextFile(db, "not a database ".repeat(100));
    const run = await weir(["--home", dir, "run", "streaming.check", "--db", db]);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    const envelope = run.json as { status: string; error: string; output: unknown };
    assert.equal(envelope.status, "failed");
    // SQLite's own words stand in for integrity_check's, as fields of the output.
    assert.deepEqual(envelope.output, {
      db,
      ok: false,
      integrity: ["file is not a database"],
      foreign_keys: [],
      orphans: {},
      rows: {},
    });
    assert.equal(
      envelope.error,
      `Cannot vouch for "${db}" as its checks failed: integrity_check found 1 problem: "file is not a database" (every finding is in the output)`,
    );
    // Any other task that opens it names the file and the check task.
    const status = await weir(["--home", dir, "run", "streaming.status", "--db", db]);
    assert.equal(status.code, 1, status.stderr);
    assert.equal(
      (status.json as { error: string }).error,
      `Cannot use database "${db}" as it is corrupted (file is not a database): restore it from a backup, or delete it and run streaming.sync again ("weir run streaming.check --db ${db}" reports the damage while it still opens)`,
    );
  });
});

Deno.test("a locked run-record database is exit 1 naming the file and the process holding it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "weir.db");
    // This process holds the file's exclusive lock until the CLI has given up.
    const holder = new DatabaseSync(path);
    try {
      holder.exec("PRAGMA locking_mode = EXCLUSIVE");
      holder.exec("CREATE TABLE t (x INTEGER)");
      holder.exec("BEGIN EXCLUSIVE");
      // Only --allow-all may read /proc, where the holding process is found.
      const run = await weir(["--home", dir, "runs"], { perms: ["--allow-all"] });
      assertOneError(
        run,
        1,
        `Cannot use database "${path}" as another connection holds its lock (database is locked): wait for process ${Deno.pid} (deno) that has it open to finish, then try again`,
      );
    } finally {
      holder.close();
    }
  });
});
