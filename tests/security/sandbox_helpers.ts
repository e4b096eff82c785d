/**
 * Runs the hostile plugin (tests/fixtures/malicious_plugin.ts) through the
 * CLI as a user with broad grants would, with a deadline so a parent that
 * hangs fails the test instead of blocking it.
 *
 * @module
 */
import { type CliRun, weir } from "../helpers/cli.ts";

/** The secrets the parent holds and a contained plugin never sees. */
export const SECRETS = {
  AWS_SECRET_ACCESS_KEY: "aws-secret-7f3a91",
  NEO4J_PASSWORD: "neo4j-secret-c0ffee",
};

/**
 * Runs `weir --plugin malicious run <task>` with read, write and env granted.
 *
 * @param args What follows `--plugin <fixture>` (the home, the command).
 * @param deadlineMs When to kill weir if it has not ended.
 * @returns The run, and whether the deadline killed it.
 */
export async function runHostile(
  args: string[],
  deadlineMs = 60_000,
): Promise<CliRun & { killed: boolean }> {
  let killed = false;
  const run = await weir(["--plugin", "tests/fixtures/malicious_plugin.ts", ...args], {
    perms: ["--allow-read", "--allow-write", "--allow-env"],
    env: SECRETS,
    onSpawn: (child) => {
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, deadlineMs);
      child.status.finally(() => clearTimeout(timer));
      return Promise.resolve();
    },
  });
  return { ...run, killed };
}

/** The JSON envelope, or a failure naming what stdout held instead. */
export function envelopeOf(run: CliRun): { status: string; error?: string } {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not the JSON envelope alone: ${JSON.stringify(run.stdout)}`);
  }
}
