/**
 * Gating for integration tests that need an external service (Neo4j,
 * PostgreSQL) started by `deno task services:up`.
 *
 * Settings come from the environment (`NEO4J_URI`, `NEO4J_HYBRID_URI`,
 * `NEO4J_USER`, `NEO4J_PASSWORD`, `DATABASE_URL`), each falling back to the
 * file `services/.state/services.json` (or the file named by
 * `WEIR_SERVICES_FILE`) that `services/ctl.sh up` writes. When this module
 * loads it also checks that each configured service accepts TCP connections,
 * so settings left behind by a stopped service count as absent.
 *
 * A test for an absent service is registered as ignored and its reason is
 * printed on stderr, except when `WEIR_REQUIRE_SERVICES=1` (set by CI): then
 * the test runs and fails, naming the service and how to start it.
 *
 * @module
 */

/** How to reach the Neo4j test servers over Bolt. */
export interface Neo4jSettings {
  /** Bolt URI of the jsongraph server, for example `bolt://127.0.0.1:40123`. */
  uri: string;
  /**
   * Bolt URI of the hybridgraph server; the jsongraph URI when
   * `NEO4J_HYBRID_URI` is not set (one server, namespaced labels).
   */
  hybridUri: string;
  /** User name. @default {"neo4j"} */
  user: string;
  /** Password; empty when the server runs without auth. @default {""} */
  password: string;
}

/** How to reach the PostgreSQL test server. */
export interface PostgresSettings {
  /** Connection URL, for example `postgres://weir:weir@127.0.0.1:5432/weir_test`. */
  url: string;
}

/** The settings of each service, by service name. */
export interface ServiceSettingsMap {
  /** The Neo4j servers. */
  neo4j: Neo4jSettings;
  /** The PostgreSQL server. */
  postgres: PostgresSettings;
}

/** A service that integration tests can require. */
export type ServiceName = keyof ServiceSettingsMap;

/** The settings of every service that is configured; absent ones are `undefined`. */
export type ServiceSettings = { [N in ServiceName]?: ServiceSettingsMap[N] };

/** What {@linkcode requireService} found: the settings, or why the service is absent. */
export type ServiceRequirement<N extends ServiceName> =
  | { available: true; settings: ServiceSettingsMap[N] }
  | { available: false; reason: string };

/** The variables that `services/ctl.sh up` records in `services.json`. */
const KEYS = [
  "NEO4J_URI",
  "NEO4J_HYBRID_URI",
  "NEO4J_USER",
  "NEO4J_PASSWORD",
  "DATABASE_URL",
] as const;
type Key = typeof KEYS[number];

const START_HINT = "start it with `deno task services:up`";
const PROBE_TIMEOUT_MS = 2_000;

/** The path of the services file: `WEIR_SERVICES_FILE` or `services/.state/services.json`. */
function servicesFile(): string {
  const fromEnv = readEnv("WEIR_SERVICES_FILE");
  if (fromEnv) return fromEnv;
  return new URL("../../services/.state/services.json", import.meta.url).pathname;
}

/** Reads an environment variable; `undefined` when unset, empty or not permitted. */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** Reads the services file; an empty record when it is missing or unreadable. */
function readServicesFile(path: string): Partial<Record<Key, string>> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Cannot read test service settings as ${path} is not JSON`, {
      cause: error,
    });
  }
  const values: Partial<Record<Key, string>> = {};
  if (typeof parsed !== "object" || parsed === null) return values;
  for (const key of KEYS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === "string") values[key] = value;
  }
  return values;
}

/**
 * Reads the settings of the test services: each variable from the
 * environment, else from the services file that `services/ctl.sh up` wrote.
 * This does not check that the services answer; {@linkcode requireService}
 * does.
 *
 * @returns The settings of each configured service; a service without its
 * URI (`NEO4J_URI`, `DATABASE_URL`) is absent.
 * @throws {SyntaxError} When the services file exists but is not JSON.
 *
 * @example Read the PostgreSQL URL when there is one
 * ```ts
 * import assert from "node:assert/strict";
 * import { serviceSettings } from "./services.ts";
 * const url = serviceSettings().postgres?.url;
 * assert.ok(url === undefined || url.startsWith("postgres"));
 * ```
 */
export function serviceSettings(): ServiceSettings {
  const file = readServicesFile(servicesFile());
  const get = (key: Key) => readEnv(key) ?? file[key];
  const settings: ServiceSettings = {};
  const uri = get("NEO4J_URI");
  if (uri) {
    settings.neo4j = {
      uri,
      hybridUri: get("NEO4J_HYBRID_URI") ?? uri,
      user: get("NEO4J_USER") ?? "neo4j",
      password: get("NEO4J_PASSWORD") ?? "",
    };
  }
  const url = get("DATABASE_URL");
  if (url) settings.postgres = { url };
  return settings;
}

/** The host and port of each server a service's settings name. */
function endpoints<N extends ServiceName>(name: N, settings: ServiceSettingsMap[N]): URL[] {
  if (name === "postgres") return [new URL((settings as PostgresSettings).url)];
  const neo4j = settings as Neo4jSettings;
  return [...new Set([neo4j.uri, neo4j.hybridUri])].map((uri) => new URL(uri));
}

/** Resolves to `undefined` when `url`'s host accepts a TCP connection, else to why not. */
async function probe(url: URL, defaultPort: number): Promise<string | undefined> {
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || defaultPort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
  });
  const connect = Deno.connect({ hostname, port }).then(
    (conn) => {
      conn.close();
      return undefined;
    },
    (error: unknown) => error instanceof Error ? error.message : String(error),
  );
  try {
    const problem = await Promise.race([connect, timeout]);
    return problem === undefined ? undefined : `${hostname}:${port} refused: ${problem}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Why each configured service is unreachable, checked once when this module loads. */
