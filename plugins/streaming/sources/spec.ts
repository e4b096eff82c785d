/**
 * The source spec: which adapter a task reads pages from, and its settings.
 * {@linkcode sourceSpec} validates a task's `source` input, in the object
 * form ({@linkcode SourceSpec}) or the compact string form that
 * {@linkcode parseSourceSpec} reads.
 *
 * ## The compact form (CLI)
 *
 * A source can be written as one string, for `--source` or a params file:
 *
 * | form | meaning |
 * | --- | --- |
 * | `./graph` or `dir:./graph` | a local directory |
 * | `git:<repo>` | a git repository's `HEAD`; `<repo>` is a path or a URL |
 * | `git:<repo>@<ref>` | the repository at a branch, tag or commit |
 * | `git:<repo>@<ref>:<prefix>` | only the pages under a folder (`@:pages/` keeps `HEAD`) |
 * | `github:<owner>/<repo>[@<ref>][:<prefix>]` | a GitHub repository (default branch when no ref) |
 * | `{"kind": ...}` | the object form, as JSON |
 *
 * For git, the ref starts at the last `@`, and the prefix at the first `:`
 * after it (a ref cannot hold a `:`). An `@` that belongs to the repository
 * (`https://user@host/r.git`, scp-style `git@host:r.git`) is recognised. A
 * repository starting with `.`, `/` or `~` is a local path, never
 * `user@host:path`: `git:.@HEAD:pages/` is the current directory's
 * repository at `HEAD`, and `git:../graph@main:pages/` a sibling one. A
 * bare name followed by `@ref:prefix` (`git:graph@main:pages/`) reads as
 * scp-style, so write a local one `./graph@main:pages/`. A ref or prefix
 * holding `@` needs the object form.
 *
 * @module
 */
import { z } from "zod";
import { prefixProblem } from "./_prefix.ts";
import { DEFAULT_GIT_CACHE_DIR, DEFAULT_GITHUB_URL } from "./defaults.ts";

const prefixField = z.string()
  .refine((p) => prefixProblem(p) === undefined, {
    message: 'expected a folder inside the source such as "pages/" (no "..", "." or "//")',
  })
  .optional()
  .describe("folder whose *.md pages are read; the whole source when absent");

const refField = z.string()
  .regex(/^[^\s:\-\0][^\s:\0]*$/, {
    message: 'expected a branch, tag or commit (no spaces or ":", not starting with "-")',
  })
  .optional()
  .describe("branch, tag or commit; HEAD (or GitHub's default branch) when absent");

const dirSpec = z.object({
  kind: z.literal("dir"),
  path: z.string().min(1).describe("the directory"),
  prefix: prefixField,
});

const gitSpec = z.object({
  kind: z.literal("git"),
  repo: z.string().min(1).describe("a local repository path or a URL git can fetch"),
  ref: refField,
  prefix: prefixField,
  cacheDir: z.string().min(1).optional().describe(
    `where clones of URLs are kept; ${DEFAULT_GIT_CACHE_DIR} when absent`,
  ),
  timeoutMs: z.number().int().positive().optional()
    .describe("how long one git command (a clone, a fetch) may run; 10 minutes when absent"),
});

const githubSpec = z.object({
  kind: z.literal("github"),
  owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, {
    message: "expected a GitHub user or organization name",
  }),
  repo: z.string().regex(/^[A-Za-z0-9._-]+$/, { message: "expected a GitHub repository name" }),
  ref: refField,
  prefix: prefixField,
  token: z.string().min(1).optional().describe("a GitHub token; GITHUB_TOKEN when absent"),
  baseUrl: z.string().refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
    message: "expected an http(s) URL",
  }).optional().describe(`the API's address; ${DEFAULT_GITHUB_URL} when absent`),
  cacheDir: z.string().min(1).optional().describe(
    "where the ETag cache is kept between runs; memory only when absent",
  ),
  maxPageBytes: z.number().int().positive().optional()
    .describe("the largest answer for one page, in bytes; 16 MiB when absent"),
  maxListingBytes: z.number().int().positive().optional()
    .describe("the largest answer for the repository, ref or a tree, in bytes; 64 MiB when absent"),
  maxRequests: z.number().int().positive().optional()
    .describe("the most requests one sync sends; 100000 when absent"),
});

const specObject = z.discriminatedUnion("kind", [dirSpec, gitSpec, githubSpec]);

/** A source in its object form: which adapter, and its settings. */
export type SourceSpec = z.output<typeof specObject>;

