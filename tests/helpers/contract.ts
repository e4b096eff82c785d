/**
 * Contract tests: one suite of behaviours written once for a port and run
 * against every adapter of it, so the embedded default and the real server
 * behave the same.
 *
 * @module
 */

/** One behaviour of a port, checked on a freshly opened adapter. */
export type ContractCase<T> = (adapter: T, t: Deno.TestContext) => void | Promise<void>;

/** A port's behaviours, by name. Make one with {@linkcode contractSuite}. */
export interface ContractSuite<T> {
  /** The port's name, for example `"ObjectStore"`. */
  readonly port: string;
  /** Each behaviour by a name that says what it checks. */
  readonly cases: Readonly<Record<string, ContractCase<T>>>;
}

/** An adapter opened for one case, and how to dispose of it. */
export interface OpenedAdapter<T> {
  /** The adapter under test. */
  adapter: T;
  /** Closes it and removes whatever `open` made (folders, servers). */
  close(): Promise<void>;
}

/** How {@linkcode runContract} gets a fresh adapter for each case. */
export interface ContractAdapter<T> {
  /** The adapter's name in test names, for example `"fs"`. */
  name: string;
  /** Opens a fresh, empty adapter. */
  open(): Promise<OpenedAdapter<T>>;
  /**
   * Why the adapter cannot be tested here (for example a service that is not
   * running); its cases are then ignored, with the reason in their names,
   * unless `WEIR_REQUIRE_SERVICES=1`, where they fail with it.
   */
  skip?: string;
  /**
   * Check that every operation started by a case ended.
   *
   * @default {true}
   */
  sanitizeOps?: boolean;
  /**
   * Check that every resource opened by a case was closed.
   *
   * @default {true}
   */
  sanitizeResources?: boolean;
}

/** Options of {@linkcode runContract}. */
export interface RunContractOptions {
  /**
   * Registers one test; replace it to collect the definitions instead.
   *
   * @default {Deno.test}
   */
  register?: (definition: Deno.TestDefinition) => void;
}

/**
 * Defines a port's contract suite.
 *
 * @typeParam T The port's interface.
 * @param port The port's name, used in test names.
 * @param cases Each behaviour by a descriptive name.
 * @returns The suite, for {@linkcode runContract}.
 * @throws {RangeError} When `cases` is empty.
 *
 * @example Define a suite for a tiny port
 * ```ts
 * import assert from "node:assert/strict";
 * import { contractSuite } from "./contract.ts";
 * interface Counter { next(): number }
 * const suite = contractSuite<Counter>("Counter", {
 *   "next() counts from 1": (counter) => {
 *     if (counter.next() !== 1) throw new Error("expected 1");
 *   },
 * });
 * assert.ok(suite.port === "Counter");
 * ```
 */
export function contractSuite<T>(
  port: string,
  cases: Record<string, ContractCase<T>>,
): ContractSuite<T> {
  if (Object.keys(cases).length === 0) {
    throw new RangeError(
      `Cannot define the contract suite as it has no cases: current value is "${port}"`,
    );
  }
  return { port, cases: Object.freeze({ ...cases }) };
}

/**
 * Registers one `Deno.test` per adapter and case, named
 * `<port> [<adapter>] <case>`. Each case gets a freshly opened adapter,
 * closed afterwards even when the case fails.
 *
 * @typeParam T The port's interface.
 * @param suite The behaviours to check.
 * @param adapters The adapters to check them on.
 * @param options Where to register the tests.
 * @throws {RangeError} When two adapters share a name.
 *
 * @example Run a suite against two adapters
 * ```ts
 * import assert from "node:assert/strict";
 * import { contractSuite, runContract } from "./contract.ts";
 * const suite = contractSuite<Map<string, number>>("KeyValue", {
 *   "get() returns what set() stored": (map) => {
 *     map.set("a", 1);
 *     if (map.get("a") !== 1) throw new Error("lost the value");
 *   },
 * });
 * // In a test module, leave out `register`: each case becomes a Deno.test.
 * const tests: Deno.TestDefinition[] = [];
 * runContract(suite, [
 *   { name: "map", open: () => Promise.resolve({ adapter: new Map(), close: async () => {} }) },
 *   { name: "absent", open: () => Promise.reject(new Error("unused")), skip: "no server here" },
 * ], { register: (test) => tests.push(test) });
 * assert.equal(tests[0].name, "KeyValue [map] get() returns what set() stored");
 * // An absent adapter's cases are ignored, unless WEIR_REQUIRE_SERVICES=1 makes them fail.
 * const required = Deno.env.get("WEIR_REQUIRE_SERVICES") === "1";
 * assert.equal(tests[1].ignore === true, !required);
 * ```
 */
export function runContract<T>(
  suite: ContractSuite<T>,
  adapters: readonly ContractAdapter<T>[],
  options: RunContractOptions = {},
): void {
  const { register = Deno.test } = options;
  const names = new Set<string>();
  for (const adapter of adapters) {
    if (names.has(adapter.name)) {
      throw new RangeError(
        `Cannot run the ${suite.port} contract as two adapters share a name: current value is "${adapter.name}"`,
      );
    }
    names.add(adapter.name);
  }
  const required = requireServices();
  for (const adapter of adapters) {
    for (const [title, check] of Object.entries(suite.cases)) {
      const name = `${suite.port} [${adapter.name}] ${title}`;
      const { skip, sanitizeOps = true, sanitizeResources = true } = adapter;
      if (skip !== undefined && !required) {
        register({ name: `${name} (skipped: ${skip})`, ignore: true, fn() {} });
        continue;
      }
      register({
        name,
        sanitizeOps,
        sanitizeResources,
        async fn(t) {
          if (skip !== undefined) {
            throw new Error(
              `Cannot run "${name}" as its adapter is unavailable and WEIR_REQUIRE_SERVICES=1: ${skip}`,
            );
          }
          const opened = await adapter.open();
          try {
            await check(opened.adapter, t);
          } finally {
            await opened.close();
          }
        },
      });
    }
  }
}

function requireServices(): boolean {
  try {
    return Deno.env.get("WEIR_REQUIRE_SERVICES") === "1";
  } catch {
    return false; // No env permission: services are not required.
  }
}
