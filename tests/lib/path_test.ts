import assert from "node:assert/strict";
import fc from "fast-check";
import * as node from "node:path";
import * as path from "../../lib/path.ts";

const segment = fc.constantFrom("", ".", "..", "a", "b", "data", "x.db", "/");
const rawPath = fc.array(segment, { maxLength: 8 }).map((parts) => parts.join("/"));

Deno.test("lib/path agrees with node:path (POSIX) on normalize, join, resolve and dirname", () => {
  fc.assert(
    fc.property(rawPath, rawPath, (a, b) => {
      assert.equal(path.normalize(a), node.normalize(a), `normalize(${JSON.stringify(a)})`);
      assert.equal(path.dirname(a), node.dirname(a), `dirname(${JSON.stringify(a)})`);
      assert.equal(path.join(a, b), node.join(a, b), `join(${JSON.stringify([a, b])})`);
      assert.equal(path.resolve(a, b), node.resolve(a, b), `resolve(${JSON.stringify([a, b])})`);
      assert.equal(path.isAbsolute(a), node.isAbsolute(a));
    }),
    { numRuns: 2000, seed: 7 },
  );
});
