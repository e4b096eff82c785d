/**
 * Opening a source: {@linkcode openSource} imports the adapter a spec
 * names on demand (`dir.ts`, `git.ts` or `github.ts`) and opens it.
 *
 * @module
 */
import type { PageSource } from "../model.ts";
import { githubEtagFile } from "./_github_etag_file.ts";
import type { GitHubSourceOptions } from "./github_options.ts";
import type { SourceSpec } from "./spec.ts";

/** Options of {@linkcode openSource}. */
export interface OpenSourceOptions {
  /** Stops opening (a clone, a fetch, resolving the ref). */
  signal?: AbortSignal;
  /**
   * Reads an environment variable (`GITHUB_TOKEN` when the spec has no token).
   *
   * @default {Deno.env.get, or nothing when env permission is not granted}
   */
  env?: (name: string) => string | undefined;
  /**
   * Pages larger than this fail; a directory checks it before reading.
   *
   * @default {16 MiB}
   */
  maxPageBytes?: number;
  /** Further GitHub options: an injected `fetch`, timeouts, `onWait`. */
  github?: Omit<Partial<GitHubSourceOptions>, "owner" | "repo" | "ref" | "prefix">;
}

/**
 * Opens the adapter a spec names. Adapters are imported on demand.
 *
 * @param spec Which source, as {@linkcode sourceSpec} outputs it.
 * @param options Abort signal, environment, further GitHub options.
 * @returns The open source; call `close()` when done.
 * @throws {SourceError} When the source cannot be opened as given (missing repository, bad ref or token).
 * @throws {TypeError} When `spec.kind` is unknown.
 *
 * @example Open a directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSource } from "./mod.ts";
 * const root = await Deno.makeTempDir();
 * const source = await openSource({ kind: "dir", path: root });
 * assert.equal(source.kind, "dir");
 * await source.close();
 * await Deno.remove(root);
 * ```
 */
export async function openSource(
  spec: SourceSpec,
  options: OpenSourceOptions = {},
): Promise<PageSource> {
  const { signal, env = readEnv } = options;
  switch (spec.kind) {
    case "dir": {
      const { DirSource } = await import("./dir.ts");
      return new DirSource(spec.path, {
        prefix: spec.prefix,
        maxPageBytes: options.maxPageBytes,
      });
    }
    case "git": {
      const { GitSource } = await import("./git.ts");
      return await GitSource.open(spec, signal);
    }
    case "github": {
      const { GitHubSource } = await import("./github.ts");
      return await GitHubSource.open({
        ...options.github,
        owner: spec.owner,
        repo: spec.repo,
        ref: spec.ref,
        prefix: spec.prefix,
        token: spec.token ?? options.github?.token ?? env("GITHUB_TOKEN"),
        baseUrl: spec.baseUrl ?? options.github?.baseUrl,
        etagFile: spec.cacheDir ? githubEtagFile(spec) : options.github?.etagFile,
        maxPageBytes: spec.maxPageBytes ?? options.github?.maxPageBytes,
        maxListingBytes: spec.maxListingBytes ?? options.github?.maxListingBytes,
        maxRequests: spec.maxRequests ?? options.github?.maxRequests,
      }, signal);
    }
    default:
      throw new TypeError(
        `Cannot open the source as its kind is not "dir", "git" or "github": current value is "${
          (spec as { kind?: unknown })?.kind
        }"`,
      );
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // No env permission: the variable is simply absent.
  }
}
