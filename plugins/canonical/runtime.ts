/**
 * What every canonical task opens (the job state, the object store, the
 * mapping config) and the permissions that takes, in one place.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { mergeNeeds, type PermissionNeeds } from "../../lib/permissions.ts";
import { POSTGRES_CLIENT_ENV, splitSchema } from "../../lib/postgres/connect.ts";
import type { ObjectStore } from "../../lib/objects/port.ts";
import { objectStoreNeeds } from "../../kernel/store_needs.ts";
import type { WeirConfig } from "../../kernel/config.ts";
import type { TaskContext } from "../../kernel/context.ts";
import { type MappingConfig, mappingConfig } from "./mapping.ts";
import type { Options } from "./options.ts";
import { openJobState } from "./state/open.ts";
import type { JobState } from "./state/port.ts";
import { ExitCode, WeirError } from "../../lib/errors.ts";

/** The plugin's folder under the home. */
export function pluginDir(config: WeirConfig, options: Options): string {
  return resolve(config.home, options.folder);
}

/**
 * What opening the state and the store needs, plus a mapping file's folder.
 *
 * @param config The configuration.
 * @param options The plugin's options.
 * @param mapping A mapping config file, when given.
 * @returns The permission needs.
 */
export function runtimeNeeds(
  config: WeirConfig,
  options: Options,
  mapping?: string,
): PermissionNeeds {
  const dir = pluginDir(config, options);
  const state: PermissionNeeds = config.databaseUrl
    ? {
      net: [hostOf(config.databaseUrl)],
      env: ["DATABASE_URL", ...POSTGRES_CLIENT_ENV],
      read: [dir],
      write: [dir],
    }
    : { read: [dir], write: [dir] };
  return mergeNeeds(
    state,
    objectStoreNeeds(config),
    mapping ? { read: [dirname(resolve(mapping))] } : {},
  );
}

function hostOf(url: string): string {
  const u = new URL(splitSchema(url).url);
  return `${u.hostname}:${u.port || "5432"}`;
}

/** The opened state, store and mapping of a run; `await using` closes the state. */
export interface Runtime extends AsyncDisposable {
  /** Job state. */
  state: JobState;
  /** The object store. */
  store: ObjectStore;
  /** Where spill files go. */
  spillDir: string;
  /** The mapping config, when one was given. */
  mapping?: MappingConfig;
}

/**
 * Opens the job state, the object store and the mapping config of a task.
 * Dispose of it (`await using`) to close the state.
 *
 * @param ctx The task's context.
 * @param options The plugin's options.
 * @param mappingPath A mapping config file.
 * @returns The runtime.
 * @throws {WeirError} (exit 2) When the mapping file cannot be read or is not valid.
 */
export async function openRuntime(
  ctx: TaskContext,
  options: Options,
  mappingPath?: string,
): Promise<Runtime> {
  const mapping = mappingPath ? await readMapping(mappingPath) : undefined;
  const dir = pluginDir(ctx.config, options);
  const store = await ctx.stores.objects();
  const state = await openJobState({
    databaseUrl: ctx.config.databaseUrl,
    sqlitePath: join(dir, "state.db"),
  });
  return {
    state,
    store,
    spillDir: join(dir, "spill"),
    ...(mapping ? { mapping } : {}),
    [Symbol.asyncDispose]: () => state.close(),
  };
}

async function readMapping(path: string): Promise<MappingConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    throw usage(`Cannot read the mapping config "${path}"`, cause);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw usage(`Cannot parse the mapping config "${path}" as it is not JSON`, cause);
  }
  const result = mappingConfig.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw usage(
      `Cannot use the mapping config "${path}" as field "${
        issue.path.join(".")
      }" is invalid: ${issue.message}`,
    );
  }
  return result.data;
}

function usage(message: string, cause?: unknown): WeirError {
  return new WeirError(message, "invalid_mapping", ExitCode.usage, cause ? { cause } : undefined);
}
