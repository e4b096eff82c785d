import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { z } from "zod";
import {
  isRetryable,
  PermanentError,
  RetryableError,
  RetryError,
} from "../../../lib/async/retry.ts";
import { compareKeys } from "../../../lib/objects/mod.ts";
import type { PageRef, PageSource } from "../../../plugins/streaming/model.ts";
import { DirSource } from "../../../plugins/streaming/sources/dir.ts";
import { GitSource } from "../../../plugins/streaming/sources/git.ts";
import {
  GitHubSource,
  type GitHubSourceOptions,
  type GitHubWaitEvent,
} from "../../../plugins/streaming/sources/github.ts";
import {
  githubNeeds,
  gitNeeds,
  normalizePrefix,
  openSource,
  parseSourceSpec,
  SourceError,
  sourceNeeds,
  sourceSpec,
} from "../../../plugins/streaming/sources/mod.ts";
import { contractSuite, runContract } from "../../helpers/contract.ts";
import { tempDir } from "../../helpers/temp.ts";
import {
  answers,
  type FakeGitHub,
  gitBlobSha,
  startFakeGitHub,
} from "../../helpers/fake_github.ts";

// ---------------------------------------------------------------------------
// The page set every adapter serves

const encoder = new TextEncoder();

/** Deterministic text of about `size` UTF-8 bytes, mixing ASCII and multi-byte characters. */
function text(seed: number, size: number): string {
  const words = ["owl:class::", "mv:Avatar", "términos", "日本語", "✓", "[[wiki link]]", "😀", "-"];
  let out = "";
  let bytes = 0;
  for (let i = seed; bytes < size; i = (i * 31 + 7) % 1009) {
    const word = words[i % words.length] + (i % 7 === 0 ? "\n" : " ");
    out += word;
    bytes += encoder.encode(word).length;
  }
  return out;
}

/** The pages under the prefix `pages/`: what every adapter must list and read. */
const PAGES: Record<string, string> = {
  "pages/Avatar.md": "- ### OntologyBlock\n  - owl:class:: mv:Avatar\n",
  "pages/a-c.md": "a dash sorts before a dot and a slash\n",
  "pages/a.md": "a\n",
  "pages/a/x.md": "nested under a folder named a\n",
  "pages/bom.md": "\uFEFFstarts with a byte-order mark\n",
  "pages/crlf.md": "line one\r\nline two\r\n",
  "pages/empty.md": "",
  "pages/sub/deeper/Ünïcødé ✓.md": "héllo ✓ \u{1F600} 日本語\n",
  "pages/big.md": text(1, 200_000),
};
for (let i = 0; i < 40; i++) {
  PAGES[`pages/gen/p${String(i).padStart(2, "0")}.md`] = text(i + 2, 4_000 + i * 150);
}

/** Files beside the pages that no adapter may list. */
const OTHERS: Record<string, string | Uint8Array> = {
  "pages/logo.png": new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 255]),
  "pages/notes.txt": "not a page",
  "pages.md": "outside: a file named like the prefix",
  "pages-extra/x.md": "outside: a sibling folder",
  "journals/2024_01_01.md": "outside the prefix",
  "README.md": "outside the prefix",
};

const EXPECTED = Object.keys(PAGES).sort(compareKeys);

async function writeFiles(root: string, files: Record<string, string | Uint8Array | null>) {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (content === null) {
      await Deno.remove(full);
      continue;
    }
    await Deno.mkdir(dirname(full), { recursive: true });
    await Deno.writeFile(full, typeof content === "string" ? encoder.encode(content) : content);
  }
}

/** Runs git in `cwd` with a fixed identity and no user or system configuration. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", {
    args: [
      "-C",
      cwd,
      "-c",
      "user.name=Test",
      "-c",
      "user.email=test@example.com",
      "-c",
      "core.autocrlf=false",
      "-c",
      "commit.gpgsign=false",
      ...args,
    ],
    env: { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(`git ${args.join(" ")} failed: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout).trim();
}

/** A fresh repository whose main branch has one commit of `files`. */
async function makeRepo(files: Record<string, string | Uint8Array>): Promise<string> {
  const repo = await Deno.makeTempDir({ prefix: "weir-git-" });
  await git(repo, "init", "--quiet", "--initial-branch=main");
  await writeFiles(repo, files);
  await git(repo, "add", "--all");
  await git(repo, "commit", "--quiet", "-m", "first");
  return repo;
}

async function commitAll(repo: string, files: Record<string, string | null>, message = "more") {
  await writeFiles(repo, files);
  await git(repo, "add", "--all");
  await git(repo, "commit", "--quiet", "-m", message);
  return await git(repo, "rev-parse", "HEAD");
}

async function paths(source: PageSource): Promise<string[]> {
  return (await Array.fromAsync(source.list())).map((page) => page.path);
}

async function versions(source: PageSource): Promise<Map<string, string>> {
  return new Map((await Array.fromAsync(source.list())).map((p) => [p.path, p.version]));
}

/** A fake clock whose sleep returns at once and moves the clock on. */
function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------
// The contract every adapter keeps

/** An adapter opened on the page set, and a way to change the pages underneath it. */
interface Fixture {
  /** The source under test, with the prefix `pages`. */
  source: PageSource;
  /** Changes files (`null` deletes) and opens a new source that sees the change. */
  update(changes: Record<string, string | null>): Promise<PageSource>;
}

