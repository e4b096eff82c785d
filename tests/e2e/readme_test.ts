/**
 * The README works as written: its plugin example is loaded with `--plugin`
 * and run through the CLI, and every command of its sh blocks runs as a
 * user types it, in a copy of the repository, with its documented exit code
 * (or is listed with the reason it cannot run here).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, weir } from "../helpers/cli.ts";
import { copyRepo, shell } from "../helpers/repo_copy.ts";

async function extractPlugin(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const block = readme.match(/```ts\n\/\/ words\.ts\n([\s\S]*?)```/);
  assert.ok(block, "README.md holds the words.ts example");
  const dir = join(ROOT, "tests/.tmp");
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, `words_${crypto.randomUUID()}.ts`);
  await Deno.writeTextFile(file, block[1].replace('from "./mod.ts"', 'from "../../mod.ts"'));
  return file;
}

Deno.test("the README's plugin example counts words and lists unreadable files (exit 3)", async () => {
  const plugin = await extractPlugin();
  const home = await Deno.makeTempDir();
  try {
    const ok = await weir([
      "--plugin",
      plugin,
      "--home",
      home,
      "run",
      "words.count",
      "--files",
      "fixtures/example/README.md",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual((ok.json as { output: unknown }).output, { words: 7 });

    const partial = await weir([
      "--plugin",
      plugin,
      "--home",
      home,
      "run",
      "words.count",
      "--files",
      "fixtures/example/README.md",
      "--files",
      "fixtures/example/missing.md",
    ]);
    assert.equal(partial.code, 3, partial.stderr);
    const env = partial.json as { failures: { item: string; reason: string }[] };
    assert.equal(env.failures[0].item, "fixtures/example/missing.md");
    assert.match(env.failures[0].reason, /No such file or directory/);

    const denied = await weir(
      ["--plugin", plugin, "--home", home, "run", "words.count", "--files", "/etc/hostname"],
      { perms: [`--allow-read=${ROOT},${home}`, `--allow-write=${home}`] },
    );
    assert.equal(denied.code, 2);
    assert.ok(denied.stderr.includes("run again with --allow-read=/etc/hostname"), denied.stderr);
  } finally {
    await Deno.remove(plugin);
    await Deno.remove(home, { recursive: true });
  }
});

/** What a README command must do when run as typed. */
interface Expect {
  /** Its exit code. */
  exit: number;
  /** More checks of its output. */
  check?: (stdout: string) => void;
}

const envelope = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

