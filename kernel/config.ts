/**
 * Configuration: flags first, then environment (DESIGN.md section 5),
 * validated at start-up with a message naming the variable. Plain checks,
 * not zod: every command but `list` reads the configuration, and loading
 * zod costs about as much as Deno's own start-up.
 *
 * Only variables this process may read are consulted, so a run without
 * `--allow-env=NEO4J_URI` simply has no Neo4j configured; a task that needs
 * it declares the variable and the permission pre-flight names the flag.
 *
 * @module
 */
import { resolve } from "../lib/path.ts";
import { ConfigError, type HomeOrigin } from "./errors.ts";
import { secretValues } from "../lib/redact.ts";

/** Every environment variable weir reads. */
export const CONFIG_ENV = [
  "WEIR_HOME",
  "WEIR_OBJECTS",
  "WEIR_FEATURES",
  "WEIR_REDACT_PARAMS",
  "DATABASE_URL",
  "NEO4J_URI",
  "NEO4J_HYBRID_URI",
  "NEO4J_USER",
  "NEO4J_PASSWORD",
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_PREFIX",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/** The resolved configuration a task sees as `ctx.config`. */
export interface WeirConfig {
  /** The kernel's directory: run records, manifests, checkpoints, default objects. */
  home: string;
  /** Where objects go: a directory under the home, or S3. */
  objects: "fs" | "s3";
  /** Feature flags that are on. */
  features: string[];
  /** More credential query parameters to redact (`WEIR_REDACT_PARAMS`, comma-separated). */
  redactParams: string[];
  /** PostgreSQL, when one machine is not enough (`DATABASE_URL`). */
  databaseUrl?: string;
  /** Neo4j (`NEO4J_URI`, `NEO4J_HYBRID_URI`, `NEO4J_USER`, `NEO4J_PASSWORD`). */
  neo4j: { uri?: string; hybridUri?: string; user?: string; password?: string };
  /** S3 or a compatible store (`S3_*`, `AWS_*`). */
  s3: {
    endpoint?: string;
    bucket?: string;
    prefix?: string;
    region: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
  };
}

/** Settings given as CLI flags; they win over the environment. */
export interface ConfigFlags {
  /** `--home`: the kernel's directory (run records, manifests, default data). */
  home?: string;
  /** `--feature`: feature flags to turn on. */
  features?: string[];
}

/**
 * Reads the environment variables this process may read.
 *
 * @returns The granted variables that are set.
 *
 * @example
 * ```ts
 * import { readGrantedEnv } from "./config.ts";
 * import assert from "node:assert/strict";
 * const env = readGrantedEnv(); // {} without --allow-env
 * assert.equal(typeof env, "object");
 * ```
 */
export function readGrantedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CONFIG_ENV) {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") continue;
    const value = Deno.env.get(name);
    if (value !== undefined && value !== "") env[name] = value;
  }
  return env;
}

/**
 * Says where the home directory's path comes from: `--home` wins over
 * `WEIR_HOME`, which wins over the default `.weir`.
 *
 * @param flags Settings from CLI flags.
 * @param env Environment variables (defaults to the granted ones).
 * @returns `"--home"`, `"WEIR_HOME"` or `"default"`.
 *
 * @example
 * ```ts
 * import { homeOrigin } from "./config.ts";
 * import assert from "node:assert/strict";
 * assert.equal(homeOrigin({ home: "h" }, { WEIR_HOME: "w" }), "--home");
 * assert.equal(homeOrigin({}, { WEIR_HOME: "w" }), "WEIR_HOME");
 * assert.equal(homeOrigin({}, {}), "default");
 * ```
 */
export function homeOrigin(
  flags: ConfigFlags = {},
  env: Record<string, string> = readGrantedEnv(),
): HomeOrigin {
  if (flags.home !== undefined) return "--home";
  return env.WEIR_HOME !== undefined ? "WEIR_HOME" : "default";
}

/**
 * Builds and validates the configuration.
 *
 * @param flags Settings from CLI flags.
 * @param env Environment variables (defaults to the granted ones).
 * @returns The configuration and the secret values found, for redaction.
 * @throws {ConfigError} Naming the variable or flag that is invalid.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * const { config } = loadConfig({ home: "/tmp/weir" }, { NEO4J_URI: "bolt://127.0.0.1:7687" });
 * assert.equal(config.neo4j.uri, "bolt://127.0.0.1:7687");
 * assert.equal(config.objects, "fs");
 * ```
 */
export function loadConfig(
  flags: ConfigFlags = {},
  env: Record<string, string> = readGrantedEnv(),
): { config: WeirConfig; secrets: string[] } {
  const raw = {
    home: resolve(flags.home ?? env.WEIR_HOME ?? ".weir"),
    objects: env.WEIR_OBJECTS ?? (env.S3_BUCKET ? "s3" : "fs"),
    features: [
      ...(env.WEIR_FEATURES?.split(",").map((f) => f.trim()).filter(Boolean) ?? []),
      ...(flags.features ?? []),
    ],
    redactParams: env.WEIR_REDACT_PARAMS?.split(",").map((p) => p.trim()).filter(Boolean) ?? [],
    databaseUrl: env.DATABASE_URL,
    neo4j: {
      uri: env.NEO4J_URI,
      hybridUri: env.NEO4J_HYBRID_URI,
      user: env.NEO4J_USER,
      password: env.NEO4J_PASSWORD,
    },
    s3: {
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      prefix: env.S3_PREFIX,
      region: env.AWS_REGION ?? "us-east-1",
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  };
  const config: WeirConfig = raw as WeirConfig;
  checkConfig(config, env);
  if (config.objects === "s3" && !config.s3.bucket) {
    throw new ConfigError('Cannot use S3 objects as S3_BUCKET is not set: current value is ""');
  }
  const secrets = secretValues(env);
  return { config, secrets };
}

/** The checks a zod schema would make, each naming the variable or flag. */
function checkConfig(config: WeirConfig, env: Record<string, string>): void {
  const refuse = (name: string, what: string, value: unknown) => {
    throw new ConfigError(`Cannot use ${name} as it ${what}: current value is "${value}"`);
  };
  if (config.objects !== "fs" && config.objects !== "s3") {
    refuse("WEIR_OBJECTS", 'must be "fs" or "s3"', config.objects);
  }
  for (const feature of config.features) {
    if (!/^[a-z0-9_.-]+$/i.test(feature)) {
      refuse("a feature flag", "must be letters, digits, _, . or -", feature);
    }
  }
  const urls: [string, string | undefined][] = [
    ["DATABASE_URL", config.databaseUrl],
    ["NEO4J_URI", config.neo4j.uri],
    ["NEO4J_HYBRID_URI", config.neo4j.hybridUri],
    ["S3_ENDPOINT", config.s3.endpoint],
  ];
  for (const [name, value] of urls) {
    // The value itself may hold a password: name the variable, not what it holds.
    if (value !== undefined && !URL.canParse(value)) {
      throw new ConfigError(`Cannot use ${name} as it is not a URL`);
    }
  }
  const bucket = config.s3.bucket;
  if (bucket !== undefined && (bucket.length < 3 || bucket.length > 63)) {
    refuse("S3_BUCKET", "must be 3 to 63 characters long", env.S3_BUCKET);
  }
}