const suite = contractSuite<Fixture>("PageSource", {
  "list() yields exactly the .md pages under the prefix, sorted by path in UTF-8 byte order":
    async ({ source }) => {
      assert.deepEqual(await paths(source), EXPECTED);
    },

  "list() gives every page the same version on every listing": async ({ source }) => {
    const first = await versions(source);
    assert.deepEqual(await versions(source), first);
    for (const version of first.values()) assert.match(version, /^\S+$/);
  },

  "a changed page gets a new version, the others keep theirs, and additions and deletions show":
    async ({ source, update }) => {
      const before = await versions(source);
      const changed = "- ### OntologyBlock\n  - owl:class:: mv:Avatar2 (changed, and longer)\n";
      const next = await update({
        "pages/Avatar.md": changed,
        "pages/added.md": "new page\n",
        "pages/a.md": null,
      });
      const after = await versions(next);
      assert.notEqual(after.get("pages/Avatar.md"), before.get("pages/Avatar.md"));
      assert.ok(after.has("pages/added.md"));
      assert.ok(!after.has("pages/a.md"));
      for (const [path, version] of before) {
        if (path !== "pages/Avatar.md" && path !== "pages/a.md") {
          assert.equal(after.get(path), version, path);
        }
      }
      const avatar = { path: "pages/Avatar.md", version: after.get("pages/Avatar.md")! };
      assert.equal(await next.read(avatar), changed);
    },

  "read() returns each page's exact text: UTF-8, a byte-order mark, CRLF, empty, 200 KB": async (
    { source },
  ) => {
    for await (const page of source.list()) {
      assert.equal(await source.read(page), PAGES[page.path], page.path);
    }
  },

  "concurrent reads (all pages at once) each return their own page's text": async ({ source }) => {
    const pages = await Array.fromAsync(source.list());
    assert.ok(pages.length >= 32);
    const texts = await Promise.all([...pages, ...pages.slice(0, 8)].map((p) => source.read(p)));
    for (const [i, page] of [...pages, ...pages.slice(0, 8)].entries()) {
      assert.equal(texts[i], PAGES[page.path], page.path);
    }
  },

  "read() of a page that is not there rejects with a PermanentError naming it": async (
    { source },
  ) => {
    const ghost: PageRef = { path: "pages/ghost.md", version: "0".repeat(40) };
    const err = await source.read(ghost).catch((e) => e);
    assert.ok(err instanceof PermanentError, String(err));
    assert.ok(!isRetryable(err));
    assert.match(err.message, /"pages\/ghost\.md"/);
  },

  "list() and read() reject with the signal's reason when it is already aborted": async (
    { source },
  ) => {
    const reason = new Error("stop");
    const signal = AbortSignal.abort(reason);
    await assert.rejects(Array.fromAsync(source.list(signal)), (e) => e === reason);
    const page = { path: "pages/a.md", version: (await versions(source)).get("pages/a.md")! };
    await assert.rejects(source.read(page, signal), (e) => e === reason);
  },

  "close() releases everything, can be called twice, and later calls throw": async (
    { source },
  ) => {
    const [page] = await Array.fromAsync(source.list());
    await source.read(page);
    await source.close();
    await source.close();
    await assert.rejects(source.read(page), {
      name: "Error",
      message:
        `Cannot read the page as the source is closed: current value is "${source.location}"`,
    });
    await assert.rejects(Array.fromAsync(source.list()), {
      message:
        `Cannot list the pages as the source is closed: current value is "${source.location}"`,
    });
  },

  "location names the adapter, the source and the prefix": ({ source }) => {
    assert.ok(source.location.startsWith(`${source.kind}:`), source.location);
    assert.ok(source.location.endsWith(":pages/"), source.location);
  },
});

runContract(suite, [
  {
    name: "dir",
    async open() {
      const root = await Deno.makeTempDir({ prefix: "weir-dir-" });
      await writeFiles(root, { ...PAGES, ...OTHERS });
      const sources: PageSource[] = [new DirSource(root, { prefix: "pages" })];
      return {
        adapter: {
          source: sources[0],
          async update(changes) {
            await writeFiles(root, changes);
            sources.push(new DirSource(root, { prefix: "pages/" }));
            return sources.at(-1)!;
          },
        },
        async close() {
          for (const source of sources) await source.close();
          await Deno.remove(root, { recursive: true });
        },
      };
    },
  },
  {
    name: "git",
    async open() {
      const repo = await makeRepo({ ...PAGES, ...OTHERS });
      const sources: PageSource[] = [await GitSource.open({ repo, prefix: "pages/" })];
      return {
        adapter: {
          source: sources[0],
          async update(changes) {
            await commitAll(repo, changes);
            sources.push(await GitSource.open({ repo, prefix: "pages" }));
            return sources.at(-1)!;
          },
        },
        async close() {
          for (const source of sources) await source.close();
          await Deno.remove(repo, { recursive: true });
        },
      };
    },
  },
  {
    name: "github",
    async open() {
      const github = await startFakeGitHub({ files: { ...PAGES, ...OTHERS } });
      const options = { owner: "octo", repo: "graph", baseUrl: github.url, prefix: "pages" };
      const sources: PageSource[] = [await GitHubSource.open(options)];
      return {
        adapter: {
          source: sources[0],
          async update(changes) {
            github.commit(changes);
            sources.push(await GitHubSource.open(options));
            return sources.at(-1)!;
          },
        },
        async close() {
          for (const source of sources) await source.close();
          await github.close();
        },
      };
    },
  },
]);

// ---------------------------------------------------------------------------
// DirSource

