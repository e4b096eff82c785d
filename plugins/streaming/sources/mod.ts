/**
 * Page sources: where the streaming plugin's pages come from. One port,
 * {@linkcode PageSource} (in `../model.ts`), three adapters, each imported on
 * demand by {@linkcode openSource}:
 *
 * - `dir.ts`: a local directory (the default);
 * - `git.ts`: a git repository at a ref, a local path or a URL, read through
 *   the `git` CLI without a checkout;
 * - `github.ts`: the GitHub REST API.
 *
 * Every adapter lists the `*.md` files under an optional folder prefix,
 * sorted by path in UTF-8 byte order, and reads a page's text exactly as
 * stored (a byte-order mark and CRLF line ends are kept).
 *
 * Beside the adapters:
 *
 * - `spec.ts`: {@linkcode sourceSpec}, the schema of a task's `source`
 *   input, and {@linkcode parseSourceSpec} for its compact string form
 *   (`./graph`, `git:<repo>@<ref>:<prefix>`, `github:<owner>/<repo>`; the
 *   full table is in `spec.ts`);
 * - `open.ts`: {@linkcode openSource};
 * - `needs.ts`: each adapter's permission needs ({@linkcode sourceNeeds});
 * - `paths.ts`: the page and prefix rules the adapters share;
 * - `source_error.ts`: {@linkcode SourceError};
 * - `defaults.ts`: the git cache directory and the GitHub API address.
 *
 * @example Open a directory source from its compact form
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSource, sourceSpec } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/Avatar.md`, "- ### OntologyBlock\n");
 * const source = await openSource(sourceSpec.parse(`dir:${root}`));
 * const pages = await Array.fromAsync(source.list());
 * assert.deepEqual(pages.map((p) => p.path), ["Avatar.md"]);
 * await source.close();
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
export type { PageRef, PageSource } from "../model.ts";
export * from "./defaults.ts";
export * from "./needs.ts";
export * from "./open.ts";
export * from "./paths.ts";
export * from "./source_error.ts";
export * from "./spec.ts";
