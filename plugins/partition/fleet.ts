/**
 * `partition.fleet`: runs `--instances` copies of `partition.process` as
 * separate `deno` processes on this machine (instance ids 0 to n-1), each
 * with only the permissions it needs, waits for all of them and sums their
 * outputs. The demo's way of showing several instances at once; across
 * machines, start `partition.process` on each one instead (see the README).
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { mergeNeeds } from "../../lib/permissions.ts";
import { weirSourceNeeds } from "../../kernel/source.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { backendFields, backendNeeds, backendPaths, usePostgres } from "./common.ts";
import type { Options } from "./options.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const input = z.object({
  ...backendFields,
  instances: z.number().int().min(1).max(64).default(3).describe("processes to start"),
  mode: z.enum(["none", "static", "lease"]).default("static").describe("as partition.process"),
  partitionBy: z.enum(["modulo", "hash"]).default("modulo").describe("as partition.process"),
  partitions: z.number().int().min(1).max(4096).optional().describe("lease mode: partitions"),
  workers: z.number().int().min(1).max(64).default(4).describe(
    "records converted at once, per instance",
  ),
  batchSize: z.number().int().min(1).max(10_000).default(100).describe("records claimed per query"),
  leaseTtlMs: z.number().int().min(300).max(600_000).default(10_000).describe("lease mode: ttl"),
  delayMs: z.number().int().min(0).max(60_000).default(0).describe("simulated per-record I/O wait"),
});

const instance = z.object({
  instance_id: z.number().int(),
  exit_code: z.number().int(),
  processed: z.number().int(),
  failed: z.number().int(),
  duplicates: z.number().int(),
  records_per_s: z.number(),
});

const output = z.object({
  instances: z.array(instance),
  processed: z.number().int(),
  failed: z.number().int(),
  duplicates: z.number().int(),
  duration_ms: z.number(),
  records_per_s: z.number(),
});

/** The `deno` to start: this one when it may be run, else `deno` from PATH. */
async function denoCommand(): Promise<string> {
  const self = await Deno.permissions.query({ name: "run", command: Deno.execPath() });
  return self.state === "granted" ? Deno.execPath() : "deno";
}

/**
 * Creates the `partition.fleet` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { fleetTask } from "./fleet.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fleetTask(defaults).id, "partition.fleet");
 * ```
 */
export function fleetTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "partition.fleet",
    summary: "Runs several partition.process instances as separate processes on this machine",
    input,
    output,
    permissions: (i, config) =>
      mergeNeeds(backendNeeds(i, config, options), { run: ["deno"], write: [config.home] }),
    async run(ctx, i) {
      const started = performance.now();
      const paths = backendPaths(i, ctx.config.home, options);
      const needs = mergeNeeds(backendNeeds(i, ctx.config, options), weirSourceNeeds(), {
        read: [ctx.config.home],
        write: [ctx.config.home],
      });
      const flags = [
        `--allow-read=${needs.read!.join(",")}`,
        `--allow-write=${needs.write!.join(",")}`,
        "--allow-sys=hostname",
        ...(needs.net ? [`--allow-net=${needs.net.join(",")}`] : []),
        ...(needs.env ? [`--allow-env=${needs.env.join(",")}`] : []),
      ];
      const command = await denoCommand();
      const { instances, ...common } = i;
      ctx.log.info(`starting ${instances} instances of partition.process (${i.mode})`, {
        db: usePostgres(i, ctx.config) ? "DATABASE_URL" : paths.db,
      });
      await Deno.mkdir(dirname(paths.db), { recursive: true });
      const runs = Array.from({ length: instances }, async (_, k) => {
        const params = {
          ...common,
          backend: usePostgres(i, ctx.config) ? "postgres" : "sqlite",
          contract: paths.contract,
          db: paths.db,
          instanceId: k,
          instanceCount: instances,
        };
        const child = new Deno.Command(command, {
          args: [
            "run",
            "--no-prompt",
            ...flags,
            resolve(ROOT, "main.ts"),
            "--home",
            ctx.config.home,
            "--quiet",
            "run",
            "partition.process",
            "--params",
            JSON.stringify(params),
          ],
          cwd: ROOT,
          env: usePostgres(i, ctx.config) ? { DATABASE_URL: ctx.config.databaseUrl ?? "" } : {},
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const out = await child;
        const text = new TextDecoder().decode(out.stdout);
        const envelope = text.trim() ? JSON.parse(text) : {};
        const o = envelope.output ?? {};
        if (out.code !== 0 && out.code !== 3) {
          const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
          ctx.failures.add(`instance ${k}`, `exit ${out.code}: ${envelope.error?.message ?? err}`);
        }
        return {
          instance_id: k,
          exit_code: out.code,
          processed: o.processed ?? 0,
          failed: o.failed ?? 0,
          duplicates: o.duplicates ?? 0,
          records_per_s: o.records_per_s ?? 0,
        };
      });
      const results = await Promise.all(runs);
      const sum = (k: "processed" | "failed" | "duplicates") =>
        results.reduce((s, r) => s + r[k], 0);
      const duration = performance.now() - started;
      const done = sum("processed") + sum("failed");
      ctx.log.info(
        `instances finished: ${done} records logged, ${sum("duplicates")} duplicate attempts`,
      );
      return {
        instances: results,
        processed: sum("processed"),
        failed: sum("failed"),
        duplicates: sum("duplicates"),
        duration_ms: Math.round(duration),
        records_per_s: Math.round(done / (duration / 1000) * 10) / 10,
      };
    },
  });
}
