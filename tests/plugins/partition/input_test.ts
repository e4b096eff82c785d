/**
 * `partition.process` refuses a bad instance id or count before any work,
 * with exit 2 and a message naming the allowed range; a contract whose
 * identifiers carry SQL is refused the same way, naming the field.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { weir } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/temp.ts";

const PERMS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname"];

/** The messages of the run's JSON log lines on stderr. */
const messages = (run: { lines: Record<string, unknown>[] }) =>
  run.lines.map((l) => String(l.msg)).join("\n");

const CASES: [string[], string][] = [
  [
    ["--instance-id", "3", "--instance-count", "3"],
    '"--instance-id": must be an integer from 0 to 2 (instance-count is 3): current value is 3',
  ],
  [
    ["--instance-id", "-1", "--instance-count", "3"],
    '"--instance-id": must be an integer from 0 to 2 (instance-count is 3): current value is -1',
  ],
  [
    ["--instance-id", "1.5", "--instance-count", "3"],
    '"--instance-id": must be an integer from 0 to 2 (instance-count is 3): current value is 1.5',
  ],
  [
    ["--instance-count", "0"],
    '"--instance-count": must be an integer from 1 to 1024: current value is 0',
  ],
  [
    ["--instance-count", "2.5"],
    '"--instance-count": must be an integer from 1 to 1024: current value is 2.5',
  ],
  [
    ["--instance-count", "5000"],
    '"--instance-count": must be an integer from 1 to 1024: current value is 5000',
  ],
  [
    ["--instance-id", "two"],
    'Cannot use --instance-id as it expects a number: current value is "two"',
  ],
];

for (const [args, message] of CASES) {
  Deno.test(`partition.process ${args.join(" ")} exits 2: ${message}`, async () => {
    await using home = await tempDir("weir-partition-");
    const run = await weir(["--home", home.path, "run", "partition.process", ...args], {
      env: { DATABASE_URL: "" },
      perms: PERMS,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.ok(messages(run).includes(message), run.stderr);
    assert.equal(run.stdout, "");
    // Nothing was opened: no database appeared under the home.
    await assert.rejects(Deno.stat(join(home.path, "partition")), Deno.errors.NotFound);
  });
}

const BAD_IDENTIFIERS: [string, (c: Record<string, unknown>) => void, string][] = [
  [
    "a table name",
    (c) => ((c.tables as { name: string }[])[0].name = 'apps"; DROP TABLE x; --'),
    "tables.0.name",
  ],
  [
    "a column name",
    (
      c,
    ) => (((c.tables as { columns: { name: string }[] }[])[1].columns[0].name) =
      "seq) VALUES (1); --"),
    "tables.1.columns.0.name",
  ],
  ["the schema", (c) => (c.schema = "public; DROP SCHEMA public"), "schema"],
  ["the source table", (c) => ((c.source as { table: string }).table = "src'--"), "source.table"],
];

for (const [what, mutate, path] of BAD_IDENTIFIERS) {
  Deno.test(`partition.process refuses a contract whose ${what} carries SQL metacharacters`, async () => {
    await using home = await tempDir("weir-partition-");
    const contract = JSON.parse(await Deno.readTextFile("fixtures/partition/mapping.json"));
    mutate(contract);
    const file = join(home.path, "bad.json");
    await Deno.writeTextFile(file, JSON.stringify(contract));
    const db = join(home.path, "p.db");
    const run = await weir([
      "--home",
      home.path,
      "run",
      "partition.process",
      "--contract",
      file,
      "--db",
      db,
    ], {
      env: { DATABASE_URL: "" },
      perms: PERMS,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      messages(run),
      new RegExp(
        `Cannot use mapping contract .*bad\\.json.* as it is invalid: ${
          path.replaceAll(".", "\\.")
        }: Cannot use`,
      ),
    );
    assert.match(messages(run), /must be an SQL identifier/);
    await assert.rejects(Deno.stat(db), Deno.errors.NotFound);
  });
}