/**
 * Parses a source from its compact form (see the module documentation):
 * `dir:<path>` or a bare path, `git:<repo>[@<ref>[:<prefix>]]`,
 * `github:<owner>/<repo>[@<ref>][:<prefix>]`, or a JSON object.
 *
 * @param text The compact form.
 * @returns The object form; not yet validated (see {@linkcode sourceSpec}).
 * @throws {SyntaxError} When the text is empty, the JSON is malformed or `github:` lacks `owner/repo`.
 *
 * @example Read each form
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSourceSpec } from "./mod.ts";
 * assert.deepEqual(parseSourceSpec("./pages"), { kind: "dir", path: "./pages" });
 * assert.deepEqual(parseSourceSpec("git:https://example.com/graph.git@v2:pages/"), {
 *   kind: "git", repo: "https://example.com/graph.git", ref: "v2", prefix: "pages/",
 * });
 * assert.deepEqual(parseSourceSpec("git:.@HEAD:pages/"), {
 *   kind: "git", repo: ".", ref: "HEAD", prefix: "pages/",
 * });
 * assert.deepEqual(parseSourceSpec("git:git@example.com:graph.git"), {
 *   kind: "git", repo: "git@example.com:graph.git",
 * });
 * assert.deepEqual(parseSourceSpec("github:octo/graph:pages/"), {
 *   kind: "github", owner: "octo", repo: "graph", ref: undefined, prefix: "pages/",
 * });
 * ```
 */
export function parseSourceSpec(text: string): SourceSpec {
  const fail = (why: string): never => {
    throw new SyntaxError(
      `Cannot parse the source as ${why}: current value is ${JSON.stringify(text)}`,
    );
  };
  if (text.trim() === "") fail("it is empty");
  if (text.trimStart().startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new SyntaxError(
        `Cannot parse the source as its JSON is malformed: current value is ${
          JSON.stringify(text)
        }`,
        { cause },
      );
    }
  }
  if (text.startsWith("github:")) {
    const rest = text.slice("github:".length);
    const colon = rest.indexOf(":");
    const head = colon < 0 ? rest : rest.slice(0, colon);
    const at = head.indexOf("@");
    const [owner, repo, ...more] = (at < 0 ? head : head.slice(0, at)).split("/");
    if (!owner || !repo || more.length) fail('"github:" must be followed by <owner>/<repo>');
    return {
      kind: "github",
      owner,
      repo,
      ref: at < 0 ? undefined : head.slice(at + 1) || undefined,
      prefix: colon < 0 ? undefined : rest.slice(colon + 1) || undefined,
    };
  }
  if (text.startsWith("git:")) {
    const rest = text.slice("git:".length);
    if (rest === "") fail('"git:" must be followed by a repository');
    const at = rest.lastIndexOf("@");
    const head = rest.slice(0, at);
    const tail = rest.slice(at + 1);
    const local = /^[./~]/.test(head);
    const userinfo = at < 0 || /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i.test(head) ||
      (!local && /^[^/:]+$/.test(head) && tail.includes(":"));
    if (userinfo) return { kind: "git", repo: rest };
    const colon = tail.indexOf(":");
    return {
      kind: "git",
      repo: head,
      ref: (colon < 0 ? tail : tail.slice(0, colon)) || undefined,
      prefix: colon < 0 ? undefined : tail.slice(colon + 1) || undefined,
    };
  }
  return { kind: "dir", path: text.startsWith("dir:") ? text.slice("dir:".length) : text };
}

/**
 * The schema of a task's `source` input: the object form, or the compact
 * form as a string (parsed with {@linkcode parseSourceSpec}). Either way
 * the output is the object form; `describe` shows both.
 *
 * @example Validate both forms
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceSpec } from "./mod.ts";
 * const a = sourceSpec.parse("github:octo/graph@main:pages/");
 * const b = sourceSpec.parse({ kind: "github", owner: "octo", repo: "graph", ref: "main", prefix: "pages/" });
 * assert.deepEqual(a, b);
 * assert.equal(sourceSpec.safeParse("git:/srv/graph@main:../etc").success, false);
 * ```
 */
export const sourceSpec: z.ZodType<SourceSpec, SourceSpec | string> = z.union([
  z.string().transform((text, ctx) => {
    let parsed: unknown;
    try {
      parsed = parseSourceSpec(text);
    } catch (err) {
      ctx.issues.push({
        code: "custom",
        message: (err as Error).message,
        input: text,
        continue: true,
      });
      return z.NEVER;
    }
    const result = specObject.safeParse(parsed);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      // `continue` keeps these issues from counting as a type mismatch, so the
      // union reports them instead of a bare "Invalid input".
      ctx.issues.push({
        code: "custom",
        message: issue.message,
        path: issue.path,
        input: text,
        continue: true,
      });
    }
    return z.NEVER;
  }),
  specObject,
], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? 'expected a path, "dir:...", "git:...", "github:..." or an object whose kind is "dir", "git" or "github"'
      : undefined,
}).describe(
  "where pages come from: a directory path, dir:<path>, git:<repo>[@<ref>[:<prefix>]], " +
    "github:<owner>/<repo>[@<ref>][:<prefix>], or an object with kind dir, git or github",
);
