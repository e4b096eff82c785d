/**
 * Permission needs: what a piece of work will touch (paths read and
 * written, hosts, env vars, commands), merged, normalized, turned into the
 * exact `--allow-*` flags, checked against what the process was granted,
 * and turned into a Worker's grants. The kernel's pre-flight (DESIGN.md
 * section 4) is built on them.
 *
 * @module
 */
import { resolve, SEP as sep } from "./path.ts";

/**
 * What a task will touch. Paths are resolved against the working directory;
 * hosts may carry a port (`127.0.0.1:7687`).
 */
export interface PermissionNeeds {
  /** Paths read (files or directories). */
  read?: readonly string[];
  /** Paths written. */
  write?: readonly string[];
  /** Hosts reached, `host` or `host:port`. */
  net?: readonly string[];
  /** Environment variables read. */
  env?: readonly string[];
  /** Executables run. */
  run?: readonly string[];
  /** System information read (`hostname`, `osRelease`, ...). */
  sys?: readonly string[];
}

const KINDS = ["read", "write", "net", "env", "run", "sys"] as const;
type Kind = typeof KINDS[number];

/**
 * Merges needs, dropping duplicates.
 *
 * @param all The needs to merge.
 * @returns One set of needs holding every value.
 *
 * @example
 * ```ts
 * import { mergeNeeds } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * const needs = mergeNeeds({ read: ["a"] }, { read: ["a", "b"], env: ["HOME"] });
 * assert.deepEqual(needs, { read: ["a", "b"], env: ["HOME"] });
 * ```
 */
export function mergeNeeds(...all: PermissionNeeds[]): PermissionNeeds {
  const out: Record<string, string[]> = {};
  for (const needs of all) {
    for (const kind of KINDS) {
      for (const value of needs[kind] ?? []) {
        const list = out[kind] ??= [];
        if (!list.includes(value)) list.push(value);
      }
    }
  }
  return out;
}

function descriptor(kind: Kind, value: string): Deno.PermissionDescriptor {
  switch (kind) {
    case "read":
    case "write":
      return { name: kind, path: resolve(value) };
    case "net":
      return { name: "net", host: value };
    case "env":
      return { name: "env", variable: value };
    case "run":
      return { name: "run", command: value };
    case "sys":
      return { name: "sys", kind: value as Deno.SysPermissionDescriptor["kind"] };
  }
}

/**
 * Resolves paths to absolute ones and drops values another value covers
 * (a path inside a granted directory), so flags stay short.
 *
 * @param needs What a task will touch.
 * @returns The same needs, normalized.
 *
 * @example
 * ```ts
 * import { normalizeNeeds } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * const n = normalizeNeeds({ write: ["/w", "/w/objects", "/x"] });
 * assert.deepEqual(n.write, ["/w", "/x"]);
 * ```
 */
export function normalizeNeeds(needs: PermissionNeeds): PermissionNeeds {
  const out: Record<string, string[]> = {};
  for (const kind of KINDS) {
    let values = [...new Set(needs[kind] ?? [])];
    if (kind === "read" || kind === "write") {
      values = [...new Set(values.map((p) => resolve(p)))];
      values = values.filter((p) => !values.some((q) => q !== p && p.startsWith(q + sep)));
    }
    if (values.length) out[kind] = values;
  }
  return out;
}

/**
 * The flags that grant exactly these needs.
 *
 * @param needs What a task will touch.
 * @returns One `--allow-<kind>=<values>` flag per kind.
 *
 * @example
 * ```ts
 * import { needsToFlags } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(needsToFlags({ env: ["HOME"] }), ["--allow-env=HOME"]);
 * ```
 */
export function needsToFlags(needs: PermissionNeeds): string[] {
  const n = normalizeNeeds(needs);
  return KINDS.filter((k) => n[k]?.length).map((k) => `--allow-${k}=${n[k]!.join(",")}`);
}

/**
 * Lists the flags that would grant what is not granted now, one flag per
 * kind with every missing value (`--allow-read=/a,/b`).
 *
 * @param needs What the task will touch.
 * @returns The missing flags; empty when everything is granted.
 *
 * @example
 * ```ts
 * import { missingFlags } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(missingFlags({}), []);
 * ```
 */
export function missingFlags(needs: PermissionNeeds): string[] {
  const normal = normalizeNeeds(needs);
  const missing: Record<string, string[]> = {};
  for (const kind of KINDS) {
    const values = (normal[kind] ?? []).filter((value) =>
      Deno.permissions.querySync(descriptor(kind, value)).state !== "granted"
    );
    if (values.length) missing[kind] = values;
  }
  return needsToFlags(missing);
}

/**
 * Turns needs into the permissions of a sandboxed Worker: exactly what was
 * declared, nothing else.
 *
 * @param needs What the task will touch.
 * @returns Options for `new Worker(url, { deno: { permissions } })`.
 *
 * @example
 * ```ts
 * import { workerPermissions } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * const p = workerPermissions({ read: ["/data"] });
 * assert.deepEqual(p.read, ["/data"]);
 * assert.equal(p.write, false);
 * ```
 */
export function workerPermissions(needs: PermissionNeeds): Deno.PermissionOptionsObject {
  const list = (kind: Kind, map: (v: string) => string = (v) => v) =>
    needs[kind]?.length ? needs[kind]!.map(map) : false;
  return {
    read: list("read", (p) => resolve(p)),
    write: list("write", (p) => resolve(p)),
    net: list("net"),
    env: list("env"),
    run: list("run"),
    sys: list("sys") as Deno.PermissionOptionsObject["sys"],
    ffi: false,
    import: false,
  };
}

/**
 * Whether env needs name a variable, exactly or by a `PREFIX_*` pattern.
 *
 * @param env The env needs.
 * @param name The variable.
 * @returns `true` when one of the needs covers it.
 *
 * @example
 * ```ts
 * import { coversEnv } from "./permissions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(coversEnv(["AWS_*"], "AWS_REGION"), true);
 * assert.equal(coversEnv(["AWS_REGION"], "AWS_SECRET_ACCESS_KEY"), false);
 * ```
 */
export function coversEnv(env: readonly string[] | undefined, name: string): boolean {
  return (env ?? []).some((e) =>
    e === name || (e.endsWith("*") && name.startsWith(e.slice(0, -1)))
  );
}
