import assert from "node:assert/strict";
import { resolve } from "node:path";
import {
  mergeNeeds,
  missingFlags,
  needsToFlags,
  normalizeNeeds,
  workerPermissions,
} from "../../lib/permissions.ts";
import { assertPermissions } from "../../kernel/permissions.ts";
import { PermissionMissingError } from "../../kernel/errors.ts";

Deno.test("normalizeNeeds() resolves paths and drops those inside another", () => {
  assert.deepEqual(normalizeNeeds({ read: ["/a", "/a/b", "/ab", "rel"], env: ["X", "X"] }), {
    read: ["/a", "/ab", resolve("rel")],
    env: ["X"],
  });
});

Deno.test("mergeNeeds() unions every kind without duplicates", () => {
  assert.deepEqual(mergeNeeds({ read: ["a"], net: ["h:1"] }, { read: ["a", "b"] }), {
    read: ["a", "b"],
    net: ["h:1"],
  });
});

Deno.test("needsToFlags() writes one flag per kind", () => {
  assert.deepEqual(needsToFlags({ write: ["/w"], read: ["/r", "/r/x"], net: ["h:1", "g"] }), [
    "--allow-read=/r",
    "--allow-write=/w",
    "--allow-net=h:1,g",
  ]);
});

Deno.test("missingFlags() lists only what is not granted", () => {
  // The test permission set grants read and write everywhere, env and net to loopback.
  assert.deepEqual(missingFlags({ read: ["/tmp"], net: ["127.0.0.1:1"] }), []);
  assert.deepEqual(missingFlags({ net: ["example.org:443"] }), ["--allow-net=example.org:443"]);
});

Deno.test("assertPermissions() throws PermissionMissingError naming the flag", () => {
  assert.throws(
    () => assertPermissions("t.x", { net: ["example.org"] }),
    (e: unknown) =>
      e instanceof PermissionMissingError && e.exitCode === 2 &&
      e.flags.join() === "--allow-net=example.org" &&
      e.message ===
        'Cannot run "t.x" as a permission is missing: run again with --allow-net=example.org',
  );
});

Deno.test("workerPermissions() grants exactly the declared needs and nothing else", () => {
  assert.deepEqual(workerPermissions({ read: ["/d"], env: ["A"] }), {
    read: ["/d"],
    write: false,
    net: false,
    env: ["A"],
    run: false,
    sys: false,
    ffi: false,
    import: false,
  });
});
