/**
 * Redaction: secrets replaced in strings and JSON-like values before they
 * are logged or stored.
 *
 * Three rules, applied together: values under secret-looking keys are
 * replaced; passwords inside URIs (`scheme://user:pass@host`) are replaced;
 * and any known secret value given to the {@linkcode Redactor} is replaced
 * wherever it appears in a string.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

const SECRET_KEY = /passw(or)?d|secret|token|credential|api[_-]?key|authorization|private[_-]?key/i;
const URI_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/gi;

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
 * Replaces secrets in values: a set of known secret strings plus the key and
 * URI rules.
 *
 * @example Redact a URI password, a secret field and a known value
 * ```ts
 * import { Redactor } from "./redact.ts";
 * import assert from "node:assert/strict";
 * const r = new Redactor(["s3cr3t-value"]);
 * const out = r.value({
 *   url: "postgres://weir:pw@localhost/db",
 *   password: "x",
 *   note: "got s3cr3t-value back",
 * });
 * assert.deepEqual(out, {
 *   url: "postgres://weir:[redacted]@localhost/db",
 *   password: "[redacted]",
 *   note: "got [redacted] back",
 * });
 * ```
 */
export class Redactor {
  #secrets: string[] = [];

  /**
   * Creates a redactor.
   *
   * @param secrets Secret values to replace wherever they appear.
   */
  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /**
   * Adds a secret value. Values shorter than 4 characters are ignored: they
   * would redact ordinary words.
   *
   * @param secret The value.
   */
  add(secret: string): void {
    if (secret.length >= 4 && !this.#secrets.includes(secret)) {
      this.#secrets.push(secret);
      this.#secrets.sort((a, b) => b.length - a.length);
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
   * @returns The text with URI passwords and known secrets replaced.
   */
  text(text: string): string {
    let out = text.replace(URI_PASSWORD, `$1:${REDACTED}@`);
    for (const s of this.#secrets) out = out.replaceAll(s, REDACTED);
    return out;
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
   *   error: "cannot open (caused by: connect to postgres://weir:[redacted]@db/weir failed)",
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
