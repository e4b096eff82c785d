/**
 * A throwaway copy of the repository, for tests that run commands exactly
 * as a user types them (`deno task ...` from the root) or that change the
 * tree (the scaffolder): the copy has its own `.weir`, deno.json and
 * main.ts, so the real tree is never touched and tests can run in parallel.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ROOT } from "./cli.ts";

/** What a copy holds by default: everything the CLI, its tasks and the test helpers need. */
export const REPO_ENTRIES: readonly string[] = [
  "cli",
  "deno.json",
  "deno.lock",
  "fixtures",
  "kernel",
  "lib",
  "main.ts",
  "mod.ts",
  "plugins",
  "README.md",
  "services",
  "tasks",
  "tests/fixtures",
  "tests/helpers",
  "tools",
];

/** Names never copied: state, build output and caches. */
const SKIP = new Set([".weir", ".state", ".tmp", ".git", "target", "node_modules"]);

/** Options of {@linkcode copyRepo}. */
export interface CopyOptions {
  /** Paths relative to the root to copy. @default {REPO_ENTRIES} */
  entries?: readonly string[];
  /** Make the copy a git repository with one commit of everything. @default {false} */
  git?: boolean;
}

/** A copy of the repository; remove it in `finally`. */
export interface RepoCopy extends AsyncDisposable {
  /** The copy's root. */
  root: string;
  /** Removes the copy. */
  remove(): Promise<void>;
}

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (!info.isDirectory) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  const work: Promise<void>[] = [];
  for await (const entry of Deno.readDir(from)) {
    if (!SKIP.has(entry.name)) work.push(copy(join(from, entry.name), join(to, entry.name)));
  }
  await Promise.all(work);
}

async function git(root: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=weir", "-c", "user.email=weir@example.invalid", ...args],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot make the repository copy a git repository as "git ${
        args[0]
      }" failed: current value is ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
}

/**
 * Copies the repository (or some entries of it) into a fresh temporary
 * directory.
 *
 * @param options Which entries, and whether to make it a git repository.
 * @returns The copy.
 *
 * @example
 * ```ts
 * import { copyRepo } from "./repo_copy.ts";
 * import assert from "node:assert/strict";
 * await using repo = await copyRepo({ entries: ["deno.json", "fixtures/example"] });
 * assert.ok((await Deno.stat(`${repo.root}/fixtures/example/README.md`)).isFile);
 * ```
 */
export async function copyRepo(options: CopyOptions = {}): Promise<RepoCopy> {
  const root = await Deno.makeTempDir({ prefix: "weir-repo-" });
  const remove = () => Deno.remove(root, { recursive: true });
  try {
    await Promise.all(
      (options.entries ?? REPO_ENTRIES).map(async (entry) => {
        const to = join(root, entry);
        await Deno.mkdir(join(to, ".."), { recursive: true });
        await copy(join(ROOT, entry), to);
      }),
    );
    if (options.git) {
      await git(root, ["init", "-q", "-b", "main"]);
      await git(root, ["add", "-A"]);
      await git(root, ["commit", "-q", "-m", "copy"]);
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { root, remove, [Symbol.asyncDispose]: remove };
}

/** What {@linkcode shell} saw. */
export interface ShellRun {
  /** The exit code. */
  code: number;
  /** stdout as text. */
  stdout: string;
  /** stderr as text. */
  stderr: string;
}

/** Variables passed through from the test's environment; nothing else leaks in. */
const PASS_ENV = ["HOME", "DENO_DIR", "TMPDIR", "LANG", "USER"];

/**
 * Runs one command line in bash, as a user types it at `cwd`: `deno` is the
 * Deno running the tests, first on `PATH`; the environment is only `PATH`,
 * {@link PASS_ENV}, `NO_COLOR=1` and `env` (so a `WEIR_HOME` or
 * `GITHUB_TOKEN` of the developer never leaks in); stdin is empty.
 *
 * @param cwd Where the command runs.
 * @param command The command line.
 * @param options `env` to add, `path` directories to put first on `PATH`.
 * @returns Exit code and output.
 *
 * @example
 * ```ts
 * import { shell } from "./repo_copy.ts";
 * import assert from "node:assert/strict";
 * const run = await shell(".", "deno --version | head -1 && exit 3");
 * assert.equal(run.code, 3);
 * assert.match(run.stdout, /^deno 2\./);
 * ```
 */
export async function shell(
  cwd: string,
  command: string,
  options: { env?: Record<string, string>; path?: string[] } = {},
): Promise<ShellRun> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of PASS_ENV) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const path = [...(options.path ?? []), dirname(Deno.execPath()), Deno.env.get("PATH") ?? ""];
  const out = await new Deno.Command("bash", {
    args: ["-c", command],
    cwd,
    env: { ...env, ...options.env, PATH: path.join(":") },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}
