/**
 * streaming.sync over its remote sources: a real git repository read at a
 * ref, and the GitHub adapter against a local server in GitHub's shapes
 * (5xx retried, a missing blob failing only its page, ETags reused).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { answers, startFakeGitHub } from "../helpers/fake_github.ts";
import { testKernel } from "../helpers/kernel.ts";
import { assertCleanDatabase, dumpOntology } from "../helpers/ontology.ts";

const SAMPLE = "fixtures/ontology/sample/pages";

async function samplePages(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(SAMPLE)) {
    files[`pages/${entry.name}`] = await Deno.readTextFile(join(SAMPLE, entry.name));
  }
  return files;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=weir", "-c", "user.email=weir@example.org", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

interface Out {
  saved: number;
  unchanged: number;
  skipped: number;
  failed: number;
  deleted: number;
}

Deno.test("streaming.sync reads a git repository at a ref, then only what the next commit changed", async () => {
  await using t = await testKernel();
  const repo = join(t.home, "repo");
  await Deno.mkdir(join(repo, "pages"), { recursive: true });
  for (const [path, text] of Object.entries(await samplePages())) {
    await Deno.writeTextFile(join(repo, path), text);
  }
  await Deno.writeTextFile(join(repo, "README.md"), "not under the prefix");
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "add", ".");
  await git(repo, "commit", "-q", "-m", "first");

  const db = join(t.home, "o.db");
  const sync = async () =>
    (await t.kernel.runTask("streaming.sync", { source: `git:${repo}@main:pages/`, db }))
      .output as Out;
  const first = await sync();
  assert.deepEqual([first.saved, first.skipped, first.failed], [10, 3, 4]);
  const versions = dumpOntology(db).pages as { path: string; version: string }[];
  assert.ok(versions.every((p) => /^[0-9a-f]{40}$/.test(p.version)), "versions are blob shas");

  // The next commit turns one page into a note and removes another.
  await Deno.writeTextFile(join(repo, "pages/Mesh.md"), "- a note without a block\n");
  await git(repo, "rm", "-q", "pages/Inbox.md");
  await git(repo, "commit", "-q", "-am", "second");
  const second = await sync();
  assert.deepEqual(
    [second.saved, second.skipped, second.deleted, second.unchanged, second.failed],
    [0, 1, 1, 11, 4],
  );
  const mesh = (dumpOntology(db).pages as { path: string; outcome: string }[])
    .find((p) => p.path === "pages/Mesh.md");
  assert.equal(mesh?.outcome, "skipped");
  assertCleanDatabase(db);
});

Deno.test("streaming.sync over GitHub retries 5xx, keeps the token out of records, and reuses ETags", async () => {
  const github = await startFakeGitHub({ files: await samplePages(), token: "ghp_test_token_123" });
  await using t = await testKernel({ env: { GITHUB_TOKEN: "ghp_test_token_123" } });
  try {
    const db = join(t.home, "o.db");
    const source = { kind: "github", owner: "octo", repo: "graph", baseUrl: github.url };
    // The archive of a first sync is refused, so every page is read from its blob
    // (tests/plugins/streaming/github_archive_test.ts covers the archive). Each of
    // these answers one blob request; the adapter retries it.
    github.script("/tarball/", answers.serverError(502));
    github.script("/git/blobs/", answers.serverError(502), answers.serverError(503));
    const first = await t.kernel.runTask("streaming.sync", {
      source: { ...source, token: "ghp_test_token_123" },
      db,
    });
    const out = first.output as Out;
    assert.deepEqual([out.saved, out.skipped, out.failed], [10, 3, 4], first.error);
    const blobs = github.requestsTo("/git/blobs/");
    assert.equal(blobs.length, 17 + 2, "two blob requests were retried");
    assert.ok(
      github.requests.every((r) => r.headers.authorization === "Bearer ghp_test_token_123"),
    );

    // The token came in as a param: it never reaches the run records.
    const record = JSON.stringify(t.kernel.records().get(first.runId));
    assert.ok(!record.includes("ghp_test_token_123"));

    const before = github.requests.length;
    const again = await t.kernel.runTask("streaming.sync", { source, db });
    assert.equal((again.output as Out).unchanged, 13);
    const listing = github.requests.slice(before).filter((r) => r.path.includes("/git/trees/"));
    assert.ok(
      listing.length > 0 && listing.every((r) => r.status === 304),
      "the tree was not resent",
    );
    assert.equal(
      github.requests.slice(before).filter((r) => r.path.includes("/git/blobs/")).length,
      4,
    );
    assertCleanDatabase(db);
  } finally {
    await github.close();
  }
});
