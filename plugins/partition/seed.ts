/**
 * `partition.seed`: fills the source table with records: generated from a
 * seed (`--count`), or read from a JSON-lines file of `{app_id, xml}`
 * (`--from`, for example the committed sample). Ids already present are
 * kept as they are, so seeding twice changes nothing.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../../lib/errors.ts";
import { mergeNeeds } from "../../lib/permissions.ts";
import { defineTask, type Task } from "../../kernel/task.ts";
import { backendFields, backendNeeds, openFromInput } from "./common.ts";
import { generateRecords } from "./generator.ts";
import type { Options } from "./options.ts";
import type { SourceRecord } from "./store.ts";

const input = z.object({
  ...backendFields,
  from: z.string().min(1).optional().describe("JSON-lines file of {app_id, xml} to load"),
  count: z.number().int().min(0).max(10_000_000).default(1000).describe("records to generate"),
  seed: z.number().int().default(1).describe("generator seed"),
  firstId: z.number().int().min(0).max(2_147_483_647).default(1).describe("first generated id"),
  malformedRate: z.number().min(0).max(1).default(0.02).describe("share of malformed records"),
  minBytes: z.number().int().min(600).max(1_000_000).default(1024).describe("smallest record"),
  maxBytes: z.number().int().min(600).max(1_000_000).default(20_480).describe("largest record"),
});

const output = z.object({
  backend: z.string(),
  location: z.string(),
  given: z.number().int(),
  inserted: z.number().int(),
});

async function readJsonl(path: string): Promise<SourceRecord[]> {
  const lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim() !== "");
  return lines.map((line, n) => {
    const v = JSON.parse(line);
    if (!Number.isSafeInteger(v?.app_id) || v.app_id < 0 || typeof v?.xml !== "string") {
      throw new UsageError(
        `Cannot load line ${
          n + 1
        } of "${path}" as it must be {"app_id": non-negative integer, "xml": string}`,
      );
    }
    return { appId: v.app_id, xml: v.xml };
  });
}

/**
 * Creates the `partition.seed` task.
 *
 * @param options The plugin's options.
 * @returns The task.
 *
 * @example
 * ```ts
 * import { seedTask } from "./seed.ts";
 * import { defaults } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(seedTask(defaults).id, "partition.seed");
 * ```
 */
export function seedTask(options: Options): Task<typeof input, typeof output> {
  return defineTask({
    id: "partition.seed",
    summary: "Fills the source table with generated records or a JSON-lines file",
    input,
    output,
    permissions: (i, config) =>
      mergeNeeds(backendNeeds(i, config, options), i.from ? { read: [resolve(i.from)] } : {}),
    async run(ctx, i) {
      const records = i.from
        ? await readJsonl(resolve(i.from))
        : generateRecords({ ...i, minBytes: Math.min(i.minBytes, i.maxBytes) }).records;
      await using backend = await openFromInput(i, ctx.config, options);
      const inserted = await backend.store.loadSource(records);
      ctx.log.info(`seeded ${inserted} of ${records.length} records`, {
        location: backend.location,
      });
      return { backend: backend.kind, location: backend.location, given: records.length, inserted };
    },
  });
}
