/**
 * The README's plugin example is real: extracted from README.md, loaded with
 * `--plugin`, and run through the CLI.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, weir } from "../helpers/cli.ts";

async function extractPlugin(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const block = readme.match(/```ts\n\/\/ words\.ts\n([\s\S]*?)```/);
  assert.ok(block, "README.md holds the words.ts example");
  const dir = join(ROOT, "tests/.tmp");
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, `words_${crypto.randomUUID()}.ts`);
  await Deno.writeTextFile(file, block[1].replace('from "./mod.ts"', 'from "../../mod.ts"'));
  return file;
}

Deno.test("the README's plugin example counts words and lists unreadable files (exit 3)", async () => {
  const plugin = await extractPlugin();
  const home = await Deno.makeTempDir();
  const ok = await weir([
    "--plugin",
    plugin,
    "--home",
    home,
    "run",
    "words.count",
    "--files",
    "fixtures/example/README.md",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual((ok.json as { output: unknown }).output, { words: 7 });

  const partial = await weir([
    "--plugin",
    plugin,
    "--home",
    home,
    "run",
    "words.count",
    "--files",
    "fixtures/example/README.md",
    "--files",
    "fixtures/example/missing.md",
  ]);
  assert.equal(partial.code, 3, partial.stderr);
  const env = partial.json as { failures: { item: string; reason: string }[] };
  assert.equal(env.failures[0].item, "fixtures/example/missing.md");
  assert.match(env.failures[0].reason, /No such file or directory/);

  const denied = await weir(
    ["--plugin", plugin, "--home", home, "run", "words.count", "--files", "/etc/hostname"],
    { perms: [`--allow-read=${ROOT},${home}`, `--allow-write=${home}`] },
  );
  assert.equal(denied.code, 2);
  assert.ok(denied.stderr.includes("run again with --allow-read=/etc/hostname"), denied.stderr);
  await Deno.remove(plugin);
  await Deno.remove(home, { recursive: true });
});
