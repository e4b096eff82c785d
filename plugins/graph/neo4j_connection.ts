/**
 * One Neo4j server (or one database on it) as the Neo4j adapters use it:
 * `neo4j-driver` loaded on first use (dynamic import, ~80 ms), explicit
 * write transactions retried with backoff by `lib/async` retry on transient
 * errors and deadlocks, schema statements run once, and labels namespaced.
 *
 * Values always travel as parameters. The only text put into Cypher is the
 * label prefix, checked against {@linkcode NAMESPACE} when the connection
 * is made (labels cannot be parameters where an index must serve them).
 *
 * @module
 */
import type { Driver, Session, Transaction } from "neo4j-driver";
import { isRetryable, retry, type RetryOptions } from "../../lib/async/retry.ts";
import { messageOf } from "../../lib/errors.ts";

/** A label prefix: letters, digits and `_`, starting with a letter; or empty. */
export const NAMESPACE = /^(?:[A-Za-z][A-Za-z0-9_]{0,40})?$/;

/** Where one graph lives on Neo4j. */
export interface Neo4jTarget {
  /** Bolt URI, for example `bolt://127.0.0.1:7687`. */
  uri: string;
  /** User; with no password the server is reached without auth. */
  user?: string;
  /** Password. */
  password?: string;
  /** The database; the server's default when absent. */
  database?: string;
  /** The label prefix (see {@linkcode NAMESPACE}). */
  namespace: string;
}

/** Options of {@linkcode Neo4jConnection.open}. */
export interface Neo4jConnectionOptions {
  /** Retry settings for each transaction. @default {{ maxAttempts: 5, baseDelayMs: 100 }} */
  retry?: RetryOptions;
  /** How long to wait for a connection, in milliseconds. @default {5000} */
  connectionTimeoutMs?: number;
}

/**
 * Whether a Neo4j error is worth another attempt: the driver's `retryable`
 * (transient errors, deadlocks, a lost or unavailable server), else
 * `lib/async`'s classification.
 *
 * @param err Anything thrown.
 * @returns Whether to retry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNeo4jRetryable } from "./neo4j_connection.ts";
 * assert.equal(isNeo4jRetryable({ code: "Neo.TransientError.Transaction.DeadlockDetected" }), true);
 * assert.equal(isNeo4jRetryable({ code: "Neo.ClientError.Statement.SyntaxError" }), false);
 * ```
 */
export function isNeo4jRetryable(err: unknown): boolean {
  if (typeof err === "object" && err !== null) {
    const e = err as { retryable?: unknown; retriable?: unknown; code?: unknown };
    if (e.retryable === true || e.retriable === true) return true;
    if (typeof e.code === "string") {
      if (e.code.startsWith("Neo.TransientError.")) return true;
      if (e.code === "ServiceUnavailable" || e.code === "SessionExpired") return true;
      if (e.code.startsWith("Neo.")) return false;
    }
  }
  return isRetryable(err);
}

/**
 * The backticked label for `name` under a namespace.
 *
 * @param namespace The prefix, checked against {@linkcode NAMESPACE}.
 * @param name The label's own name.
 * @returns The label, ready for Cypher.
 * @throws {RangeError} When the namespace is not a valid prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { label } from "./neo4j_connection.ts";
 * assert.equal(label("t1_", "HybridContent"), "`t1_HybridContent`");
 * ```
 */
export function label(namespace: string, name: string): string {
  if (!NAMESPACE.test(namespace)) {
    throw new RangeError(
      `Cannot use Neo4j namespace as it must be letters, digits and "_", starting with a letter: current value is "${namespace}"`,
    );
  }
  return `\`${namespace}${name}\``;
}

const drivers = new Map<string, { driver: Driver; users: number }>();
const schemaDone = new Set<string>();

/** A connection to one graph on Neo4j; drivers are shared per URI and user. */
export class Neo4jConnection {
  /** The target. */
  readonly target: Neo4jTarget;
  /** A readable name: `neo4j:<uri>[/<database>][#<namespace>]`. */
  readonly identity: string;
  readonly #driver: Driver;
  readonly #key: string;
  readonly #retry: RetryOptions;
  #closed = false;

  private constructor(target: Neo4jTarget, driver: Driver, key: string, retryOpts: RetryOptions) {
    this.target = target;
    this.#driver = driver;
    this.#key = key;
    this.#retry = retryOpts;
    const db = target.database ? `/${target.database}` : "";
    const ns = target.namespace ? `#${target.namespace}` : "";
    this.identity = `neo4j:${target.uri}${db}${ns}`;
  }

