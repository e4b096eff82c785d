/**
 * Redaction: secrets replaced in strings and JSON-like values before they
 * leave the process (logs, progress lines, run records, manifests, error
 * messages).
 *
 * Four rules, applied together:
 * - the value under a secret-looking key (`password`, `token`, ...) is replaced;
 * - the userinfo of a URL (`scheme://USERINFO@host`) is replaced whole,
 *   whatever its length and whatever it holds (`user:password`, a token
 *   alone, `@`, `:` or spaces in a password, percent-encoded characters): the
 *   authority runs to the first `/`, `?`, `#`, double quote, angle bracket
 *   or line break, and its last `@` ends the userinfo;
 * - credential-bearing query parameters and `key=value` pairs (`password`,
 *   `token`, `access_token`, `secret`, `X-Amz-Signature`,
 *   `X-Amz-Credential`, ... and a configurable list) lose their values;
 * - known secret values (from the environment and configuration, and each
 *   password or token the URL rule has met, decoded or not) are replaced
 *   wherever they appear.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

const SECRET_KEY = /passw(or)?d|secret|token|credential|api[_-]?key|authorization|private[_-]?key/i;

/** Query parameters and `key=value` pairs whose values are credentials. */
export const CREDENTIAL_PARAMS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "pass",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "auth_token",
  "private_token",
  "api_key",
  "apikey",
  "secret",
  "client_secret",
  "signature",
  "sig",
  "X-Amz-Signature",
  "X-Amz-Credential",
  "X-Amz-Security-Token",
];

/** A URL's scheme and `//`, where an authority (and maybe a userinfo) starts. */
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;
/**
 * What ends an authority: a path, query or fragment, a double quote (unless
 * escaped, as in JSON), an angle bracket or a line break. Not a space or a
 * single quote: a password may hold them.
 */
const AUTHORITY_END = /[/?#<>\n\r\t]|(?<!\\)"/;

/**
 * Tells whether an environment variable or field name holds a secret.
 *
 * @param name The name.
 * @returns `true` for names like `NEO4J_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `githubToken`.
 *
 * @example
 * ```ts
 * import { isSecretName } from "./redact.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isSecretName("NEO4J_PASSWORD"), true);
 * assert.equal(isSecretName("NEO4J_USER"), false);
 * ```
 */
export function isSecretName(name: string): boolean {
  return SECRET_KEY.test(name);
}

/**
 * The secret values among environment variables.
 *
 * @param env The variables the configuration read.
 * @returns The values of those whose names look secret.
 *
 * @example
 * ```ts
 * import { secretValues } from "./redact.ts";
 * import assert from "node:assert/strict";
 * const env = { NEO4J_USER: "neo4j", NEO4J_PASSWORD: "hunter2!" };
 * assert.deepEqual(secretValues(env), ["hunter2!"]);
 * ```
 */
export function secretValues(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).filter(([name]) => isSecretName(name)).map(([, value]) => value);
}

/**
 * A URL (or any text) with the userinfo of every URL in it removed, for
 * names and messages that must not even say `[redacted]`.
 *
 * @param text A URL, or text holding URLs.
 * @returns The text with each `scheme://userinfo@` written `scheme://`.
 *
 * @example
 * ```ts
 * import { withoutUserinfo } from "./redact.ts";
 * import assert from "node:assert/strict";
 * assert.equal(withoutUserinfo("https://ab:c@d e@host/r.git"), "https://host/r.git");
 * assert.equal(withoutUserinfo("https://TOKEN@host/r.git"), "https://host/r.git");
 * ```
 */
export function withoutUserinfo(text: string): string {
  return replaceUserinfo(text, () => "");
}

/** Calls `replace` for the userinfo of each URL in `text` (with its `@`); keeps the rest. */
function replaceUserinfo(text: string, replace: (userinfo: string) => string): string {
  if (!text.includes("://") || !text.includes("@")) return text;
  let out = "";
  let last = 0;
  for (const m of text.matchAll(SCHEME)) {
    const start = m.index + m[0].length;
    if (start < last) continue;
    const rest = text.slice(start);
    const end = rest.search(AUTHORITY_END);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const at = authority.lastIndexOf("@");
    if (at < 0) continue;
    out += text.slice(last, start) + replace(authority.slice(0, at));
    last = start + at + 1;
  }
  return out + text.slice(last);
}

/** Options of {@linkcode Redactor}. */
export interface RedactorOptions {
  /**
   * More query parameter (or `key=value`) names whose values are
   * credentials, matched without regard to case.
   *
   * @default {[]}
   */
  params?: readonly string[];
}

/**
 * Replaces secrets in values: a set of known secret strings plus the key,
 * URL and parameter rules.
 *
 * @example Redact a URL's userinfo, a secret field, a query token and a known value
 * ```ts
 * import { Redactor } from "./redact.ts";
 * import assert from "node:assert/strict";
 * const r = new Redactor(["s3cr3t-value"]);
 * const out = r.value({
 *   url: "postgres://weir:p@ss word@localhost/db",
 *   password: "x",
 *   note: "got s3cr3t-value back from https://h/x?access_token=abc&page=2",
 * });
 * assert.deepEqual(out, {
 *   url: "postgres://[redacted]@localhost/db",
 *   password: "[redacted]",
 *   note: "got [redacted] back from https://h/x?access_token=[redacted]&page=2",
 * });
 * ```
 */
