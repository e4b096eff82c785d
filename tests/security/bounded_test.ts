/**
 * Attacks with unbounded inputs: a GitHub server that sends an endless body
 * or a tree that contains itself, a listing that never ends, a params file
 * too large for V8, and a glob that backtracks for ever. Each must stop at a
 * cap with a clear error (exit 2 for input, the source included; a failed
 * item where one page is bad), and signals must be honoured meanwhile.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const SHA = "a".repeat(40);
const PAGE = "b".repeat(40);
const NET = ["--allow-read", "--allow-write", "--allow-net=127.0.0.1", "--allow-env"];

/** A stream that sends `chunk` over and over, up to `limit` bytes (so an uncapped reader still ends). */
function endless(limit: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`{"sha":"${SHA}","tree":[` + " ".repeat(65_000));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= limit) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

/** A hostile GitHub API: `tree(sha)` answers each tree request; the ref is always `SHA`. */
function hostileGitHub(
  tree: (sha: string) => Response,
  blob: () => Response = () => Response.json({ content: btoa("- page\n"), encoding: "base64" }),
): { url: string; requests: () => number } & AsyncDisposable {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    requests++;
    const path = new URL(req.url).pathname;
    if (path.endsWith("/commits/main")) return new Response(SHA);
    const treeSha = /\/git\/trees\/([0-9a-z]+)$/.exec(path)?.[1];
    if (treeSha) return tree(treeSha);
    if (path.includes("/git/blobs/")) return blob();
    return new Response("{}", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    requests: () => requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function syncParams(dir: string, url: string, extra: Record<string, unknown> = {}): string[] {
  return [
    "--home",
    dir,
    "run",
    "streaming.sync",
    "--params",
    JSON.stringify({
      source: { kind: "github", owner: "o", repo: "r", ref: "main", baseUrl: url, ...extra },
      db: join(dir, "o.db"),
    }),
  ];
}

function errorOf(run: { lines: Record<string, unknown>[]; stderr: string }): string {
  return String(run.lines.find((l) => l.level === "error")?.msg ?? run.stderr);
}

Deno.test("bounded: an endless GitHub tree body stops at the listing cap (64 MiB by default), exit 2 (the source is bad input)", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  await using gh = hostileGitHub(() => new Response(endless(200 << 20)));
  const run = await weir(syncParams(tmp.path, gh.url), { perms: NET });
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    errorOf(run),
    /as its body is larger than 67108864 bytes: current size is more than 67108864 bytes/,
  );
});

Deno.test("bounded: an endless blob body fails that page only (exit 3), at --maxPageBytes", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  const listing = {
    sha: SHA,
    truncated: false,
    tree: [{ path: "a.md", type: "blob", mode: "100644", sha: PAGE }],
  };
  await using gh = hostileGitHub(
    () => Response.json(listing),
    () => new Response(endless(200 << 20)),
  );
  const run = await weir(syncParams(tmp.path, gh.url, { maxPageBytes: 1 << 20 }), { perms: NET });
  assert.equal(run.code, 3, run.stderr);
  const failures = (run.json as { failures: { item: string; error: string }[] }).failures;
  assert.equal(failures.length, 1);
  assert.match(JSON.stringify(failures[0]), /larger than 1048576 bytes/);
});

Deno.test("bounded: a tree whose subtree is itself is refused as a cycle, exit 2 (the source is bad input)", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  let answered = 0;
  await using gh = hostileGitHub((sha) => {
    // Past 20,000 answers the server gives up, so that an unguarded walker still ends.
    if (++answered > 20_000) return new Response("{}", { status: 404 });
    return Response.json({
      sha,
      truncated: true,
      tree: [{ path: "loop", type: "tree", mode: "040000", sha }],
    });
  });
  const run = await weir(syncParams(tmp.path, gh.url), { perms: NET });
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), /contains itself \(a cycle through tree a{40}\)/);
  assert.ok(gh.requests() < 10, `${gh.requests()} requests`);
});

Deno.test("bounded: a tree that grows for ever stops at --maxRequests, exit 2 (the source is bad input)", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  await using gh = hostileGitHub((sha) => {
    const next = (BigInt(`0x${sha}`) + 1n).toString(16).padStart(40, "0");
    if (BigInt(`0x${sha}`) > BigInt(`0x${SHA}`) + 20_000n) {
      return new Response("{}", { status: 404 });
    }
    return Response.json({
      sha,
      truncated: true,
      tree: [{ path: "deeper", type: "tree", mode: "040000", sha: next }],
    });
  });
  const run = await weir(syncParams(tmp.path, gh.url, { maxRequests: 200 }), { perms: NET });
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), /has sent its 200 requests \(maxRequests\)/);
  assert.ok(gh.requests() <= 201, `${gh.requests()} requests`);
});

