/**
 * Attack on files at rest: what weir creates under its home (run records,
 * manifests, locks, databases, objects, clones) must be readable by its
 * owner alone, 0600 for files and 0700 for folders; so must the services
 * scripts' state, which holds passwords.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, weir } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

/** Every path under `dir` (itself included) whose mode lets its group or others in. */
async function openToOthers(dir: string): Promise<string[]> {
  const found: string[] = [];
  const { mode } = await Deno.lstat(dir);
  if ((mode! & 0o077) !== 0) found.push(`${dir} ${(mode! & 0o777).toString(8)}`);
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await openToOthers(path));
    else if (entry.isFile) {
      const file = (await Deno.lstat(path)).mode! & 0o777;
      if ((file & 0o077) !== 0) found.push(`${path} ${file.toString(8)}`);
    }
  }
  return found;
}

Deno.test("file modes: a snapshot and a sync leave only 0600 files and 0700 folders under the home", async () => {
  await using tmp = await tempDir("weir-sec-modes-");
  const home = join(tmp.path, "home");
  const snapshot = await weir([
    "--home",
    home,
    "run",
    "example.snapshot",
    "--source",
    join(ROOT, "fixtures", "example"),
  ]);
  assert.equal(snapshot.code, 0, snapshot.stderr);
  const sync = await weir([
    "--home",
    home,
    "run",
    "streaming.sync",
    "--source",
    join(ROOT, "fixtures", "ontology", "sample", "pages"),
  ]);
  assert.equal(sync.code, 3, sync.stderr); // The sample holds broken pages on purpose.
  assert.deepEqual(await openToOthers(home), []);
});

Deno.test("file modes: the services scripts create their state files for their owner alone", async () => {
  await using tmp = await tempDir("weir-sec-modes-");
  const script = `source ${JSON.stringify(join(ROOT, "services", "_lib.sh"))}; ` +
    `printf secret >${JSON.stringify(join(tmp.path, "neo4j.password"))}; ` +
    `mkdir ${JSON.stringify(join(tmp.path, "state"))}`;
  const out = await new Deno.Command("bash", { args: ["-c", script] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.equal(Deno.statSync(join(tmp.path, "neo4j.password")).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(join(tmp.path, "state")).mode! & 0o777, 0o700);
});
