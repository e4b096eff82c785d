/**
 * Test helpers of the contracts plugin: a kernel with the plugin, and a
 * generated set written to a temporary folder, with changes applied before
 * it is written (broken variants).
 *
 * @module
 */
import { join } from "node:path";
import { Registry } from "../../../kernel/registry.ts";
import { contractsPlugin } from "../../../plugins/contracts/mod.ts";
import { pipelines } from "../../../tasks/mod.ts";
import { type TestKernel, testKernel } from "../../helpers/kernel.ts";
import {
  type ContractSet,
  generateSet,
  type SetOptions,
} from "../../../fixtures/contracts/generate.ts";

/** A kernel whose registry holds the contracts plugin and the built-in pipelines. */
export function contractsKernel(): Promise<TestKernel> {
  return testKernel({ registry: new Registry().add(contractsPlugin()).addPipelines(...pipelines) });
}

/** The small shape: 2 areas x 2 dimensions x 2 questions, no warnings. */
export const SMALL: SetOptions = {
  areas: 2,
  dimensions: 2,
  perChunk: 2,
  contractKb: 2,
  restatedShare: 0,
  placeholderShare: 0,
};

/** Where a written set is, and the params every task takes for it. */
export interface WrittenSet {
  /** The folder. */
  dir: string;
  /** The params (`expectedContracts` and `expectedChunks` from the shape). */
  params: {
    contracts: string;
    document: string;
    questionnaire: string;
    expectedContracts: number;
    expectedChunks: number;
  };
  /** The labels file. */
  labels: string;
}

/**
 * Generates a set, lets `change` alter it, writes it under `home/<name>`.
 *
 * @param home A temporary folder.
 * @param options The generator's options (default {@linkcode SMALL}).
 * @param change Alters the set before it is written.
 * @param name The sub-folder.
 * @returns Paths and params.
 */
export async function writeTestSet(
  home: string,
  options: SetOptions = SMALL,
  change: (set: ContractSet) => void = () => {},
  name = "set",
): Promise<WrittenSet> {
  const set = generateSet(options);
  const expected = { contracts: set.contracts.size, chunks: set.document.chunks.length };
  change(set);
  const dir = join(home, name);
  await Deno.mkdir(join(dir, "contracts"), { recursive: true });
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  for (const [file, c] of set.contracts) {
    await Deno.writeTextFile(join(dir, "contracts", file), typeof c === "string" ? c : json(c));
  }
  await Deno.writeTextFile(join(dir, "document.json"), json(set.document));
  await Deno.writeTextFile(join(dir, "questionnaire.json"), json(set.questionnaire));
  await Deno.writeTextFile(join(dir, "labels.json"), json(set.labels));
  return {
    dir,
    params: {
      contracts: join(dir, "contracts"),
      document: join(dir, "document.json"),
      questionnaire: join(dir, "questionnaire.json"),
      expectedContracts: expected.contracts,
      expectedChunks: expected.chunks,
    },
    labels: join(dir, "labels.json"),
  };
}

/** A contract of a set, to change it. */
// deno-lint-ignore no-explicit-any
export function contract(set: ContractSet, file: string): any {
  return set.contracts.get(file);
}
