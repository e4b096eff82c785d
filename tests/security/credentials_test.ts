/**
 * Attacks on credentials at rest and in flight: a URL's password or token
 * must reach git only through its environment, never its command line (what
 * `ps` shows) nor a file (the clone cache's `config`); temporary clones left
 * by a killed run are swept; a git that never finishes is stopped.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { GitSource } from "../../plugins/streaming/sources/git.ts";
import { SourceError } from "../../plugins/streaming/sources/source_error.ts";
import { tempDir } from "../helpers/temp.ts";
import {
  commandLinesHolding,
  makeBareRepo,
  serveGitHttp,
  silentServer,
} from "./_git_http_server.ts";

/** Runs `work` while watching every process's command line for `secret`; returns what was seen. */
async function watchingPs<T>(secret: string, work: () => Promise<T>): Promise<[T, string[]]> {
  const seen = new Set<string>();
  let done = false;
  const watcher = (async () => {
    while (!done) {
      for (const line of await commandLinesHolding(secret)) seen.add(line);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  try {
    return [await work(), [...seen]];
  } finally {
    done = true;
    await watcher;
  }
}

/** Every file under `dir` whose bytes hold `needle`. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await filesHolding(path, needle));
    else if (entry.isFile) {
      const text = new TextDecoder("latin1").decode(await Deno.readFile(path));
      if (text.includes(needle)) found.push(path);
    }
  }
  return found;
}

for (
  const [what, user, password, userinfo] of [
    ["user:password", "weir", "Zq7-pass word@:x", "weir:Zq7-pass%20word%40%3Ax"],
    ["token-only", "ghp_Zq7TokenOnly0123456789", "", "ghp_Zq7TokenOnly0123456789"],
  ]
) {
  Deno.test(`credentials: a ${what} URL reaches git through its environment, never ps or the disk`, async () => {
    await using tmp = await tempDir("weir-sec-cred-");
    await makeBareRepo(tmp.path, "graph");
    await using server = serveGitHttp(tmp.path, user, password);
    const cacheDir = join(tmp.path, "cache");
    const repo = `${server.url.replace("//", `//${userinfo}@`)}/graph.git`;
    const secret = password || user;
    for (const round of ["clone", "fetch"]) {
      const [pages, ps] = await watchingPs(secret, async () => {
        const source = await GitSource.open({ repo, cacheDir });
        try {
          return (await Array.fromAsync(source.list())).map((p) => p.path);
        } finally {
          await source.close();
        }
      });
      assert.deepEqual(pages, ["pages/Avatar.md"], `the ${round} worked`);
      assert.deepEqual(ps, [], `no command line held the secret during the ${round}`);
    }
    assert.ok(server.seen.includes(`Basic ${btoa(`${user}:${password}`)}`), "git authenticated");
    for (const form of new Set([secret, encodeURIComponent(secret), userinfo])) {
      assert.deepEqual(await filesHolding(cacheDir, form), [], `no file holds ${form}`);
    }
  });
}

Deno.test("credentials: a clone cached by an older weir with the URL's password in its config loses it on the next fetch", async () => {
  await using tmp = await tempDir("weir-sec-cred-");
  await makeBareRepo(tmp.path, "graph");
  await using server = serveGitHttp(tmp.path, "weir", "Zq7-old-password");
  const cacheDir = join(tmp.path, "cache");
  const repo = `${server.url.replace("//", "//weir:Zq7-old-password@")}/graph.git`;
  const source = await GitSource.open({ repo, cacheDir });
  await source.close();
  // What an older weir left: the remote URL with its credentials.
  const run = (...args: string[]) => new Deno.Command("git", { args }).output();
  await run("--git-dir", source.gitDir, "remote", "set-url", "origin", repo);
  await (await GitSource.open({ repo, cacheDir })).close();
  assert.deepEqual(await filesHolding(cacheDir, "Zq7-old-password"), []);
});

Deno.test("credentials: a temporary clone left by a killed run is swept by the next clone", async () => {
  await using tmp = await tempDir("weir-sec-cred-");
  await makeBareRepo(tmp.path, "graph");
  await using hung = silentServer();
  const cacheDir = join(tmp.path, "cache");
  // A run that is killed (SIGKILL) while git clones from a remote that never answers.
  const script = `import { GitSource } from ${
    JSON.stringify(new URL("../../plugins/streaming/sources/git.ts", import.meta.url).href)
  };\nawait GitSource.open({ repo: ${JSON.stringify(`${hung.url}/never.git`)}, cacheDir: ${
    JSON.stringify(cacheDir)
  } });`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-prompt", "--allow-all", script],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const leftovers = async () => {
    try {
      return (await Array.fromAsync(Deno.readDir(cacheDir)))
        .filter((e) => e.isDirectory && e.name.includes(".tmp-")).map((e) => e.name);
    } catch {
      return [];
    }
  };
  while ((await leftovers()).length === 0) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGKILL");
  await child.status;
  // kill -9 reaches one process: the run's git outlives it and could write the clone again
  // after the sweep. End it as killing the run's whole process group would.
  const gitOfRun = ["-f", `${hung.url}/never.git`];
  await new Deno.Command("pkill", { args: ["-KILL", ...gitOfRun] }).output();
  while ((await new Deno.Command("pgrep", { args: gitOfRun }).output()).success) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal((await leftovers()).length, 1, "the killed run left its temporary clone");
  // The next run clones another repository into the same cache, and sweeps.
  await using server = serveGitHttp(tmp.path, "u", "p");
  const repo = `${server.url.replace("//", "//u:p@")}/graph.git`;
  await (await GitSource.open({ repo, cacheDir })).close();
  assert.deepEqual(await leftovers(), []);
});

Deno.test("credentials: the clone cache is a folder only its owner may enter", async () => {
  await using tmp = await tempDir("weir-sec-cred-");
  await makeBareRepo(tmp.path, "graph");
  await using server = serveGitHttp(tmp.path, "u", "p");
  const cacheDir = join(tmp.path, "cache");
  await (await GitSource.open({
    repo: `${server.url.replace("//", "//u:p@")}/graph.git`,
    cacheDir,
  }))
    .close();
  assert.equal(Deno.statSync(cacheDir).mode! & 0o777, 0o700);
});

Deno.test("bounded: a git clone from a remote that never answers stops at its time limit", async () => {
  await using tmp = await tempDir("weir-sec-cred-");
  await using hung = silentServer();
  const cacheDir = join(tmp.path, "cache");
  await assert.rejects(
    GitSource.open({ repo: `${hung.url}/never.git`, cacheDir, timeoutMs: 1500 }),
    (error: Error) => {
      assert.ok(error instanceof SourceError, String(error));
      assert.match(
        error.message,
        /Cannot finish "git clone" as it ran past its time limit: current limit is 1500 ms/,
      );
      return true;
    },
  );
  const left = (await Array.fromAsync(Deno.readDir(cacheDir))).map((e) => e.name);
  assert.deepEqual(left, [], "the temporary clone is removed");
  assert.deepEqual(await commandLinesHolding(cacheDir), [], "git itself was killed");
  // git's HTTP helper outlives git; its low-speed limit (the time limit, rounded up) ends it.
  while ((await commandLinesHolding(hung.url)).length > 0) {
    await new Promise((r) => setTimeout(r, 100));
  }
});
