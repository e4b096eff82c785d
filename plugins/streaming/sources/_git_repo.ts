/**
 * Where a git source's objects are (private to `sources/`): the git directory
 * of a local repository, or of a URL's bare clone in the cache, cloned the
 * first time and fetched after. Credentials in a URL never reach a message,
 * a location or a cache name.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { REDACTED, withoutUserinfo } from "../../../lib/redact.ts";
import { RetryableError } from "../../../lib/async/retry.ts";
import { git } from "./_git_command.ts";
import { holdProcessLock, isProcessLockHeld } from "../../../lib/sqlite/process_lock.ts";
import { SourceError } from "./source_error.ts";

/** git's messages for a remote that failed for now rather than for good. */
const TRANSIENT =
  /could not resolve host|failed to connect|couldn't connect|connection (refused|reset|timed out)|timed out|early eof|unexpected disconnect|rpc failed|the remote end hung up|returned error: 5\d\d|HTTP 5\d\d/i;

/** UTF-8, keeping a byte-order mark: the text is exactly what is stored. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * The git directory of a local repository, which must be the path itself (not
 * a folder inside one).
 *
 * @param path The repository: a working tree or a bare repository.
 * @param location The source's location, for messages.
 * @param signal Kills git; the call then rejects with the signal's reason.
 * @returns The absolute git directory.
 * @throws {SourceError} When the path does not exist, is not a git repository,
 *   or git is not installed.
 */
export async function findGitDir(
  path: string,
  location: string,
  signal?: AbortSignal,
): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new SourceError(
      location,
      `Cannot open the git source as the repository does not exist: current value is ${
        JSON.stringify(path)
      }`,
      { cause: err },
    );
  }
  // The ceiling stops git from walking up to a repository that encloses the path.
  const found = await git(["-C", real, "rev-parse", "--absolute-git-dir"], location, signal, {
    GIT_CEILING_DIRECTORIES: dirname(real),
  });
  if (found.code !== 0) {
    throw new SourceError(
      location,
      `Cannot open the git source as the path is not a git repository: current value is ${
        JSON.stringify(path)
      }`,
      found.stderr ? { cause: new Error(found.stderr) } : undefined,
    );
  }
  return utf8.decode(found.stdout).trim();
}

/**
 * The bare clone of a URL in the cache: cloned the first time, fetched after.
 * A clone is made beside its final name and renamed, so a crash or a
 * concurrent run never sees half a clone; one left by a killed run is swept
 * on the next call. Credentials in the URL never reach the disk or git's
 * command line: git is given the URL without them, and its credential
 * helper (set through the environment, for that one command) answers with
 * them from the environment.
 *
 * @param url The URL git fetches, credentials included.
 * @param cacheDir The folder of the clones (one bare repository per URL).
 * @param location The source's location, for messages.
 * @param signal Kills git; the call then rejects with the signal's reason.
 * @param timeoutMs How long the clone or fetch may run.
 * @returns The clone's git directory.
 * @throws {SourceError} When the remote refused the clone or fetch, it ran
 *   past its time limit, or git is not installed.
 * @throws {RetryableError} When the clone or fetch failed for a network reason.
 */
