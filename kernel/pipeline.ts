/**
 * Pipelines: named sequences of task steps, each step's input built from the
 * pipeline's params and the outputs of earlier steps. Typed through
 * {@linkcode TaskMap}: a step names a task id and gets that task's input and
 * output types.
 *
 * @module
 */
import type { Schema, SchemaOutput } from "../lib/schema.ts";
import type { AnyTask, TaskInput, TaskMap, TaskOutput } from "./task.ts";

/** The input type of the task with id `K`, from {@linkcode TaskMap}. */
export type InputOf<K> = K extends keyof TaskMap
  ? TaskMap[K] extends AnyTask ? TaskInput<TaskMap[K]>
  : unknown
  : unknown;
/** The output type of the task with id `K`, from {@linkcode TaskMap}. */
export type OutputOf<K> = K extends keyof TaskMap
  ? TaskMap[K] extends AnyTask ? TaskOutput<TaskMap[K]>
  : unknown
  : unknown;

/** One step of a pipeline. */
export interface PipelineStep {
  /** The step's name, unique in the pipeline. */
  readonly name: string;
  /** The task it runs. */
  readonly task: string;
  /** Builds the task's input from params and earlier outputs. */
  readonly input: (params: never, outputs: never) => unknown;
  /** Run in a Worker granted only the task's declared permissions. */
  readonly sandbox: boolean;
}

/** A pipeline. */
export interface Pipeline<P extends Schema = Schema> {
  /** The name, also its `deno task` entry. */
  readonly name: string;
  /** One line saying what it does. */
  readonly summary: string;
  /** The params schema. */
  readonly params: P;
  /** The steps, in order. */
  readonly steps: readonly PipelineStep[];
  /** Lines a person reads at the end, built from the outputs. */
  // A method, so a pipeline with specific params is still a Pipeline<Schema>.
  summarize?(
    outputs: Record<string, unknown>,
    params: SchemaOutput<P>,
  ): string[] | Promise<string[]>;
}

/** Builds a pipeline step by step, accumulating output types. */
export class PipelineBuilder<P extends Schema, Outs extends Record<string, unknown>> {
  #name: string;
  #summary: string;
  #params: P;
  #steps: PipelineStep[];

  /**
   * Starts a builder; use {@linkcode definePipeline}.
   *
   * @param name The pipeline name.
   * @param summary One line saying what it does.
   * @param params The params schema.
   * @param steps The steps so far.
   */
  constructor(name: string, summary: string, params: P, steps: PipelineStep[] = []) {
    this.#name = name;
    this.#summary = summary;
    this.#params = params;
    this.#steps = steps;
  }

  /**
   * Adds a step.
   *
   * @param name The step name.
   * @param task The task id.
   * @param input Builds the task's input.
   * @param options `sandbox: true` runs the step in a Worker with only the task's permissions.
   * @returns A builder that knows this step's output type.
   * @throws {TypeError} When the step name is already used.
   */
  step<N extends string, K extends string>(
    name: N,
    task: K,
    input: (params: SchemaOutput<P>, outputs: Outs) => InputOf<K>,
    options: { sandbox?: boolean } = {},
  ): PipelineBuilder<P, Outs & { [key in N]: OutputOf<K> }> {
    if (this.#steps.some((s) => s.name === name)) {
      throw new TypeError(
        `Cannot add step "${name}" to pipeline "${this.#name}" as a step of that name exists`,
      );
    }
    const step: PipelineStep = {
      name,
      task,
      input: input as PipelineStep["input"],
      sandbox: options.sandbox ?? false,
    };
    return new PipelineBuilder(this.#name, this.#summary, this.#params, [...this.#steps, step]);
  }

  /**
   * Finishes the pipeline.
   *
   * @param summarize Lines a person reads at the end.
   * @returns The pipeline.
   */
  build(summarize?: (outputs: Outs, params: SchemaOutput<P>) => string[]): Pipeline<P> {
    return Object.freeze({
      name: this.#name,
      summary: this.#summary,
      params: this.#params,
      steps: Object.freeze([...this.#steps]),
      summarize: summarize as Pipeline<P>["summarize"],
    });
  }
}

/**
 * Starts defining a pipeline.
 *
 * @param name The name (its `deno task` entry).
 * @param summary One line saying what it does.
 * @param params The params schema.
 * @returns A builder; add steps with `.step()` and finish with `.build()`.
 *
 * @example Two steps, the second using the first's output
 * ```ts
 * import { z } from "zod";
 * import { definePipeline } from "./pipeline.ts";
 * import assert from "node:assert/strict";
 * const demo = definePipeline("copy-check", "Copies then checks", z.object({ dir: z.string() }))
 *   .step("copy", "files.copy", (p) => ({ source: p.dir }))
 *   .step("check", "files.check", (_p, out) => ({ manifest: (out.copy as { key: string }).key }))
 *   .build();
 * assert.deepEqual(demo.steps.map((s) => s.name), ["copy", "check"]);
 * ```
 */
export function definePipeline<P extends Schema>(
  name: string,
  summary: string,
  params: P,
): PipelineBuilder<P, Record<never, never>> {
  return new PipelineBuilder(name, summary, params);
}
