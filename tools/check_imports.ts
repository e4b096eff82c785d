/**
 * Checks that imports run one way (DESIGN.md section 1): main -> tasks ->
 * cli, plugins -> kernel -> lib; nothing in `lib/` imports `kernel/`, `cli/`
 * or a plugin; plugins never import each other; no import cycles (static,
 * dynamic and type-only imports all count, as each is a dependency a reader
 * must follow).
 *
 * The module graph comes from `deno info --json`, so imports are resolved
 * exactly as Deno resolves them and JSDoc examples do not count.
 *
 * ```sh
 * deno run --allow-read --allow-run=deno tools/check_imports.ts
 * ```
 *
 * @module
 */
import { relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A module graph: each local file (relative to the root) and the local files it imports. */
export type ImportGraph = Map<string, Set<string>>;

/** One broken rule. */
export interface ImportProblem {
  /** The importing file. */
  from: string;
  /** The imported file (for a cycle: the file that closes it). */
  to: string;
  /** Which rule, in words. */
  rule: string;
}

/** The layers, highest first; a file may import its own unit or a lower layer. */
const RANK: Record<string, number> = { main: 5, mod: 5, tools: 5, tasks: 4, cli: 3, plugins: 3 };

/**
 * The layer of a source file and its unit (a plugin's folder for plugins).
 *
 * @param file A path relative to the repository root.
 * @returns The layer, its rank, and the unit, or `undefined` outside the checked tree.
 *
 * @example
 * ```ts
 * import { layerOf } from "./check_imports.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(layerOf("plugins/streaming/sync.ts"), {
 *   layer: "plugins", rank: 3, unit: "plugins/streaming",
 * });
 * assert.equal(layerOf("lib/async/pool.ts")?.rank, 1);
 * ```
 */
export function layerOf(
  file: string,
): { layer: string; rank: number; unit: string } | undefined {
  if (file === "main.ts") return { layer: "main", rank: RANK.main, unit: "main" };
  if (file === "mod.ts") return { layer: "mod", rank: RANK.mod, unit: "mod" };
  const [top, second] = file.split("/");
  if (top === "lib") return { layer: "lib", rank: 1, unit: "lib" };
  if (top === "kernel") return { layer: "kernel", rank: 2, unit: "kernel" };
  if (top === "plugins") return { layer: "plugins", rank: 3, unit: `plugins/${second}` };
  if (top in RANK) return { layer: top, rank: RANK[top], unit: top };
  return undefined;
}

/**
 * Finds every broken layering rule and every import cycle.
 *
 * @param graph Local files and what they import.
 * @returns The problems, empty when the tree is clean.
 *
 * @example A lib file importing the kernel, and a cycle
 * ```ts
 * import { checkGraph } from "./check_imports.ts";
 * import assert from "node:assert/strict";
 * const graph = new Map([
 *   ["lib/hash.ts", new Set(["kernel/task.ts"])],
 *   ["kernel/task.ts", new Set(["kernel/plugin.ts"])],
 *   ["kernel/plugin.ts", new Set(["kernel/task.ts"])],
 * ]);
 * const rules = checkGraph(graph).map((p) => p.rule);
 * assert.deepEqual(rules, [
 *   "lib/ imports kernel/ (imports run one way: main -> tasks -> cli, plugins -> kernel -> lib)",
 *   "import cycle: kernel/plugin.ts -> kernel/task.ts -> kernel/plugin.ts",
 * ]);
 * ```
 */
export function checkGraph(graph: ImportGraph): ImportProblem[] {
  const problems: ImportProblem[] = [];
  for (const [from, deps] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    const a = layerOf(from);
    if (!a) continue;
    for (const to of [...deps].sort()) {
      const b = layerOf(to);
      if (!b || a.unit === b.unit) continue;
      if (a.layer === "plugins" && b.layer === "plugins") {
        problems.push({ from, to, rule: `${a.unit} imports another plugin, ${b.unit}` });
      } else if (b.rank >= a.rank) {
        problems.push({
          from,
          to,
          rule: `${a.layer}/ imports ${b.layer}/ (imports run one way: ` +
            "main -> tasks -> cli, plugins -> kernel -> lib)",
        });
      }
    }
  }
  for (const cycle of findCycles(graph)) {
    problems.push({
      from: cycle[cycle.length - 2],
      to: cycle[cycle.length - 1],
      rule: `import cycle: ${cycle.join(" -> ")}`,
    });
  }
  return problems;
}

/** One cycle per strongly connected component (Tarjan), each as a closed path. */
function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const members = new Set(component);
    if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(cyclePath(graph, members));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A closed path through a strongly connected component, from its first file. */
function cyclePath(graph: ImportGraph, members: Set<string>): string[] {
  const start = [...members].sort()[0];
  // Breadth-first from start back to start, inside the component: the shortest cycle.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Builds the graph of local files with `deno info --json`, starting from the
 * given entry files and adding any source file not yet reached.
 *
 * @param root The repository root.
 * @param files The source files to cover, relative to the root.
 * @returns The graph (local files only; npm and node imports are left out).
 * @throws {Error} When `deno info` fails.
 */
export async function readGraph(root: string, files: readonly string[]): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  const rootUrl = pathToFileURL(resolve(root) + "/").href;
  const local = (specifier: string) =>
    specifier.startsWith(rootUrl) ? relative(root, fileURLToPath(specifier)) : undefined;
  for (const file of files) {
    if (graph.has(file)) continue;
    const { code, stdout, stderr } = await new Deno.Command(denoBin(), {
      args: ["info", "--json", file],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(`Cannot read the imports of "${file}": ${new TextDecoder().decode(stderr)}`);
    }
    const info = JSON.parse(new TextDecoder().decode(stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    for (const mod of info.modules) {
      const from = local(mod.specifier);
      if (!from || graph.has(from)) continue;
      const deps = new Set<string>();
      for (const dep of mod.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          const to = target && local(target);
          if (to) deps.add(to);
        }
      }
      graph.set(from, deps);
    }
  }
  return graph;
}

/** This Deno when it may be run, else `deno` from the PATH (`--allow-run=deno`). */
function denoBin(): string {
  const self = Deno.execPath();
  return Deno.permissions.querySync({ name: "run", command: self }).state === "granted"
    ? self
    : "deno";
}

/**
 * The source files the rules cover: main.ts, mod.ts and every `.ts` file
 * under cli/, kernel/, lib/, plugins/ and tasks/.
 *
 * @param root The repository root.
 * @returns Paths relative to the root, sorted.
 */
export async function sourceFiles(root: string): Promise<string[]> {
  const out = ["main.ts", "mod.ts"];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(resolve(root, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) out.push(path);
    }
  };
  for (const dir of ["cli", "kernel", "lib", "plugins", "tasks"]) await walk(dir);
  return out.sort();
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const files = await sourceFiles(root);
  const problems = checkGraph(await readGraph(root, files));
  const lines = problems.map((p) => `${p.from} -> ${p.to}: ${p.rule}`);
  lines.push(
    problems.length
      ? `imports: ${problems.length} problem(s) in ${files.length} files`
      : `imports: ${files.length} files, one way, no cycles`,
  );
  Deno.stderr.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
  Deno.exit(problems.length ? 1 : 0);
}
