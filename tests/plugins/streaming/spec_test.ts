/**
 * The compact git source form: a repository written as a local path is read
 * as one, and only a bare `user@host:path` is scp-style.
 */
import assert from "node:assert/strict";
import { parseSourceSpec, sourceSpec } from "../../../plugins/streaming/sources/mod.ts";

Deno.test("parseSourceSpec() reads a repository starting with '.', '/' or '~' as a local path", () => {
  const cases: [string, unknown][] = [
    ["git:.@HEAD:fixtures/ontology/sample/pages/", {
      kind: "git",
      repo: ".",
      ref: "HEAD",
      prefix: "fixtures/ontology/sample/pages/",
    }],
    ["git:..@main:pages/", { kind: "git", repo: "..", ref: "main", prefix: "pages/" }],
    ["git:../repo@main:pages/", { kind: "git", repo: "../repo", ref: "main", prefix: "pages/" }],
    ["git:~@v1:notes", { kind: "git", repo: "~", ref: "v1", prefix: "notes" }],
    ["git:.hidden@main:pages/", { kind: "git", repo: ".hidden", ref: "main", prefix: "pages/" }],
    ["git:.@HEAD", { kind: "git", repo: ".", ref: "HEAD", prefix: undefined }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseSourceSpec(text), expected, text);
});

Deno.test("parseSourceSpec() still reads a bare user@host:path as scp-style", () => {
  assert.deepEqual(parseSourceSpec("git:git@example.com:graph.git"), {
    kind: "git",
    repo: "git@example.com:graph.git",
  });
  assert.deepEqual(parseSourceSpec("git:graph@main:pages/"), {
    kind: "git",
    repo: "graph@main:pages/",
  });
});

Deno.test("sourceSpec accepts the README's local git source with its ref and prefix", () => {
  assert.deepEqual(sourceSpec.parse("git:.@HEAD:fixtures/ontology/sample/pages/"), {
    kind: "git",
    repo: ".",
    ref: "HEAD",
    prefix: "fixtures/ontology/sample/pages/",
  });
});
