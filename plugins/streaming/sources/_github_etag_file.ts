/**
 * Where a GitHub spec with a `cacheDir` keeps its ETag cache (private to
 * `sources/`), shared by {@linkcode openSource} (which opens it) and
 * {@linkcode sourceNeeds} (which asks for read and write of it).
 *
 * @module
 */
import { join } from "node:path";
import { DEFAULT_GITHUB_URL } from "./defaults.ts";
import type { SourceSpec } from "./spec.ts";

/**
 * The ETag file of a GitHub spec: one per API host and repository, in its
 * cache directory.
 *
 * @param spec A GitHub spec whose `cacheDir` is set.
 * @returns The file's path.
 */
export function githubEtagFile(spec: Extract<SourceSpec, { kind: "github" }>): string {
  const host = new URL(spec.baseUrl ?? DEFAULT_GITHUB_URL).host.replace(/[^A-Za-z0-9.-]/g, "_");
  return join(spec.cacheDir!, `github-${host}-${spec.owner}-${spec.repo}.etags.json`);
}