/** Every README command the test runs, with the exit code the README documents. */
const RUN: Record<string, Expect> = {
  "deno task demo": { exit: 0, check: (o) => assert.equal(envelope(o).status, "succeeded") },
  "deno task weir list": {
    exit: 0,
    check: (o) => assert.ok((envelope(o).plugins as unknown[]).length >= 2),
  },
  "deno task weir describe example.snapshot": { exit: 0 },
  "deno task weir run example.snapshot --source fixtures/example --name docs": { exit: 0 },
  [`deno task weir run example.snapshot --params '{"source":"fixtures/example"}'`]: { exit: 0 },
  "deno task weir run example.snapshot --params-file fixtures/example.params.json --concurrency 8":
    { exit: 0, check: (o) => assert.equal((envelope(o).output as { name: string }).name, "docs") },
  "deno task weir run example.snapshot --help": {
    exit: 0,
    check: (o) => assert.match(o, /--source <string>/),
  },
  "deno task weir pipeline demo": { exit: 0 },
  "deno task weir pipeline demo --help": {
    exit: 0,
    check: (o) => assert.match(o, /--source <string>/),
  },
  "deno task weir --json pipeline demo": {
    exit: 0,
    check: (o) => assert.equal(envelope(o).status, "succeeded"),
  },
  "deno task weir pipeline demo --resume <run-id>": { exit: 2 },
  "deno task weir runs": { exit: 0 },
  "deno task weir runs show <run-id>": { exit: 0 },
  [`out=$(weir --quiet run example.verify --name nightly) || echo "verify failed: $(jq -r .run_id <<<"$out")"`]:
    { exit: 0, check: (o) => assert.match(o, /^verify failed: \d{8}T\d{6}Z-[0-9a-f]+\n$/) },
  "deno run -R -W=.weir --allow-run=deno main.ts --plugin words.ts run words.count --files README.md --files fixtures/example/README.md":
    { exit: 0, check: (o) => assert.ok((envelope(o).output as { words: number }).words > 100) },
  "deno task new:plugin tally": { exit: 0 },
  "deno task tally:count": { exit: 0 },
  "deno test -P=test tests/plugins/tally/": { exit: 0 },
  "deno task sync:ontology": { exit: 3 },
  "deno task sync:ontology --source dir:fixtures/ontology/sample/pages --full": { exit: 3 },
  "deno task weir run streaming.sync --source git:.@HEAD:fixtures/ontology/sample/pages/ --workers 8":
    {
      exit: 3,
      check: (o) => assert.equal((envelope(o).failures as unknown[]).length, 4),
    },
  "deno task weir run streaming.status": { exit: 0 },
  "deno task weir run streaming.check": {
    exit: 0,
    check: (o) => assert.equal((envelope(o).output as { ok: boolean }).ok, true),
  },
  "deno task services:status": { exit: 3 },
  "deno task plan:contracts": { exit: 0 },
  "deno task plan:contracts --skip-unchanged": {
    exit: 0,
    check: (o) => {
      const out = envelope(o).output as { bind: { skipped: boolean }; match: { resumed: number } };
      assert.deepEqual([out.bind.skipped, out.match.resumed], [true, 8]);
    },
  },
  "deno task weir run contracts.compare --contracts fixtures/contracts/sample/contracts --document fixtures/contracts/sample/document.json --questionnaire fixtures/contracts/sample/questionnaire.json --labels fixtures/contracts/sample/labels.json --expected-contracts 8 --expected-chunks 4":
    {
      exit: 0,
      check: (o) => assert.equal((envelope(o).output as { labelled: boolean }).labelled, true),
    },
  "deno task ingest:canonical": { exit: 0 },
  "deno task ingest:canonical --trigger per-batch": { exit: 0 },
  "deno task weir run canonical.run_job --job j8 --plan-only --source jsonl:fixtures/canonical/sample/source":
    { exit: 0 },
  "deno task weir run canonical.ingest_chunk --job j8 --chunk 3 --source jsonl:fixtures/canonical/sample/source":
    { exit: 0 },
  "deno task weir run canonical.retry_chunks --job j8 --source jsonl:fixtures/canonical/sample/source":
    { exit: 0 },
  "deno task weir run canonical.transform --job j8 --tenant acme --service crm --table contacts": {
    exit: 0,
  },
  "deno task graph:upload": { exit: 0 },
  "deno task weir run graph.batch_upload_dual --input 'fixtures/graph/sample/*.json' --force": {
    exit: 0,
    check: (o) => assert.equal((envelope(o).output as { documents: number }).documents, 12),
  },
  "deno task weir run graph.sync_to_hybrid --limit 100 --quiet": { exit: 0 },
  "deno task weir run graph.migrate_to_hybrid": { exit: 0 },
  "deno task weir run graph.setup_auto_sync --method cron": { exit: 0 },
  "deno task weir run graph.status": { exit: 0 },
  "deno task partition:seed --count 600 --seed 7": { exit: 0 },
  "deno task partition:fleet --instances 3 --mode lease": {
    exit: 0,
    check: (o) => assert.equal((envelope(o).output as { duplicates: number }).duplicates, 0),
  },
  "deno task partition:verify": {
    exit: 0,
    check: (o) => assert.equal((envelope(o).output as { ok: boolean }).ok, true),
  },
  "deno task partition:status": {
    exit: 0,
    check: (o) => assert.equal((envelope(o).output as { remaining: number }).remaining, 0),
  },
};