Deno.test("DirSource versions are <size>-<mtimeMs> from stat", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeFiles(root, { "Avatar.md": "héllo" });
    const mtime = new Date("2024-05-01T12:34:56.789Z");
    await Deno.utime(join(root, "Avatar.md"), mtime, mtime);
    const source = new DirSource(root);
    assert.deepEqual(await Array.fromAsync(source.list()), [
      { path: "Avatar.md", version: `6-${mtime.getTime()}` },
    ]);
    assert.equal(source.location, `dir:${root}`);
    await source.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("DirSource follows links inside the root but not links that leave it, dangle or loop", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await writeFiles(root, { "pages/real.md": "real", "README.md": "readme" });
    await writeFiles(outside, { "secret.md": "secret", "more/x.md": "x" });
    await Deno.symlink("../README.md", join(root, "pages/alias.md"));
    await Deno.symlink(join(outside, "secret.md"), join(root, "pages/leak.md"));
    await Deno.symlink(outside, join(root, "pages/outside"));
    await Deno.symlink("..", join(root, "pages/loop"));
    await Deno.symlink("nowhere.md", join(root, "pages/dangling.md"));
    const source = new DirSource(root, { prefix: "pages" });
    assert.deepEqual(await paths(source), ["pages/alias.md", "pages/real.md"]);
    assert.equal(await source.read({ path: "pages/alias.md", version: "" }), "readme");
    await assert.rejects(source.read({ path: "pages/leak.md", version: "" }), {
      name: "PermanentError",
      message:
        `Cannot read the page as it resolves outside "${root}": current value is "pages/leak.md"`,
    });
    await assert.rejects(
      source.read({ path: "pages/outside/more/x.md", version: "" }),
      PermanentError,
    );
    await source.close();
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("DirSource read() refuses a path that is not plain and relative", async () => {
  const root = await Deno.makeTempDir();
  try {
    const source = new DirSource(root);
    for (const path of ["../etc/passwd.md", "/etc/x.md", "a//b.md", "./a.md", ""]) {
      await assert.rejects(source.read({ path, version: "" }), {
        name: "PermanentError",
        message: `Cannot read the page as its path is not a plain relative path: current value is ${
          JSON.stringify(path)
        }`,
      });
    }
    await source.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("DirSource on a missing root throws a SourceError with exit code 2", async () => {
  await using tmp = await tempDir("weir-dir-");
  const root = join(tmp.path, "absent");
  const source = new DirSource(root);
  const err = await Array.fromAsync(source.list()).catch((e) => e);
  assert.ok(err instanceof SourceError);
  assert.ok(err instanceof PermanentError);
  assert.equal(err.exitCode, 2);
  assert.equal(err.code, "invalid_source");
  assert.equal(err.source, `dir:${root}`);
  assert.equal(
    err.message,
    `Cannot open the directory source as the directory does not exist: current value is "${root}"`,
  );
});

Deno.test("DirSource with a prefix folder that does not exist lists nothing", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeFiles(root, { "a.md": "a" });
    assert.deepEqual(await paths(new DirSource(root, { prefix: "pages" })), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("DirSource read() of a page removed since listing rejects with PermanentError", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeFiles(root, { "a.md": "a" });
    const source = new DirSource(root);
    const [page] = await Array.fromAsync(source.list());
    await Deno.remove(join(root, "a.md"));
    await assert.rejects(source.read(page), {
      name: "PermanentError",
      message: `Cannot read the page as it no longer exists in "${root}": current value is "a.md"`,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// GitSource

/** A repository with a tag `v1`, a branch `draft`, and a later commit on main. */
async function historyRepo() {
  const repo = await makeRepo({ "pages/Avatar.md": "v1\n", "pages/keep.md": "keep\n" });
  const first = await git(repo, "rev-parse", "HEAD");
  await git(repo, "tag", "v1");
  await git(repo, "checkout", "--quiet", "-b", "draft");
  await commitAll(repo, { "pages/draft.md": "draft only\n" });
  await git(repo, "checkout", "--quiet", "main");
  const second = await commitAll(repo, { "pages/Avatar.md": "v2\n" });
  return { repo, first, second };
}

Deno.test("GitSource reads a branch, a tag and a commit as of that ref", async () => {
  const { repo, first, second } = await historyRepo();
  try {
    const cases: [string | undefined, string, string, string[]][] = [
      [undefined, second, "v2\n", ["pages/Avatar.md", "pages/keep.md"]],
      ["main", second, "v2\n", ["pages/Avatar.md", "pages/keep.md"]],
      ["v1", first, "v1\n", ["pages/Avatar.md", "pages/keep.md"]],
      [first, first, "v1\n", ["pages/Avatar.md", "pages/keep.md"]],
      ["draft", await git(repo, "rev-parse", "draft"), "v1\n", [
        "pages/Avatar.md",
        "pages/draft.md",
        "pages/keep.md",
      ]],
    ];
    for (const [ref, commit, avatar, listed] of cases) {
      const source = await GitSource.open({ repo, ref });
      assert.equal(source.commit, commit);
      assert.equal(source.location, `git:${repo}@${ref ?? "HEAD"}`);
      const pages = await Array.fromAsync(source.list());
      assert.deepEqual(pages.map((p) => p.path), listed);
      const page = pages.find((p) => p.path === "pages/Avatar.md")!;
      assert.equal(page.version, gitBlobSha(avatar));
      assert.equal(await source.read(page), avatar);
      await source.close();
    }
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource keeps reading the commit it opened at after the branch moves", async () => {
  const { repo, second } = await historyRepo();
  const source = await GitSource.open({ repo, ref: "main" });
  try {
    await commitAll(repo, { "pages/Avatar.md": "v3\n", "pages/late.md": "late\n" });
    assert.equal(source.commit, second);
    const pages = await Array.fromAsync(source.list());
    assert.deepEqual(pages.map((p) => p.path), ["pages/Avatar.md", "pages/keep.md"]);
    assert.equal(await source.read(pages[0]), "v2\n");
  } finally {
    await source.close();
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource.open() with a ref that names no commit throws a SourceError naming repo and ref", async () => {
  const { repo } = await historyRepo();
  try {
    const err = await GitSource.open({ repo, ref: "no-such-branch", prefix: "pages" })
      .catch((e) => e);
    assert.ok(err instanceof SourceError);
    assert.equal(err.exitCode, 2);
    assert.equal(err.source, `git:${repo}@no-such-branch:pages/`);
    assert.equal(
      err.message,
      `Cannot open the git source as the ref does not name a commit in "${repo}": current value is "no-such-branch"`,
    );
    await assert.rejects(GitSource.open({ repo, ref: "--upload-pack=evil" }), {
      name: "SourceError",
      message:
        'Cannot open the git source as the ref is not a valid name: current value is "--upload-pack=evil"',
    });
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource.open() on a missing path or a folder inside a repository throws a SourceError", async () => {
  const { repo } = await historyRepo();
  try {
    const missing = join(repo, "absent");
    await assert.rejects(GitSource.open({ repo: missing }), {
      name: "SourceError",
      message:
        `Cannot open the git source as the repository does not exist: current value is "${missing}"`,
    });
    // pages/ lies inside the repository's working tree: git must not walk up to it.
    const inside = join(repo, "pages");
    await assert.rejects(GitSource.open({ repo: inside }), {
      name: "SourceError",
      message:
        `Cannot open the git source as the path is not a git repository: current value is "${inside}"`,
    });
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource does not list a symbolic link or a submodule named *.md", async () => {
  const repo = await makeRepo({ "pages/real.md": "real\n", "README.md": "readme\n" });
  try {
    await Deno.symlink("../README.md", join(repo, "pages/link.md"));
    await git(repo, "add", "--all");
    const sub = await makeRepo({ "x.md": "x" });
    await git(
      repo,
      "update-index",
      "--add",
      "--cacheinfo",
      `160000,${await git(sub, "rev-parse", "HEAD")},pages/sub.md`,
    );
    await git(repo, "commit", "--quiet", "-m", "link and submodule");
    await Deno.remove(sub, { recursive: true });
    const source = await GitSource.open({ repo });
    assert.deepEqual(await paths(source), ["README.md", "pages/real.md"]);
    await source.close();
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource read() of a missing blob is a PermanentError and the next read still works", async () => {
  const { repo } = await historyRepo();
  const source = await GitSource.open({ repo });
  try {
    const missing = "1".repeat(40);
    await assert.rejects(source.read({ path: "pages/gone.md", version: missing }), {
      name: "PermanentError",
      message:
        `Cannot read the page as its blob ${missing} is missing from the repository: current value is "pages/gone.md"`,
    });
    const tree = await git(repo, "rev-parse", "HEAD:pages");
    await assert.rejects(source.read({ path: "pages", version: tree }), {
      name: "PermanentError",
      message: `Cannot read the page as ${tree} is a tree, not a blob: current value is "pages"`,
    });
    await assert.rejects(source.read({ path: "pages/x.md", version: "12-1700000000000" }), {
      name: "PermanentError",
      message:
        'Cannot read the page as its version is not a git object id: current value is "12-1700000000000"',
    });
    const [page] = await Array.fromAsync(source.list());
    assert.equal(await source.read(page), "v2\n");
  } finally {
    await source.close();
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource: an aborted read rejects alone and the shared process stays in step", async () => {
  const repo = await makeRepo(PAGES);
  const source = await GitSource.open({ repo });
  try {
    const pages = await Array.fromAsync(source.list());
    const big = pages.find((p) => p.path === "pages/big.md")!;
    const controller = new AbortController();
    const reason = new Error("gave up");
    const aborted = source.read(big, controller.signal);
    const others = pages.slice(0, 10).map((p) => source.read(p));
    controller.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    const texts = await Promise.all(others);
    assert.deepEqual(texts, pages.slice(0, 10).map((p) => PAGES[p.path]));
    assert.equal(await source.read(big), PAGES["pages/big.md"]);
  } finally {
    await source.close();
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource close() lets the reads in flight finish", async () => {
  const repo = await makeRepo(PAGES);
  const source = await GitSource.open({ repo });
  try {
    const pages = await Array.fromAsync(source.list());
    const reads = pages.map((p) => source.read(p));
    await source.close();
    assert.deepEqual(await Promise.all(reads), pages.map((p) => PAGES[p.path]));
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource list() stopped early ends its git process", async () => {
  const repo = await makeRepo(PAGES);
  const source = await GitSource.open({ repo });
  try {
    for await (const page of source.list()) {
      assert.equal(page.path, EXPECTED[0]);
      break;
    }
  } finally {
    await source.close();
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("GitSource on a file:// URL clones into the cache once, then fetches on reuse", async () => {
  const work = await makeRepo({ "pages/Avatar.md": "v1\n" });
  const tmp = await Deno.makeTempDir();
  try {
    const bare = join(tmp, "origin.git");
    await git(tmp, "clone", "--quiet", "--bare", work, bare);
    const cacheDir = join(tmp, "cache");
    const url = `file://${bare}`;
    const first = await GitSource.open({ repo: url, cacheDir, prefix: "pages" });
    assert.equal(first.location, `git:${url}@HEAD:pages/`);
    const [v1] = await Array.fromAsync(first.list());
    assert.equal(await first.read(v1), "v1\n");
    await first.close();
    const cached = (await Array.fromAsync(Deno.readDir(cacheDir))).map((e) => e.name);
    assert.equal(cached.length, 1);
    assert.match(cached[0], /^origin-[0-9a-f]{12}\.git$/);
    assert.equal(first.gitDir, join(cacheDir, cached[0]));

    await commitAll(work, { "pages/Avatar.md": "v2\n", "pages/new.md": "new\n" });
    await git(work, "push", "--quiet", bare, "main");
    await git(work, "tag", "v2");
    await git(work, "push", "--quiet", bare, "v2");
    const second = await GitSource.open({ repo: url, cacheDir, ref: "v2", prefix: "pages" });
    assert.deepEqual((await Array.fromAsync(Deno.readDir(cacheDir))).map((e) => e.name), cached);
    const pages = await Array.fromAsync(second.list());
    assert.deepEqual(pages.map((p) => p.path), ["pages/Avatar.md", "pages/new.md"]);
    assert.equal(await second.read(pages[0]), "v2\n");
    await second.close();
  } finally {
    await Deno.remove(work, { recursive: true });
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("GitSource: a clone that fails never shows the URL's credentials", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const unreachable = "https://user:s3cr3t-token@127.0.0.1:1/graph.git";
    const err = await GitSource.open({ repo: unreachable, cacheDir }).catch((e) => e);
    assert.ok(err instanceof RetryableError, String(err));
    assert.equal(
      err.message,
      'Cannot clone the git repository as the remote is unreachable: current value is "https://127.0.0.1:1/graph.git"',
    );
    assert.ok(!String((err.cause as Error).message).includes("s3cr3t"));
    const absent = `file://${join(cacheDir, "absent.git")}`;
    await assert.rejects(GitSource.open({ repo: absent, cacheDir }), {
      name: "SourceError",
      message:
        `Cannot clone the git repository as the remote refused it or does not exist: current value is "${absent}"`,
    });
    assert.deepEqual(await Array.fromAsync(Deno.readDir(cacheDir)), []); // No half clone left.
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("GitSource and GitHubSource give the same page the same version", async () => {
  const files = {
    "pages/Avatar.md": PAGES["pages/Avatar.md"],
    "pages/big.md": PAGES["pages/big.md"],
  };
  const repo = await makeRepo(files);
  const github = await startFakeGitHub({ files });
  try {
    const fromGit = await GitSource.open({ repo });
    const fromGitHub = await GitHubSource.open({
      owner: "octo",
      repo: "graph",
      baseUrl: github.url,
    });
    assert.deepEqual(await versions(fromGit), await versions(fromGitHub));
    await fromGit.close();
    await fromGitHub.close();
  } finally {
    await github.close();
    await Deno.remove(repo, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// GitHubSource against the fake API

const SMALL = {
  "pages/a.md": "a\n",
  "pages/sub/b.md": "b\n",
  "pages/sub/c.txt": "not a page",
  "README.md": "readme\n",
};

/** Runs `fn` with a fake GitHub serving SMALL (or `files`) and closes it afterwards. */
async function withGitHub(
  fn: (
    github: FakeGitHub,
    open: (o?: Partial<GitHubSourceOptions>) => Promise<GitHubSource>,
  ) => Promise<void>,
  serverOptions: Parameters<typeof startFakeGitHub>[0] = {},
) {
  const github = await startFakeGitHub({ files: SMALL, ...serverOptions });
  const opened: GitHubSource[] = [];
  const open = async (options: Partial<GitHubSourceOptions> = {}) => {
    const source = await GitHubSource.open({
      owner: "octo",
      repo: "graph",
      baseUrl: github.url,
      baseDelayMs: 0,
      ...options,
    });
    opened.push(source);
    return source;
  };
  try {
    await fn(github, open);
  } finally {
    for (const source of opened) await source.close();
    await github.close();
  }
}

const A = { path: "pages/a.md", version: gitBlobSha("a\n") };

Deno.test("GitHubSource sends the token as Bearer, the API version, Accept and User-Agent", async () => {
  await withGitHub(async (github, open) => {
    const source = await open({ token: "ghp_test_token" });
    await paths(source);
    assert.equal(await source.read(A), "a\n");
    assert.deepEqual(github.requests.map((r) => `${r.path}${r.search} ${r.status}`), [
      "/repos/octo/graph 200",
      "/repos/octo/graph/commits/main 200",
      `/repos/octo/graph/git/trees/${source.commit}?recursive=1 200`,
      `/repos/octo/graph/git/blobs/${A.version} 200`,
    ]);
    for (const request of github.requests) {
      assert.equal(request.headers["authorization"], "Bearer ghp_test_token");
      assert.equal(request.headers["x-github-api-version"], "2022-11-28");
      assert.equal(request.headers["user-agent"], "weir/0.1.0");
    }
    assert.deepEqual(github.requests.map((r) => r.headers["accept"]), [
      "application/vnd.github+json",
      "application/vnd.github.sha",
      "application/vnd.github+json",
      "application/vnd.github+json",
    ]);
  }, { token: "ghp_test_token" });
});

Deno.test("GitHubSource sends no Authorization header without a token, and asks for a given ref directly", async () => {
  await withGitHub(async (github, open) => {
    github.tag("v1");
    const source = await open({ ref: "v1", prefix: "pages/sub" });
    assert.deepEqual(await paths(source), ["pages/sub/b.md"]);
    assert.equal(source.location, "github:octo/graph@v1:pages/sub/");
    assert.ok(github.requests.every((r) => r.headers["authorization"] === undefined));
    // The prefix is found by walking down the tree, then listed recursively from there.
    assert.deepEqual(
      github.requests.map((r) => r.path.replace(/[0-9a-f]{40}/, "<sha>") + r.search),
      [
        "/repos/octo/graph/commits/v1",
        "/repos/octo/graph/git/trees/<sha>",
        "/repos/octo/graph/git/trees/<sha>",
        "/repos/octo/graph/git/trees/<sha>?recursive=1",
      ],
    );
  });
});

Deno.test("GitHubSource asks again with If-None-Match and serves the tree from a 304", async () => {
  await withGitHub(async (github, open) => {
    const source = await open();
    const first = await Array.fromAsync(source.list());
    const second = await Array.fromAsync(source.list());
    assert.deepEqual(second, first);
    const trees = github.requestsTo("/git/trees/");
    assert.deepEqual(trees.map((r) => r.status), [200, 304]);
    assert.equal(trees[0].headers["if-none-match"], undefined);
    assert.match(trees[1].headers["if-none-match"], /^W\/"[0-9a-f]{40}"$/);
  });
});

Deno.test("GitHubSource's ETag file lets the next run get 304s for the repository, ref and tree", async () => {
  const dir = await Deno.makeTempDir();
  const etagFile = join(dir, "cache", "etags.json");
  try {
    await withGitHub(async (github, open) => {
      const first = await open({ etagFile, prefix: "pages" });
      const listed = await paths(first);
      await first.close();
      const saved = JSON.parse(await Deno.readTextFile(etagFile));
      assert.equal(saved.version, 1);
      assert.equal(Object.keys(saved.entries).length, 4);
      const before = github.requests.length;
      const second = await open({ etagFile, prefix: "pages" });
      assert.deepEqual(await paths(second), listed);
      assert.deepEqual(github.requests.slice(before).map((r) => r.status), [304, 304, 304, 304]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GitHubSource waits until X-RateLimit-Reset plus one second, on the injected clock", async () => {
  await withGitHub(async (github, open) => {
    const time = fakeTime(1_700_000_000_000);
    const waits: GitHubWaitEvent[] = [];
    const source = await open({ now: time.now, sleep: time.sleep, onWait: (e) => waits.push(e) });
    github.script("/git/trees/", answers.rateLimited(1_700_000_030));
    assert.deepEqual(await paths(source), ["README.md", "pages/a.md", "pages/sub/b.md"]);
    assert.deepEqual(time.sleeps, [31_000]);
    assert.deepEqual(waits, [{
      reason: "rate_limit",
      waitMs: 31_000,
      path: `/repos/octo/graph/git/trees/${source.commit}?recursive=1`,
    }]);
    assert.deepEqual(github.requestsTo("/git/trees/").map((r) => r.status), [403, 200]);
  });
});

Deno.test("GitHubSource honours Retry-After, and waits a minute on a bare secondary limit", async () => {
  await withGitHub(async (github, open) => {
    const time = fakeTime();
    const source = await open({ now: time.now, sleep: time.sleep });
    github.script("/git/blobs/", answers.retryAfter(7), answers.secondaryRateLimit());
    assert.equal(await source.read(A), "a\n");
    assert.deepEqual(time.sleeps, [7_000, 60_000]);
    assert.deepEqual(github.requestsTo("/git/blobs/").map((r) => r.status), [429, 403, 200]);
  });
});

Deno.test("GitHubSource: a request started during a rate-limit wait waits too, before asking", async () => {
  await withGitHub(async (github, open) => {
    const start = 1_700_000_000_000;
    let now = start;
    const sleeps: number[] = [];
    const sleepers: (() => void)[] = [];
    const sleep = (ms: number) => {
      sleeps.push(ms);
      return new Promise<void>((resolve) =>
        sleepers.push(() => {
          now = Math.max(now, start + ms);
          resolve();
        })
      );
    };
    const source = await open({ now: () => now, sleep });
    github.script("/git/blobs/", answers.rateLimited(1_700_000_009));
    const first = source.read(A);
    while (sleeps.length < 1) await new Promise((r) => setTimeout(r, 1));
    const b = { path: "pages/sub/b.md", version: gitBlobSha("b\n") };
    const second = source.read(b);
    while (sleeps.length < 2) await new Promise((r) => setTimeout(r, 1));
    assert.deepEqual(sleeps, [10_000, 10_000]);
    assert.equal(github.requestsTo("/git/blobs/").length, 1); // The second has not asked yet.
    for (const wake of sleepers) wake();
    assert.deepEqual(await Promise.all([first, second]), ["a\n", "b\n"]);
    assert.deepEqual(github.requestsTo("/git/blobs/").map((r) => r.status), [403, 200, 200]);
  });
});

Deno.test("GitHubSource fails with PermanentError when the rate limit lifts too late", async () => {
  await withGitHub(async (github, open) => {
    const time = fakeTime(1_700_000_000_000);
    const source = await open({ now: time.now, sleep: time.sleep, maxRateLimitWaitMs: 60_000 });
    github.script("/git/blobs/", answers.rateLimited(1_700_003_600));
    await assert.rejects(source.read(A), {
      name: "PermanentError",
      message: 'Cannot read the page "pages/a.md" from GitHub as it is still rate-limited (403, ' +
        "next wait 3601000 ms after 0 waits; limits: 5 waits of at most 60000 ms): " +
        `GET /repos/octo/graph/git/blobs/${A.version}`,
    });
    assert.deepEqual(time.sleeps, []);
  });
});

Deno.test("GitHubSource retries 5xx answers with backoff, then succeeds", async () => {
  await withGitHub(async (github, open) => {
    const waits: GitHubWaitEvent[] = [];
    const source = await open({ onWait: (e) => waits.push(e), random: () => 0 });
    github.script(
      "/git/blobs/",
      answers.serverError(500),
      answers.serverError(502),
      answers.serverError(503),
    );
    assert.equal(await source.read(A), "a\n");
    assert.deepEqual(github.requestsTo("/git/blobs/").map((r) => r.status), [500, 502, 503, 200]);
    assert.deepEqual(waits.map((w) => w.reason), ["backoff", "backoff", "backoff"]);
  });
});

Deno.test("GitHubSource gives up with RetryError after maxAttempts 5xx answers", async () => {
  await withGitHub(async (github, open) => {
    const source = await open({ maxAttempts: 3 });
    github.script("/git/blobs/", ...Array(3).fill(answers.serverError(503)));
    const err = await source.read(A).catch((e) => e);
    assert.ok(err instanceof RetryError);
    assert.equal(err.attempts, 3);
    assert.ok(err.cause instanceof RetryableError);
    const last = `Cannot read the page "pages/a.md" from GitHub as the server answered 503 ` +
      `"Service Unavailable": GET /repos/octo/graph/git/blobs/${A.version}`;
    assert.equal(err.cause.message, last);
    assert.equal(
      err.message,
      `Cannot complete the operation as all 3 attempts failed: last error is "${last}"`,
    );
  });
});

Deno.test("GitHubSource retries a request that times out", async () => {
  await withGitHub(async (github, open) => {
    const source = await open({ timeoutMs: 50 });
    github.script("/git/blobs/", answers.hang());
    assert.equal(await source.read(A), "a\n");
    assert.equal(github.requestsTo("/git/blobs/").length, 2);

    github.script("/git/blobs/", answers.hang(), answers.hang());
    const limited = await open({ timeoutMs: 20, maxAttempts: 2 });
    const err = await limited.read(A).catch((e) => e);
    assert.ok(err instanceof RetryError);
    assert.equal(
      (err.cause as Error).message,
      `Cannot reach GitHub as the request timed out after 20 ms: GET /repos/octo/graph/git/blobs/${A.version}`,
    );
  });
});

Deno.test("GitHubSource retries a network failure", async () => {
  await withGitHub(async (github, open) => {
    const calls: string[] = [];
    const flaky: typeof fetch = (input, init) => {
      const url = String(input);
      calls.push(url);
      if (url.includes("/git/blobs/") && calls.filter((u) => u === url).length === 1) {
        return Promise.reject(new TypeError("error sending request for url"));
      }
      return fetch(input, init);
    };
    const source = await open({ fetch: flaky });
    assert.equal(await source.read(A), "a\n");
    assert.equal(calls.filter((u) => u.includes("/git/blobs/")).length, 2);
    assert.equal(github.requestsTo("/git/blobs/").length, 1); // The first never reached it.
  });
});

Deno.test("GitHubSource: 404 for an unknown repository is a SourceError naming owner, repo and ref", async () => {
  await withGitHub(async (_github, open) => {
    const err = await open({ repo: "nope", ref: "main" }).catch((e) => e);
    assert.ok(err instanceof SourceError);
    assert.ok(err instanceof PermanentError);
    assert.equal(err.exitCode, 2);
    assert.equal(
      err.message,
      'Cannot open the GitHub source as the repository, ref or tree was not found (404 "Not Found"): ' +
        'current value is "octo/nope@main" (a private repository needs GITHUB_TOKEN)',
    );
  });
});

Deno.test("GitHubSource: 422 for an unknown ref is a SourceError naming the ref", async () => {
  await withGitHub(async (_github, open) => {
    await assert.rejects(open({ ref: "nope" }), {
      name: "SourceError",
      message: 'Cannot open the GitHub source as the ref does not name a commit in "octo/graph" ' +
        '(422 "No commit found for SHA: nope"): current value is "nope"',
    });
  });
});

Deno.test("GitHubSource: 404 for a missing blob is a PermanentError naming the page", async () => {
  await withGitHub(async (_github, open) => {
    const source = await open();
    const missing = "2".repeat(40);
    await assert.rejects(source.read({ path: "pages/gone.md", version: missing }), {
      name: "PermanentError",
      message: 'Cannot read the page "pages/gone.md" from GitHub as its blob is not in ' +
        `"octo/graph@HEAD" (404 "Not Found"): GET /repos/octo/graph/git/blobs/${missing}`,
    });
  });
});

Deno.test("GitHubSource: 401 says the token is missing or invalid and never shows it", async () => {
  await withGitHub(async (_github, open) => {
    const token = "ghp_wrong_secret_1234";
    const err = await open({ token }).catch((e) => e);
    assert.ok(err instanceof SourceError);
    assert.equal(
      err.message,
      'Cannot read "octo/graph" from GitHub as the token is missing or invalid (401 "Bad credentials"): ' +
        "set GITHUB_TOKEN to a token that can read the repository",
    );
    assert.ok(!JSON.stringify({ ...err, message: err.message, stack: err.stack }).includes(token));
    await assert.rejects(open({ token: "has a space" }), {
      name: "SourceError",
      message:
        "Cannot use the GitHub token as it is empty or holds characters an HTTP header cannot carry",
    });
  }, { token: "ghp_right" });
});

Deno.test("GitHubSource completes a truncated tree by walking subtrees", async () => {
  await withGitHub(async (github, open) => {
    const source = await open({ prefix: "pages" });
    assert.deepEqual(await paths(source), EXPECTED);
    const listings = github.requestsTo("/git/trees/").map((r) => r.search);
    assert.ok(listings.includes("?recursive=1"));
    assert.ok(listings.filter((s) => s === "").length > 3, String(listings));
  }, { files: { ...PAGES, ...OTHERS }, truncateAt: 5 });
});

Deno.test("GitHubSource does not list a symbolic link named *.md", async () => {
  await withGitHub(async (_github, open) => {
    assert.deepEqual(await paths(await open()), ["pages/real.md"]);
  }, { files: { "pages/real.md": "real", "pages/link.md": { symlink: "real.md" } } });
});

Deno.test("GitHubSource: an abort during a rate-limit wait stops it promptly", async () => {
  await withGitHub(async (github, open) => {
    const controller = new AbortController();
    const reason = new DOMException("Interrupted", "AbortError");
    // The real clock and sleep: the wait would last an hour; it is aborted as it starts.
    const source = await open({ onWait: () => controller.abort(reason) });
    github.script("/git/blobs/", answers.rateLimited(Math.floor(Date.now() / 1000) + 3600));
    const started = performance.now();
    const err = await source.read(A, controller.signal).catch((e) => e);
    assert.equal(err, reason);
    assert.ok(performance.now() - started < 2_000);
  });
});

// ---------------------------------------------------------------------------
// mod.ts: the spec, its compact form, the needs, openSource

Deno.test("parseSourceSpec() reads every compact form", () => {
  const cases: [string, unknown][] = [
    ["./graph", { kind: "dir", path: "./graph" }],
    ["dir:/srv/graph", { kind: "dir", path: "/srv/graph" }],
    ["git:/srv/graph", { kind: "git", repo: "/srv/graph" }],
    ["git:/srv/graph@main", { kind: "git", repo: "/srv/graph", ref: "main", prefix: undefined }],
    ["git:/srv/graph@feature/x:pages/", {
      kind: "git",
      repo: "/srv/graph",
      ref: "feature/x",
      prefix: "pages/",
    }],
    ["git:/srv/graph@:pages/", {
      kind: "git",
      repo: "/srv/graph",
      ref: undefined,
      prefix: "pages/",
    }],
    ["git:./repo@v1:pages", { kind: "git", repo: "./repo", ref: "v1", prefix: "pages" }],
    ["git:https://example.com/graph.git", { kind: "git", repo: "https://example.com/graph.git" }],
    ["git:https://user@example.com/graph.git", {
      kind: "git",
      repo: "https://user@example.com/graph.git",
    }],
    ["git:https://user@example.com/graph.git@v2:pages/", {
      kind: "git",
      repo: "https://user@example.com/graph.git",
      ref: "v2",
      prefix: "pages/",
    }],
    ["git:git@github.com:octo/graph.git", { kind: "git", repo: "git@github.com:octo/graph.git" }],
    ["git:git@github.com:octo/graph.git@main:pages/", {
      kind: "git",
      repo: "git@github.com:octo/graph.git",
      ref: "main",
      prefix: "pages/",
    }],
    ["git:file:///tmp/origin.git@main", {
      kind: "git",
      repo: "file:///tmp/origin.git",
      ref: "main",
      prefix: undefined,
    }],
    ["github:octo/graph", {
      kind: "github",
      owner: "octo",
      repo: "graph",
      ref: undefined,
      prefix: undefined,
    }],
    ["github:octo/graph@v1", {
      kind: "github",
      owner: "octo",
      repo: "graph",
      ref: "v1",
      prefix: undefined,
    }],
    ["github:octo/graph:pages/", {
      kind: "github",
      owner: "octo",
      repo: "graph",
      ref: undefined,
      prefix: "pages/",
    }],
    ["github:octo/graph@release/2:pages/", {
      kind: "github",
      owner: "octo",
      repo: "graph",
      ref: "release/2",
      prefix: "pages/",
    }],
    ['{"kind":"dir","path":"x","prefix":"pages"}', { kind: "dir", path: "x", prefix: "pages" }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseSourceSpec(text), expected, text);
});

Deno.test("parseSourceSpec() refuses empty text, bad JSON and github: without owner/repo", () => {
  for (
    const [text, why] of [
      ["", "it is empty"],
      ["github:octo", '"github:" must be followed by <owner>/<repo>'],
      ["github:octo/graph/extra", '"github:" must be followed by <owner>/<repo>'],
      ["git:", '"git:" must be followed by a repository'],
    ]
  ) {
    assert.throws(() => parseSourceSpec(text), {
      name: "SyntaxError",
      message: `Cannot parse the source as ${why}: current value is ${JSON.stringify(text)}`,
    });
  }
  assert.throws(() => parseSourceSpec("{nope"), {
    name: "SyntaxError",
    message: 'Cannot parse the source as its JSON is malformed: current value is "{nope"',
  });
});

Deno.test("sourceSpec accepts the compact and the object form and names what is wrong", () => {
  assert.deepEqual(sourceSpec.parse("git:/srv/graph@main:pages/"), {
    kind: "git",
    repo: "/srv/graph",
    ref: "main",
    prefix: "pages/",
  });
  const object = { kind: "github", owner: "octo", repo: "graph", cacheDir: "/tmp/c" } as const;
  assert.deepEqual(sourceSpec.parse(object), object);

  const prefix = sourceSpec.safeParse("git:/srv/graph@main:../etc");
  assert.ok(!prefix.success);
  assert.deepEqual(prefix.error.issues.map((i) => [i.path, i.message]), [
    [["prefix"], 'expected a folder inside the source such as "pages/" (no "..", "." or "//")'],
  ]);
  const ref = sourceSpec.safeParse({ kind: "git", repo: "/r", ref: "--evil" });
  assert.ok(!ref.success);
  const owner = sourceSpec.safeParse("github:-bad-/graph");
  assert.ok(!owner.success);
  assert.equal(owner.error.issues[0].message, "expected a GitHub user or organization name");
  const kind = sourceSpec.safeParse({ kind: "s3", path: "x" });
  assert.ok(!kind.success);
  assert.equal(
    kind.error.issues[0].message,
    'expected a path, "dir:...", "git:...", "github:..." or an object whose kind is "dir", "git" or "github"',
  );
  const empty = sourceSpec.safeParse("");
  assert.ok(!empty.success);
  assert.equal(
    empty.error.issues[0].message,
    'Cannot parse the source as it is empty: current value is ""',
  );
  // describe/--help come from the input side's JSON Schema: both forms appear.
  const schema = z.toJSONSchema(sourceSpec as z.ZodType, { io: "input", unrepresentable: "any" });
  assert.equal((schema as { anyOf?: unknown[] }).anyOf?.length, 2);
});

Deno.test("normalizePrefix() trims slashes and refuses climbing or empty segments", () => {
  assert.equal(normalizePrefix("/pages/sub/"), "pages/sub");
  assert.equal(normalizePrefix("/"), "");
  assert.equal(normalizePrefix(undefined), "");
  for (
    const [prefix, why] of [
      ["../x", 'it has a ".." segment'],
      ["a/./b", 'it has a "." segment'],
      ["a//b", 'it has an empty segment ("//")'],
      ["a\\b", "it contains a backslash"],
    ]
  ) {
    assert.throws(() => normalizePrefix(prefix), {
      name: "SourceError",
      message: `Cannot use the prefix as ${why}: current value is ${JSON.stringify(prefix)}`,
    });
  }
});

Deno.test("sourceNeeds() asks for only what each adapter touches", () => {
  assert.deepEqual(sourceNeeds({ kind: "dir", path: "/srv/graph" }), { read: ["/srv/graph"] });
  assert.deepEqual(sourceNeeds({ kind: "git", repo: "/srv/graph" }), {
    run: ["git"],
    read: ["/srv/graph"],
  });
  assert.deepEqual(sourceNeeds({ kind: "git", repo: "https://example.com/g.git" }), {
    run: ["git"],
    read: [".weir/cache/git"],
    write: [".weir/cache/git"],
  });
  assert.deepEqual(gitNeeds({ repo: "git@github.com:o/r.git", cacheDir: "/c" }), {
    run: ["git"],
    read: ["/c"],
    write: ["/c"],
  });
  assert.deepEqual(sourceNeeds({ kind: "github", owner: "o", repo: "r" }), {
    net: ["api.github.com"],
    env: ["GITHUB_TOKEN"],
  });
  assert.deepEqual(
    sourceNeeds({
      kind: "github",
      owner: "o",
      repo: "r",
      token: "t0ken",
      cacheDir: "/c",
      baseUrl: "http://127.0.0.1:9/api",
    }),
    {
      net: ["127.0.0.1:9"],
      read: ["/c/github-127.0.0.1_9-o-r.etags.json"],
      write: ["/c"],
    },
  );
  assert.deepEqual(githubNeeds(), { net: ["api.github.com"], env: ["GITHUB_TOKEN"] });
});

Deno.test("openSource() opens each adapter, reading GITHUB_TOKEN through env", async () => {
  const repo = await makeRepo({ "pages/a.md": "a\n" });
  const github = await startFakeGitHub({ files: { "pages/a.md": "a\n" }, token: "ghp_from_env" });
  const cacheDir = await Deno.makeTempDir();
  try {
    for (
      const spec of [
        sourceSpec.parse(`dir:${repo}`),
        sourceSpec.parse(`git:${repo}@main:pages/`),
        sourceSpec.parse({
          kind: "github",
          owner: "octo",
          repo: "graph",
          prefix: "pages",
          baseUrl: github.url,
          cacheDir,
        }),
      ]
    ) {
      const source = await openSource(spec, {
        env: (name) => (name === "GITHUB_TOKEN" ? "ghp_from_env" : undefined),
      });
      assert.equal(source.kind, spec.kind);
      const pages = await Array.fromAsync(source.list());
      assert.ok(pages.some((p) => p.path === "pages/a.md"), source.location);
      await source.close();
    }
    assert.ok(github.requests.every((r) => r.headers["authorization"] === "Bearer ghp_from_env"));
    const [etags] = await Array.fromAsync(Deno.readDir(cacheDir));
    assert.match(etags.name, /^github-127\.0\.0\.1_\d+-octo-graph\.etags\.json$/);
    await assert.rejects(openSource({ kind: "s3" } as never), {
      name: "TypeError",
      message:
        'Cannot open the source as its kind is not "dir", "git" or "github": current value is "s3"',
    });
  } finally {
    await github.close();
    await Deno.remove(repo, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("SourceError is a permanent error with exit code 2", () => {
  const err = new SourceError("git:/r@main", "Cannot open the git source as it is gone");
  assert.ok(err instanceof PermanentError);
  assert.ok(!isRetryable(err));
  assert.equal(err.name, "SourceError");
  assert.equal(err.code, "invalid_source");
  assert.equal(err.exitCode, 2);
  assert.equal(err.source, "git:/r@main");
});