export class Redactor {
  #secrets: string[] = [];
  #params: RegExp;

  /**
   * Creates a redactor.
   *
   * @param secrets Secret values to replace wherever they appear.
   * @param options More credential parameter names.
   */
  constructor(secrets: Iterable<string> = [], options: RedactorOptions = {}) {
    for (const s of secrets) this.add(s);
    const names = [...CREDENTIAL_PARAMS, ...(options.params ?? [])]
      .filter((n) => n.trim() !== "")
      .map((n) => n.trim().replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"));
    this.#params = new RegExp(`(^|[?&;\\s,{(])(${names.join("|")})=([^&#\\s"<>]*)`, "gi");
  }

  /**
   * Adds a secret value, and its URL-encoded forms. Values shorter than 4
   * characters are ignored: they would redact ordinary words.
   *
   * @param secret The value.
   */
  add(secret: string): void {
    const forms = new Set([secret, encodeURIComponent(secret), encodeURI(secret)]);
    let added = false;
    for (const form of forms) {
      if (form.length >= 4 && form !== REDACTED && !this.#secrets.includes(form)) {
        this.#secrets.push(form);
        added = true;
      }
    }
    if (added) this.#secrets.sort((a, b) => b.length - a.length);
  }

  /**
   * Adds the values of secret-looking environment variables among `names`
   * that this process may read (a task's declared `env` needs).
   *
   * @param names The variable names.
   */
  addFromEnv(names: readonly string[] = []): void {
    for (const name of names) {
      if (!isSecretName(name)) continue;
      if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") continue;
      const value = Deno.env.get(name);
      if (value) this.add(value);
    }
  }

  /** The secret values known, longest first (for a sandboxed Worker's own redactor). */
  get secrets(): readonly string[] {
    return [...this.#secrets];
  }

  /**
   * Redacts one string.
   *
   * @param text The text.
   * @returns The text with URL userinfo, credential parameters and known secrets replaced.
   */
  text(text: string): string {
    let out = replaceUserinfo(text, (userinfo) => {
      this.#learn(userinfo);
      return `${REDACTED}@`;
    });
    out = out.replace(this.#params, `$1$2=${REDACTED}`);
    for (const s of this.#secrets) out = out.replaceAll(s, REDACTED);
    return out;
  }

  /**
   * Remembers a userinfo's secret parts, so that they are redacted wherever
   * else they show: the whole, the password, and a user name long enough to
   * be a token (`https://TOKEN:x-oauth-basic@host`, `https://TOKEN@host`); a
   * short user name is an ordinary word and stays.
   */
  #learn(userinfo: string): void {
    if (userinfo === REDACTED) return;
    const colon = userinfo.indexOf(":");
    const parts = colon >= 0 ? [userinfo, userinfo.slice(colon + 1)] : [];
    if (colon < 0 && userinfo.length >= 8) parts.push(userinfo);
    if (colon >= 16) parts.push(userinfo.slice(0, colon));
    for (const part of parts) {
      this.add(part);
      try {
        this.add(decodeURIComponent(part));
      } catch { /* not valid percent-encoding: the raw form is enough */ }
    }
  }

  /**
   * Redacts a JSON-like value deeply, returning a copy. An `Error` becomes
   * its redacted message followed by its causes' (`... (caused by: ...)`),
   * never its stack; a `URL` becomes its redacted `href`.
   *
   * @param value The value.
   * @returns A copy with secrets replaced.
   *
   * @example An error in a field keeps its message, without the password
   * ```ts
   * import { Redactor } from "./redact.ts";
   * import assert from "node:assert/strict";
   * const cause = new Error("connect to postgres://weir:pw@db/weir failed");
   * const out = new Redactor().value({ error: new Error("cannot open", { cause }) });
   * assert.deepEqual(out, {
   *   error: "cannot open (caused by: connect to postgres://[redacted]@db/weir failed)",
   * });
   * ```
   */
  value<T>(value: T): T {
    return this.#walk(value, 0) as T;
  }

  /** An Error as text: its message, then each cause's, redacted (its stack and fields are left out). */
  #error(error: Error, depth: number): string {
    let text = this.text(error.message);
    let cause: unknown = error.cause;
    for (let d = depth; cause !== undefined && d <= 32; d++) {
      const next = cause instanceof Error ? cause.message : this.#walk(cause, d + 1);
      text += ` (caused by: ${this.text(typeof next === "string" ? next : JSON.stringify(next))})`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    return text;
  }

  #walk(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object" || depth > 32) return value;
    if (Array.isArray(value)) return value.map((v) => this.#walk(v, depth + 1));
    if (value instanceof Error) return this.#error(value, depth);
    if (value instanceof Date) return value;
    if (value instanceof URL) return this.text(value.href);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Numbers and booleans under such keys are counts and flags, not secrets.
      out[k] = isSecretName(k) && (typeof v === "string" || (typeof v === "object" && v !== null))
        ? REDACTED
        : this.#walk(v, depth + 1);
    }
    return out;
  }
}
