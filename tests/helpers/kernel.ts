/**
 * An in-process kernel for tests: the probe plugin and pipelines, a fresh
 * home directory, and a terminal that captures everything written to it.
 *
 * @module
 */
import { Kernel, type KernelOptions } from "../../kernel/kernel.ts";
import { Registry } from "../../kernel/registry.ts";
import { Terminal } from "../../lib/terminal.ts";
import { pipelines, plugin } from "../fixtures/probe_plugin.ts";
import { examplePlugin } from "../../plugins/example/mod.ts";
import { streamingPlugin } from "../../plugins/streaming/mod.ts";
import { contractsPlugin } from "../../plugins/contracts/mod.ts";
import { canonicalPlugin } from "../../plugins/canonical/mod.ts";
import { graphPlugin } from "../../plugins/graph/mod.ts";
import { partitionPlugin } from "../../plugins/partition/mod.ts";
import { pipelines as builtIn } from "../../tasks/mod.ts";

/** A kernel with its home and captured stderr; `await using` closes it. */
export interface TestKernel extends AsyncDisposable {
  /** The kernel. */
  kernel: Kernel;
  /** Its home directory (removed by `close`). */
  home: string;
  /** Everything written to the terminal so far. */
  output: () => string;
  /** Closes the kernel and removes the home. */
  close: () => Promise<void>;
}

/**
 * Creates a kernel over the probe and example plugins in a temporary home.
 *
 * @param options Overrides of the kernel options.
 * @returns The kernel and helpers.
 */
export async function testKernel(options: Partial<KernelOptions> = {}): Promise<TestKernel> {
  const home = await Deno.makeTempDir({ prefix: "weir-kernel-" });
  let text = "";
  const decoder = new TextDecoder();
  const terminal = new Terminal({
    writeSync: (bytes) => {
      text += decoder.decode(bytes);
      return bytes.length;
    },
  }, false);
  const registry = new Registry().add(plugin).add(examplePlugin()).add(streamingPlugin())
    .add(contractsPlugin())
    .add(canonicalPlugin())
    .add(graphPlugin())
    .add(partitionPlugin())
    .addPipelines(...pipelines, ...builtIn);
  const kernel = new Kernel({ registry, terminal, flags: { home }, env: {}, ...options });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      kernel.close();
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  };
  return {
    kernel,
    home,
    output: () => text,
    close,
    [Symbol.asyncDispose]: close,
  };
}