/** Every README command the test does not run, and why. */
const SKIP: Record<string, string> = {
  "npm install -g deno@2.9.6": "installs Deno globally from npm; this test already runs on it",
  "deno task test": "the whole suite, this test included; .ci/run runs it",
  "deno task sync:ontology:github --source github:owner/graph@main:pages/":
    "needs api.github.com, a real repository and GITHUB_TOKEN; tests/helpers/fake_github.ts covers the source",
  "deno task weir run graph.periodic_sync --interval-seconds 60":
    "runs until SIGTERM; tests/plugins/graph/periodic_test.ts stops it and checks exit 130",
  "deno task services:up": "starts Neo4j (Java, Maven) and PostgreSQL; .ci/run does it",
  "deno task services:down": "stops what services:up started",
  "deno task weir run canonical.run_job --source http://127.0.0.1:8080/api --job j7 --batch-size 500":
    "needs the reader's own HTTP API; tests/plugins/canonical/http_source_test.ts covers the source",
  "export NEO4J_URI=bolt://graph.internal:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=...":
    "points weir at the reader's own servers (placeholders)",
  "export NEO4J_HYBRID_URI=bolt://graph2.internal:7687":
    "points weir at the reader's own servers (placeholders)",
  "DATABASE_URL=postgres://... deno task partition:pg run partition.process --instance-id 0 --instance-count 3":
    "points weir at the reader's own PostgreSQL (a placeholder); tests/plugins/partition runs it on the test server",
  "export DATABASE_URL=postgres://weir:...@db.internal:5432/weir":
    "points weir at the reader's own servers (placeholders)",
  "export S3_ENDPOINT=https://s3.example.com S3_BUCKET=weir AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...":
    "points weir at the reader's own servers (placeholders)",
};

/** The README's shell commands in order: each line of a sh block, its comment kept. */
function readmeCommands(readme: string): { key: string; line: string }[] {
  const out = [];
  for (const block of readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1].split("\n")) {
      if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
      out.push({ key: line.replace(/\s+#\s.*$/, "").trim(), line });
    }
  }
  return out;
}

Deno.test("every command in the README's sh blocks runs as typed, with its documented exit code", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const commands = readmeCommands(readme);
  const keys = new Set(commands.map((c) => c.key));
  const unlisted = [...keys].filter((k) => !(k in RUN) && !(k in SKIP));
  assert.deepEqual(unlisted, [], "README commands neither run nor skipped with a reason");
  const stale = [...Object.keys(RUN), ...Object.keys(SKIP)].filter((k) => !keys.has(k));
  assert.deepEqual(stale, [], "listed commands the README no longer shows");

  await using repo = await copyRepo({ git: true });
  const words = readme.match(/```ts\n\/\/ words\.ts\n([\s\S]*?)```/);
  assert.ok(words, "README.md holds the words.ts example");
  await Deno.writeTextFile(join(repo.root, "words.ts"), words[1]);
  // `weir` in the cron example is the compiled binary; this stands in for it.
  const bin = join(repo.root, ".bin");
  await Deno.mkdir(bin);
  await Deno.writeTextFile(
    join(bin, "weir"),
    `#!/bin/sh\nexec deno run -P=weir --config "${repo.root}/deno.json" "${repo.root}/main.ts" "$@"\n`,
    { mode: 0o755 },
  );

  const placeholders: Record<string, string> = {};
  for (const { key, line } of commands) {
    if (key in SKIP) continue;
    const typed = line.replaceAll(/<[a-z-]+>/g, (p) => {
      assert.ok(p in placeholders, `${p} in "${key}" has no value from an earlier command`);
      return placeholders[p];
    });
    const run = await shell(repo.root, typed, { path: [bin] });
    const expect = RUN[key];
    assert.equal(run.code, expect.exit, `${typed}\n${run.stdout}\n${run.stderr}`);
    expect.check?.(run.stdout);
    if (run.code === 0 && run.stdout.startsWith("{")) {
      const id = envelope(run.stdout).run_id;
      if (typeof id === "string") placeholders["<run-id>"] = id;
    }
  }
});