const unreachable = new Map<ServiceName, string>();
{
  const settings = serviceSettings();
  const checks: Promise<void>[] = [];
  for (const name of ["neo4j", "postgres"] as const) {
    const current = settings[name];
    if (!current) continue;
    const defaultPort = name === "neo4j" ? 7687 : 5432;
    checks.push(
      Promise.all(endpoints(name, current).map((url) => probe(url, defaultPort))).then(
        (problems) => {
          const problem = problems.find((p) => p !== undefined);
          if (problem) unreachable.set(name, problem);
        },
      ),
    );
  }
  await Promise.all(checks);
}

/** Why service `name` has no settings. */
function missingReason(name: ServiceName): string {
  const variable = name === "neo4j" ? "NEO4J_URI" : "DATABASE_URL";
  const file = servicesFile();
  let exists = true;
  try {
    Deno.statSync(file);
  } catch {
    exists = false;
  }
  return `${variable} is unset and ${file} ${exists ? `has no ${variable}` : "does not exist"}`;
}

/**
 * Looks up a service's settings and checks, once per test process, that its
 * servers accept TCP connections.
 *
 * @param name The service: `"neo4j"` or `"postgres"`.
 * @returns `{ available: true, settings }`, or `{ available: false, reason }`
 * with a reason that names the service and how to start it.
 * @throws {SyntaxError} When the services file exists but is not JSON.
 *
 * @example Branch on availability
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireService } from "./services.ts";
 * const pg = requireService("postgres");
 * assert.ok(pg.available ? pg.settings.url.length > 0 : pg.reason.includes("postgres"));
 * ```
 */
export function requireService<N extends ServiceName>(name: N): ServiceRequirement<N> {
  const settings = serviceSettings()[name] as ServiceSettingsMap[N] | undefined;
  if (!settings) {
    return { available: false, reason: `${name} is not available: ${missingReason(name)}` };
  }
  const problem = unreachable.get(name);
  if (problem) return { available: false, reason: `${name} is not available: ${problem}` };
  return { available: true, settings };
}

/** Whether `WEIR_REQUIRE_SERVICES=1` turns an absent service into a failure. */
function servicesRequired(): boolean {
  return readEnv("WEIR_REQUIRE_SERVICES") === "1";
}

/**
 * Registers a `Deno.test` that needs a service and receives its settings.
 *
 * When the service is absent the test is registered with `ignore: true` and
 * the reason is printed on stderr; with `WEIR_REQUIRE_SERVICES=1` it is
 * registered as a test that fails with an `Error` naming the service and how
 * to start it instead.
 *
 * @param name The test's name.
 * @param service The service the test needs: `"neo4j"` or `"postgres"`.
 * @param fn The test body; it gets the service's settings and the test context.
 * @throws {SyntaxError} When the services file exists but is not JSON.
 *
 * @example A test that needs PostgreSQL
 * ```ts ignore
 * import { serviceTest } from "./services.ts";
 * import postgres from "postgres";
 *
 * serviceTest("postgres answers a query", "postgres", async ({ url }) => {
 *   const sql = postgres(url);
 *   try {
 *     await sql`select 1`;
 *   } finally {
 *     await sql.end();
 *   }
 * });
 * ```
 */
export function serviceTest<N extends ServiceName>(
  name: string,
  service: N,
  fn: (settings: ServiceSettingsMap[N], t: Deno.TestContext) => void | Promise<void>,
): void {
  const found = requireService(service);
  if (found.available) {
    const { settings } = found;
    Deno.test(name, (t) => fn(settings, t));
    return;
  }
  if (servicesRequired()) {
    Deno.test(name, () => {
      throw new Error(
        `Cannot run test "${name}" as WEIR_REQUIRE_SERVICES=1 requires ${service}: ` +
          `${found.reason}; ${START_HINT}`,
      );
    });
    return;
  }
  Deno.stderr.writeSync(
    new TextEncoder().encode(`skip "${name}": ${found.reason}; ${START_HINT}\n`),
  );
  Deno.test({ name, ignore: true, fn: () => {} });
}