Deno.test("bounded: a 300 MB --params-file is exit 2 naming the cap, read no further", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  const file = join(tmp.path, "huge.json");
  using handle = await Deno.open(file, { create: true, write: true });
  await handle.truncate(300 * 1024 * 1024); // Sparse: 300 MB on paper, nothing on disk.
  const run = await weir(["--home", tmp.path, "run", "example.verify", "--params-file", file]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    errorOf(run),
    /Cannot read --params-file ".*huge\.json" as it is larger than 16777216 bytes: current size is 314572800 bytes/,
  );
});

Deno.test("bounded: a --params-file that never ends (/dev/zero) is exit 2 at the cap", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  const run = await weir([
    "--home",
    tmp.path,
    "run",
    "example.verify",
    "--params-file",
    "/dev/zero",
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(errorOf(run), /as it is larger than 16777216 bytes/);
});

Deno.test("bounded: a catastrophic --only glob neither blocks the run nor SIGTERM", async () => {
  await using tmp = await tempDir("weir-sec-bound-");
  const pages = join(tmp.path, "pages");
  await Deno.mkdir(pages);
  await Deno.writeTextFile(join(pages, `${"a".repeat(200)}.md`), "- page\n");
  let guard: ReturnType<typeof setTimeout> | undefined;
  const run = await weir([
    "--home",
    tmp.path,
    "run",
    "streaming.sync",
    "--source",
    pages,
    "--db",
    join(tmp.path, "o.db"),
    "--only",
    "*a*a*a*a*a*a*a*a*a*a*a*a*b",
  ], {
    onSpawn: async (child, stderr) => {
      for await (const chunk of stderr) if (chunk.includes('"started"')) break;
      const kill = (signal: Deno.Signal) => {
        try {
          child.kill(signal);
        } catch { /* it has finished */ }
      };
      kill("SIGTERM");
      // A run that ignores SIGTERM is killed after a minute, and fails below.
      guard = setTimeout(() => kill("SIGKILL"), 60_000);
    },
  });
  clearTimeout(guard);
  assert.ok(run.code === 0 || run.code === 130, `exit ${run.code}: ${run.stderr}`);
});

Deno.test("bounded: compileGlob() matches a catastrophic pattern against a 100,000-character path", async () => {
  const { compileGlob } = await import("../../lib/glob.ts");
  const matches = compileGlob("**/*a*a*a*a*a*a*a*a*a*a*a*a*b");
  assert.equal(matches(`pages/${"a".repeat(100_000)}`), false);
  assert.equal(matches(`pages/${"a".repeat(100_000)}b`), true);
});

Deno.test("bounded: the linear glob matcher agrees with picomatch on ordinary globs", async () => {
  const { default: picomatch } = await import("picomatch");
  const { compileGlob } = await import("../../lib/glob.ts");
  const globs = [
    "pages/*.md",
    "**/*.md",
    "pages/**",
    "a/**/b",
    "A*.md",
    "!(Broken*|Unknown*|Empty*)",
    "pages/!(Draft*).md",
    "{a,b}*.md",
    "@(a|b).md",
    "+(a|b).md",
    "*(a|b).md",
    "?(a|b).md",
    "[a-c]*",
    "a\\*b",
    "!a*",
    "pages/?.md",
  ];
  const paths = [
    "a",
    "a.md",
    ".a.md",
    "A1.md",
    "ab.md",
    "b.md",
    ".md",
    "a*b",
    "axb",
    "a/b",
    "a/x/b",
    "a/.x/b",
    "pages/a.md",
    "pages/.a.md",
    "pages/x/a.md",
    "pages/Draft1.md",
    "pages/Ok.md",
    "Broken.md",
    "Ok.md",
    "x/Ok.md",
    "c1",
    "d",
  ];
  for (const glob of globs) {
    const expected = picomatch(glob, { strictBrackets: true });
    const actual = compileGlob(glob);
    for (const path of paths) {
      assert.equal(actual(path), expected(path), `${glob} on ${path}`);
    }
  }
});