export async function cloneOrFetch(
  url: string,
  cacheDir: string,
  location: string,
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<string> {
  const bare = withoutCredentials(url);
  const name = bare.replace(/\.git\/?$|\/+$/g, "").split(/[/:]/).pop()!.replace(
    /[^A-Za-z0-9._-]/g,
    "_",
  );
  const dir = join(
    cacheDir,
    `${name || "repo"}-${createHash("sha256").update(bare).digest("hex").slice(0, 12)}.git`,
  );
  const secrets = credentialsOf(url);
  const env = credentialEnv(url);
  if (await exists(join(dir, "HEAD"))) {
    await forgetStoredCredentials(dir, bare, location, signal);
    const fetched = await git(
      [
        "--git-dir",
        dir,
        "fetch",
        "--quiet",
        "--prune",
        "--force",
        bare,
        "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*",
      ],
      location,
      signal,
      env,
      timeoutMs,
    );
    if (fetched.code !== 0) {
      throw remoteError("fetch", bare, redact(fetched.stderr, secrets), location);
    }
    return dir;
  }
  await makePrivateDir(cacheDir);
  await sweepTemporaryClones(cacheDir);
  // Cloned beside the final name, then renamed: a crash or a concurrent run never sees half a clone.
  const temporary = `${dir}${TEMPORARY}${crypto.randomUUID()}`;
  using _alive = holdProcessLock(`${temporary}.lock`);
  try {
    const cloned = await git(
      ["clone", "--bare", "--quiet", "--", bare, temporary],
      location,
      signal,
      env,
      timeoutMs,
    );
    if (cloned.code !== 0) {
      throw remoteError("clone", bare, redact(cloned.stderr, secrets), location);
    }
    try {
      await Deno.rename(temporary, dir);
    } catch (err) {
      if (!(await exists(join(dir, "HEAD")))) throw err; // Otherwise another run cloned it first.
    }
    return dir;
  } finally {
    await Deno.remove(temporary, { recursive: true }).catch(() => {});
  }
}

/** What a temporary clone's name holds between the final name and a random id. */
const TEMPORARY = ".tmp-";

/**
 * The environment that gives git the URL's credentials for one command:
 * every configured credential helper is reset (so none stores them) and a
 * shell helper answers with the user and password from two variables. The
 * helper's text, visible to `ps` in the shell git starts, names the
 * variables, never their values.
 */
function credentialEnv(url: string): Record<string, string> {
  const found = userinfoOf(url);
  if (!found) return {};
  const { user, password } = found;
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "credential.helper",
    GIT_CONFIG_VALUE_0: "",
    GIT_CONFIG_KEY_1: "credential.helper",
    GIT_CONFIG_VALUE_1:
      '!f() { test "$1" = get || exit 0; echo "username=$WEIR_GIT_USERNAME"; echo "password=$WEIR_GIT_PASSWORD"; }; f',
    WEIR_GIT_USERNAME: user,
    WEIR_GIT_PASSWORD: password,
  };
}

/** The decoded user and password of a URL's userinfo (the last `@` of its authority ends it). */
function userinfoOf(url: string): { user: string; password: string } | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return undefined;
  const rest = url.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf("@");
  if (at < 0) return undefined;
  const info = authority.slice(0, at);
  const colon = info.indexOf(":");
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return colon < 0
    ? { user: decode(info), password: "" }
    : { user: decode(info.slice(0, colon)), password: decode(info.slice(colon + 1)) };
}

/** A clone made by an older weir kept the URL with its credentials in its config: drop them. */
async function forgetStoredCredentials(
  dir: string,
  bare: string,
  location: string,
  signal?: AbortSignal,
): Promise<void> {
  let config: string;
  try {
    config = await Deno.readTextFile(join(dir, "config"));
  } catch {
    return;
  }
  if (withoutCredentials(config) === config) return;
  await git(["--git-dir", dir, "remote", "set-url", "origin", bare], location, signal);
}

/** Creates a folder only its owner may enter (its parents too, when missing). */
async function makePrivateDir(path: string): Promise<void> {
  await Deno.mkdir(path, { recursive: true, mode: 0o700 });
}

/** Removes temporary clones whose run is gone (killed before it could remove them). */
async function sweepTemporaryClones(cacheDir: string): Promise<void> {
  for await (const entry of Deno.readDir(cacheDir)) {
    if (!entry.name.includes(TEMPORARY) || entry.name.endsWith("-journal")) continue;
    const path = join(cacheDir, entry.name.replace(/\.lock$/, ""));
    if (isProcessLockHeld(`${path}.lock`)) continue;
    await Deno.remove(path, { recursive: true }).catch(() => {});
    await Deno.remove(`${path}.lock`).catch(() => {});
  }
}

/**
 * The URL with any `user[:password]@` removed: for messages, locations and cache names.
 *
 * @param url A URL git can fetch.
 * @returns The URL without its credentials; other text is returned as it is.
 */
export function withoutCredentials(url: string): string {
  return withoutUserinfo(url);
}

function remoteError(verb: string, url: string, stderr: string, location: string): Error {
  const cause = new Error(stderr || `git ${verb} failed`);
  if (TRANSIENT.test(stderr)) {
    return new RetryableError(
      `Cannot ${verb} the git repository as the remote is unreachable: current value is ${
        JSON.stringify(url)
      }`,
      { cause },
    );
  }
  return new SourceError(
    location,
    `Cannot ${verb} the git repository as the remote refused it or does not exist: current value is ${
      JSON.stringify(url)
    }`,
    { cause },
  );
}

function credentialsOf(url: string): string[] {
  const found = userinfoOf(url);
  if (!found) return [];
  return [found.user, found.password].flatMap((s) => [s, encodeURIComponent(s)])
    .filter((s) => s.length >= 4);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.replaceAll(secret, REDACTED), text);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
