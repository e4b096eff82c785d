/**
 * Input documents: files, directories (every `*.json` under them) and
 * globs (`data/**\/*.json`), each with a document id derived from its path
 * unless one is given. A path that exists is never read as a glob.
 *
 * @module
 */
import { join, relative, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { compileGlob } from "../../lib/glob.ts";
import { UsageError } from "../../lib/errors.ts";
import type { Json } from "./tree.ts";

/** One input document. */
export interface InputFile {
  /** The file. */
  path: string;
  /** Its document id. */
  docId: string;
}

/**
 * The folder (or file) an input reads under: the static part of a glob.
 *
 * @param input A file, a directory or a glob.
 * @returns The path to grant read access to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inputRoot } from "./inputs.ts";
 * assert.equal(inputRoot("data/**\/*.json"), "data");
 * assert.equal(inputRoot("data/a.json"), "data/a.json");
 * ```
 */
export function inputRoot(input: string): string {
  const scan = globScan(input);
  return scan.isGlob ? (scan.base || ".") : input;
}

/**
 * How an input reads: an existing path is taken literally even when it
 * holds glob characters (`(`, `[`, `*`); anything else is scanned as a glob.
 */
function globScan(input: string): { isGlob: boolean; base: string; glob: string } {
  try {
    Deno.statSync(input);
    return { isGlob: false, base: input, glob: "" };
  } catch {
    return picomatch.scan(input);
  }
}

/**
 * A document id from a path: relative to its root, `.json` dropped,
 * `/` as separator.
 *
 * @param root The input's root (a directory), or the file itself.
 * @param path The file.
 * @returns The id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docIdOf } from "./inputs.ts";
 * assert.equal(docIdOf("/d", "/d/sub/x.json"), "sub/x");
 * assert.equal(docIdOf("/d/x.json", "/d/x.json"), "x");
 * ```
 */
export function docIdOf(root: string, path: string): string {
  const rel = root === path
    ? path.split(/[\\/]/).pop()!
    : relative(root, path).split(sep).join("/");
  return rel.replace(/\.json$/i, "");
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* walk(path);
    else if (e.isFile) yield path;
  }
}

/**
 * Lists the documents the inputs name, sorted by id.
 *
 * @param inputs Files, directories or globs.
 * @returns One entry per document.
 * @throws {UsageError} When an input does not exist, or two files give one id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listInputs } from "./inputs.ts";
 * const files = await listInputs(["fixtures/graph/sample"]);
 * assert.ok(files.length > 0 && files.every((f) => f.path.endsWith(".json")));
 * ```
 */
export async function listInputs(inputs: readonly string[]): Promise<InputFile[]> {
  const found = new Map<string, InputFile>();
  const add = (root: string, path: string) => {
    const docId = docIdOf(root, path);
    const before = found.get(docId);
    if (before && before.path !== path) {
      throw new UsageError(
        `Cannot upload as two files give document id "${docId}": "${before.path}" and "${path}"`,
      );
    }
    found.set(docId, { path, docId });
  };
  for (const input of inputs) {
    const scan = globScan(input);
    if (scan.isGlob) {
      const base = resolve(scan.base || ".");
      const matches = compileGlob(scan.glob);
      for await (const path of walk(base)) {
        if (matches(relative(base, path).split(sep).join("/"))) add(base, path);
      }
      continue;
    }
    const path = resolve(input);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new UsageError(`Cannot upload "${input}" as it does not exist`);
      }
      throw err;
    }
    if (info.isFile) add(path, path);
    else for await (const file of walk(path)) if (/\.json$/i.test(file)) add(path, file);
  }
  return [...found.values()].sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0));
}

/**
 * Reads and parses a document.
 *
 * @param path The file.
 * @returns The JSON value.
 * @throws {SyntaxError} When the file is not JSON, naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDocument } from "./inputs.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, '{"a": 1}');
 * assert.deepEqual(await readDocument(path), { a: 1 });
 * ```
 */
export async function readDocument(path: string): Promise<Json> {
  const text = await Deno.readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse "${path}" as JSON: ${(err as Error).message}`);
  }
}
