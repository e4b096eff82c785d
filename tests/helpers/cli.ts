/**
 * Runs the weir CLI as a user does: a `deno run` subprocess of main.ts with
 * explicit permission flags, a fresh home directory, and captured output.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SOURCE_FOLDERS as FOLDERS } from "../../kernel/source.ts";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * weir's own source folders, as `--allow-read` values: task modules load on
 * demand and Deno asks for read access to them (kernel/source.ts).
 */
export const SOURCE_FOLDERS: readonly string[] = FOLDERS.map((folder) => join(ROOT, folder));

/** What a CLI run produced. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** stdout as text. */
  stdout: string;
  /** stderr as text. */
  stderr: string;
  /** stdout parsed as JSON (undefined when empty). */
  json: unknown;
  /** stderr's JSON lines, parsed (non-JSON lines skipped). */
  lines: Record<string, unknown>[];
}

/** Options of {@linkcode weir}. */
export interface CliOptions {
  /** Permission flags for `deno run`. @default {["--allow-read", "--allow-write"]} */
  perms?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Called with the child once it runs (e.g. to send a signal). */
  onSpawn?: (child: Deno.ChildProcess, stderr: ReadableStream<string>) => Promise<void>;
}

/**
 * Runs `deno run <perms> main.ts <args>` from the repository root.
 *
 * @param args The CLI arguments.
 * @param options Permissions, environment, a hook on the running child.
 * @returns Exit code and output.
 */
export async function weir(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const perms = [...(options.perms ?? ["--allow-read", "--allow-write"])];
  // A plugin loaded with --plugin is described and run by a child deno process (the sandbox).
  if (args.includes("--plugin") && !perms.some((p) => p.startsWith("--allow-run"))) {
    perms.push("--allow-run=deno");
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--unstable-worker-options", ...perms, "main.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const [errForHook, errForResult] = child.stderr.pipeThrough(new TextDecoderStream()).tee();
  const collect = async (stream: ReadableStream<string>) => {
    let text = "";
    for await (const chunk of stream) text += chunk;
    return text;
  };
  const stdoutText = new Response(child.stdout).text();
  let stderrText: Promise<string>;
  if (options.onSpawn) {
    stderrText = collect(errForResult);
    await options.onSpawn(child, errForHook);
  } else {
    errForHook.cancel();
    stderrText = collect(errForResult);
  }
  const [status, stdout, stderr] = await Promise.all([child.status, stdoutText, stderrText]);
  const lines = stderr.split("\n").flatMap((line) => {
    try {
      const v = JSON.parse(line);
      return v && typeof v === "object" ? [v] : [];
    } catch {
      return [];
    }
  });
  return {
    code: status.code,
    stdout,
    stderr,
    json: stdout.trim() ? JSON.parse(stdout) : undefined,
    lines,
  };
}

/**
 * Waits until a stream yields text containing `needle`, then keeps draining it.
 *
 * @param stream The stream (stderr).
 * @param needle The text to wait for.
 */
export async function waitFor(stream: ReadableStream<string>, needle: string): Promise<void> {
  const reader = stream.getReader();
  let seen = "";
  while (!seen.includes(needle)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before "${needle}" appeared: ${seen}`);
    seen += value;
  }
  // Keep draining so the child never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
}