  /**
   * Opens a connection (the driver connects on first use).
   *
   * @param target Where the graph lives.
   * @param options Retry and timeout settings.
   * @returns The connection.
   * @throws {RangeError} When the namespace is invalid.
   */
  static async open(
    target: Neo4jTarget,
    options: Neo4jConnectionOptions = {},
  ): Promise<Neo4jConnection> {
    label(target.namespace, "");
    const key = `${target.uri}\u0000${target.user ?? ""}`;
    // The import first, then get-or-create with no await in between, so
    // connections opened at once share one driver.
    const neo4j = (await import("neo4j-driver")).default;
    let shared = drivers.get(key);
    if (shared === undefined) {
      const auth = target.password
        ? neo4j.auth.basic(target.user ?? "neo4j", target.password)
        : undefined;
      const driver = neo4j.driver(target.uri, auth, {
        disableLosslessIntegers: true,
        connectionTimeout: options.connectionTimeoutMs ?? 5_000,
        connectionAcquisitionTimeout: (options.connectionTimeoutMs ?? 5_000) * 2,
        maxTransactionRetryTime: 0,
        userAgent: "weir-graph/0.1",
      });
      shared = { driver, users: 0 };
      drivers.set(key, shared);
    }
    shared.users++;
    return new Neo4jConnection(target, shared.driver, key, {
      maxAttempts: 5,
      baseDelayMs: 100,
      ...options.retry,
    });
  }

  #session(mode: "READ" | "WRITE"): Session {
    return this.#driver.session({ database: this.target.database, defaultAccessMode: mode });
  }

  /**
   * Runs `work` in one write transaction, retried as a whole on transient errors.
   *
   * @param work The transaction's statements.
   * @returns What `work` returned.
   */
  async write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return await retry(async () => {
      const session = this.#session("WRITE");
      try {
        const tx = session.beginTransaction();
        try {
          const result = await work(tx);
          await tx.commit();
          return result;
        } catch (err) {
          if (tx.isOpen()) await tx.rollback().catch(() => {});
          throw err;
        }
      } finally {
        await session.close();
      }
    }, { ...this.#retry, isRetryable: isNeo4jRetryable });
  }

  /**
   * Runs a read query, retried on transient errors.
   *
   * @param cypher The query (values as parameters).
   * @param params The parameters.
   * @returns The records as plain objects.
   */
  async read(
    cypher: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>[]> {
    return await retry(async () => {
      const session = this.#session("READ");
      try {
        const result = await session.run(cypher, params);
        return result.records.map((r) => r.toObject());
      } finally {
        await session.close();
      }
    }, { ...this.#retry, isRetryable: isNeo4jRetryable });
  }

  /**
   * Runs schema statements (`CREATE CONSTRAINT ... IF NOT EXISTS`) once per
   * process and target; a rule another process created at the same moment
   * is not an error.
   *
   * @param statements The statements.
   */
  async ensureSchema(statements: readonly string[]): Promise<void> {
    const key = `${this.#key}\u0000${this.target.database ?? ""}\u0000${statements.join(";")}`;
    if (schemaDone.has(key)) return;
    for (const statement of statements) {
      await retry(async () => {
        const session = this.#session("WRITE");
        try {
          await session.run(statement);
        } catch (err) {
          const code = (err as { code?: string }).code ?? "";
          if (
            !/EquivalentSchemaRuleAlreadyExists|ConstraintAlreadyExists|IndexAlreadyExists/.test(
              code,
            )
          ) {
            throw err;
          }
        } finally {
          await session.close();
        }
      }, { ...this.#retry, isRetryable: isNeo4jRetryable });
    }
    schemaDone.add(key);
  }

  /** Releases the connection; the shared driver closes with its last user. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const shared = drivers.get(this.#key);
    if (shared && --shared.users === 0) {
      drivers.delete(this.#key);
      for (const k of [...schemaDone]) if (k.startsWith(this.#key)) schemaDone.delete(k);
      await shared.driver.close();
    }
  }
}

/**
 * A short description of a Neo4j failure for a document's recorded error.
 *
 * @param err Anything thrown.
 * @returns The message, with the Neo4j code when there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { neo4jMessage } from "./neo4j_connection.ts";
 * assert.equal(neo4jMessage(Object.assign(new Error("x"), { code: "C" })), "x (C)");
 * ```
 */
export function neo4jMessage(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const cause = (err as { cause?: unknown })?.cause;
  const base = messageOf(err);
  if (typeof code === "string" && code) return `${base} (${code})`;
  if (cause !== undefined && !base.includes(messageOf(cause))) {
    return `${base}: ${messageOf(cause)}`;
  }
  return base;
}
