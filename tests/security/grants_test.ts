/**
 * Attacks on the pre-flight: Deno's grants are lexical and git runs as a
 * subprocess, so a symbolic link or a repository named another way could
 * read or write outside what was granted. Each must now stop with exit 2,
 * naming the real location's flag, before anything is read or written.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FsObjectStore } from "../../lib/objects/fs.ts";
import { InvalidObjectKeyError } from "../../lib/objects/key.ts";
import { ROOT, SOURCE_FOLDERS, weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";
import { makeBareRepo } from "./_git_http_server.ts";

/** A granted folder and an outside one, and the flags that grant only the first. */
async function layout(tmp: string) {
  const granted = join(tmp, "granted");
  const outside = join(tmp, "outside");
  await Deno.mkdir(granted);
  await Deno.mkdir(join(outside, "pages"), { recursive: true });
  await Deno.writeTextFile(join(outside, "pages", "Secret.md"), "- ### OntologyBlock\n");
  const perms = [
    `--allow-read=${[granted, ...SOURCE_FOLDERS].join(",")}`,
    `--allow-write=${granted}`,
    "--allow-run=git",
  ];
  return { granted, outside, perms, home: join(granted, "home") };
}

function errorOf(run: { lines: Record<string, unknown>[]; stderr: string }): string {
  return String(run.lines.find((l) => l.level === "error")?.msg ?? run.stderr);
}

async function sync(home: string, source: unknown, perms: string[], db?: string) {
  return await weir([
    "--home",
    home,
    "run",
    "streaming.sync",
    "--params",
    JSON.stringify({ source, db: db ?? join(home, "o.db") }),
  ], { perms });
}

Deno.test("grants: a git source written file:// outside the grant is exit 2 naming the repository", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { outside, perms, home } = await layout(tmp.path);
  const repo = await makeBareRepo(outside, "secret");
  const run = await sync(home, { kind: "git", repo: `file://${repo}` }, perms);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    errorOf(run),
    new RegExp(`permission is missing: run again with --allow-read=${repo}`),
  );
});

Deno.test("grants: an in-tree .git file pointing outside the grant is exit 2 naming the real git folder", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside, perms, home } = await layout(tmp.path);
  const gitDir = await makeBareRepo(outside, "secret");
  const repo = join(granted, "innocent");
  await Deno.mkdir(repo);
  await Deno.writeTextFile(join(repo, ".git"), `gitdir: ${gitDir}\n`);
  const run = await sync(home, { kind: "git", repo }, perms);
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), new RegExp(`run again with --allow-read=${gitDir}`));
});

Deno.test("grants: an in-tree .git that is a symbolic link outside the grant is exit 2 naming its target", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside, perms, home } = await layout(tmp.path);
  const gitDir = await makeBareRepo(outside, "secret");
  const repo = join(granted, "innocent");
  await Deno.mkdir(repo);
  await Deno.symlink(gitDir, join(repo, ".git"));
  const run = await sync(home, { kind: "git", repo }, perms);
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), new RegExp(`run again with --allow-read=${gitDir}`));
});

Deno.test("grants: a source root that is a symbolic link out of the grant is exit 2 naming its real place", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside, perms, home } = await layout(tmp.path);
  await Deno.symlink(join(outside, "pages"), join(granted, "pages"));
  const run = await sync(home, { kind: "dir", path: join(granted, "pages") }, perms);
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), new RegExp(`run again with --allow-read=${join(outside, "pages")}`));
});

Deno.test("grants: a --db under a symbolic link out of the grant is exit 2 naming its real place", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside, perms, home } = await layout(tmp.path);
  await Deno.mkdir(join(granted, "pages"));
  await Deno.symlink(outside, join(granted, "db"));
  const run = await sync(
    home,
    { kind: "dir", path: join(granted, "pages") },
    perms,
    join(granted, "db", "o.db"),
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), new RegExp(`--allow-write=${outside}`));
  assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["pages"]);
});

Deno.test("grants: a home that is a symbolic link out of the grant is exit 2 naming its real place", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside, perms } = await layout(tmp.path);
  await Deno.symlink(outside, join(granted, "home"));
  await Deno.mkdir(join(granted, "pages"));
  const run = await sync(
    join(granted, "home"),
    { kind: "dir", path: join(granted, "pages") },
    perms,
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), new RegExp(`--allow-read=${outside}`));
  assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["pages"]);
});

Deno.test("grants: a snapshot whose objects folder is a symbolic link out of the home is exit 2, nothing written", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside, home } = await layout(tmp.path);
  await Deno.mkdir(home);
  await Deno.symlink(outside, join(home, "objects"));
  const source = join(ROOT, "fixtures", "example");
  const run = await weir(["--home", home, "run", "example.snapshot", "--source", source], {
    perms: [
      `--allow-read=${[granted, source, ...SOURCE_FOLDERS].join(",")}`,
      `--allow-write=${granted}`,
    ],
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), new RegExp(`--allow-write=${outside}`));
  assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["pages"]);
});

Deno.test("grants: the filesystem object store refuses to follow a symbolic link inside its root", async () => {
  await using tmp = await tempDir("weir-sec-grants-");
  const { granted, outside } = await layout(tmp.path);
  const root = join(granted, "objects");
  await Deno.mkdir(root);
  await Deno.symlink(outside, join(root, "snapshots"));
  await Deno.symlink(join(outside, "pages", "Secret.md"), join(root, "leak.md"));
  const store = new FsObjectStore(root);
  await assert.rejects(store.put("snapshots/a.json", "{}"), InvalidObjectKeyError);
  await assert.rejects(store.get("snapshots/pages/Secret.md"), InvalidObjectKeyError);
  await assert.rejects(store.get("leak.md"), InvalidObjectKeyError);
  await assert.rejects(store.head("leak.md"), InvalidObjectKeyError);
  await assert.rejects(store.delete("snapshots/a.json"), InvalidObjectKeyError);
  assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["pages"]);
  assert.equal(await store.put("ok/a.json", "{}").then((r) => r.size), 2);
});
