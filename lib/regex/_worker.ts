/**
 * The Worker side of `RegexRunner` (private to kernel/): the
 * messages it takes and answers, the code it runs, the `data:` module that
 * code is sent in and the options the Worker is created with.
 *
 * {@linkcode regexHandler} and {@linkcode serveRegex} are sent to the Worker
 * as source text (their `toString()`), so each must use nothing from outside
 * its own body: no imports, no module constants, no other helpers of this
 * file. Types are fine, as they are gone once the file is transpiled.
 *
 * @module
 */
import type { BatchPattern, PackedOutcomes, RegexMatch, WireOutcome } from "./types.ts";

/** A call to the Worker. */
export interface Request {
  /** Numbers the call; its reply carries the same. */
  id: number;
  /**
   * `test` answers a boolean, `matches` the matches found, `batch` one
   * outcome per pattern of `patterns` (each under its own budget).
   */
  op: "test" | "matches" | "batch";
  /** The pattern's source. */
  source: string;
  /** The pattern's flags. */
  flags: string;
  /** The text to search. */
  text: string;
  /** The most matches to return, for `matches`. */
  limit: number;
  /** How long the match may run, in milliseconds (each pattern's, for `batch`). */
  budgetMs: number;
  /** The patterns of a `batch` call (`source` and `flags` are then unused). */
  patterns?: (BatchPattern & { text?: number })[];
  /** The texts of a `batch` call: a pattern with `text: i` searches `texts[i]`, else `text`. */
  texts?: string[];
  /** In the Worker: the outcomes of a `batch` call so far. */
  out?: WireOutcome[];
  /** In the Worker: run only the next pattern of a `batch` call. */
  single?: boolean;
  /** Answer a `batch` call packed (spans only, see `PackedOutcomes`), its arrays moved. */
  pack?: boolean;
}

/** What the Worker answers: that it is ready, or how one call ended. */
export type Reply =
  | { type: "ready" }
  | {
    type: "result";
    id: number;
    value: boolean | RegexMatch[] | WireOutcome[] | PackedOutcomes;
    compiled: boolean;
  }
  | { type: "error"; id: number; error: unknown; compiled: boolean }
  | { type: "timeout"; id: number };

/**
 * Makes the function that answers one call, in the Worker (it is sent there
 * as source text, so it must use nothing from outside its own body).
 * Compiled patterns, always with `g` so that one object serves both
 * operations, are kept in a least-recently-used cache of `cacheSize` entries.
 *
 * @param cacheSize How many compiled patterns to keep (0 for none).
 * @returns The handler: a result, or the error the pattern threw, for each call.
 */
export function regexHandler(cacheSize: number): (request: Request) => Reply {
  const cache = new Map<string, RegExp>();
  const compile = (source: string, flags: string): [RegExp, boolean] => {
    const global = flags.includes("g") ? flags : flags + "g";
    const key = `${global}/${source}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return [hit, false];
    }
    const regex = new RegExp(source, global);
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, regex);
    }
    return [regex, true];
  };
  // Calls `each` for the matches of `regex` in `text`, at most `limit`.
  const scan = (
    regex: RegExp,
    flags: string,
    text: string,
    limit: number,
    each: (m: RegExpExecArray) => void,
  ): void => {
    regex.lastIndex = 0;
    const unicode = flags.includes("u") || flags.includes("v");
    for (let n = 0; n < limit; n++) {
      const m = regex.exec(text);
      if (m === null) break;
      each(m);
      if (m[0] === "") {
        // Step over an empty match, by a whole code point in unicode mode.
        const at = regex.lastIndex;
        const pair = unicode && at + 1 < text.length &&
          text.charCodeAt(at) >= 0xd800 && text.charCodeAt(at) <= 0xdbff &&
          text.charCodeAt(at + 1) >= 0xdc00 && text.charCodeAt(at + 1) <= 0xdfff;
        regex.lastIndex = at + (pair ? 2 : 1);
      }
    }
  };
  const find = (regex: RegExp, flags: string, text: string, limit: number): RegexMatch[] => {
    const found: RegexMatch[] = [];
    scan(regex, flags, text, limit, (m) => {
      const match: RegexMatch = { index: m.index, match: m[0], captures: m.slice(1) };
      if (m.groups) match.groups = { ...m.groups };
      found.push(match);
    });
    return found;
  };
  // A batch runs pattern after pattern into `out`; it hands control back
  // after half the budget so that the caller's timeout, re-armed per slice,
  // can tell which pattern ran too long (see serveRegex).
  const batch = (request: Request): Reply => {
    const { id, patterns = [], text, limit, budgetMs } = request;
    const out = request.out!;
    const started = performance.now();
    let compiledAny = false;
    while (out.length < patterns.length) {
      const { source, flags, text: at } = patterns[out.length];
      try {
        const [regex, fresh] = compile(source, flags);
        compiledAny ||= fresh;
        const subject = at === undefined ? text : request.texts![at];
        // Spans only (start, length); captures only for a pattern with groups.
        const spans: number[] = [];
        let extra: [(string | undefined)[], Record<string, string | undefined>?][] | undefined;
        scan(regex, flags, subject, limit, (m) => {
          spans.push(m.index, m[0].length);
          if (!request.pack && (m.length > 1 || m.groups)) {
            (extra ??= []).push(m.groups ? [m.slice(1), { ...m.groups }] : [m.slice(1)]);
          }
        });
        out.push(extra ? { spans, extra } : { spans });
      } catch (error) {
        out.push({ error: error instanceof Error ? error.message : String(error) });
      }
      if (request.single || performance.now() - started > budgetMs / 2) break;
    }
    return { type: "result", id, value: out, compiled: compiledAny };
  };
  return (request) => {
    const { id, op, source, flags, text, limit } = request;
    if (op === "batch") return batch(request);
    let compiled = false;
    try {
      const [regex, fresh] = compile(source, flags);
      compiled = fresh;
      regex.lastIndex = 0;
      if (op === "test") return { type: "result", id, value: regex.test(text), compiled };
      return { type: "result", id, value: find(regex, flags, text, limit), compiled };
    } catch (error) {
      return { type: "error", id, error, compiled };
    }
  };
}

/** The part of `node:vm` the Worker uses. */
export interface Vm {
  /** Compiles `code` as a script that runs in the current context. */
  Script: new (code: string) => { runInThisContext(options: { timeout: number }): unknown };
}

/** The part of the Worker's global scope it uses. */
export interface Scope {
  /** Takes the calls. */
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  /** Sends the replies, moving `transfer`'s buffers. */
  postMessage(message: Reply, transfer?: Transferable[]): void;
}

/**
 * The Worker's message loop (sent as source text, like
 * {@linkcode regexHandler}): each call runs under `node:vm`'s timeout, which
 * stops a match that runs past the call's budget. Says `ready` once set up.
 *
 * @param vm The Worker's `node:vm`.
 * @param scope The Worker's global scope (`self`).
 * @param handle Answers one call, as {@linkcode regexHandler} makes it.
 * @throws {unknown} Whatever running a call throws other than the timeout,
 * from the message handler (the Worker's `error` event).
 */
export function serveRegex(vm: Vm, scope: Scope, handle: (request: Request) => Reply): void {
  let request: Request;
  const run = globalThis as unknown as { __weirRegexCall: () => Reply };
  run.__weirRegexCall = () => handle(request);
  const script = new vm.Script("__weirRegexCall()");
  const timedOut = (err: unknown) => {
    if ((err as { code?: unknown })?.code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw err;
    return true;
  };
  scope.onmessage = ({ data }) => {
    request = data;
    let reply: Reply;
    if (data.op === "batch") {
      // Slices of the batch each run under the budget; a pattern caught
      // by a slice's timeout runs again alone, with the whole budget, and
      // only a pattern that runs past it alone is stopped.
      const out: WireOutcome[] = data.out = [];
      const total = data.patterns?.length ?? 0;
      let compiled = false;
      while (out.length < total) {
        try {
          request = data;
          const r = script.runInThisContext({ timeout: data.budgetMs }) as Reply;
          compiled ||= r.type === "result" && r.compiled;
        } catch (err) {
          timedOut(err);
          request = { ...data, out, single: true };
          const before = out.length;
          try {
            script.runInThisContext({ timeout: data.budgetMs });
          } catch (again) {
            timedOut(again);
            out.length = before;
            out.push({ exceeded: true });
          }
        }
      }
      if (!data.pack) {
        scope.postMessage({ type: "result", id: data.id, value: out, compiled });
        return;
      }
      // Packed: a count per pattern (-1 stopped, -2 failed) and every
      // [start, end) in one array, both moved to the caller, not cloned.
      const counts = new Int32Array(out.length);
      let size = 0;
      for (const o of out) if ("spans" in o) size += o.spans.length;
      const spans = new Int32Array(size);
      const errors: Record<number, string> = {};
      for (let i = 0, at = 0; i < out.length; i++) {
        const o = out[i];
        if ("spans" in o) {
          counts[i] = o.spans.length / 2;
          for (let k = 0; k < o.spans.length; k += 2) {
            spans[at++] = o.spans[k];
            spans[at++] = o.spans[k] + o.spans[k + 1];
          }
        } else if ("exceeded" in o) counts[i] = -1;
        else (counts[i] = -2, errors[i] = o.error);
      }
      const value = { counts, spans, errors };
      scope.postMessage({ type: "result", id: data.id, value, compiled }, [
        counts.buffer,
        spans.buffer,
      ]);
      return;
    }
    try {
      reply = script.runInThisContext({ timeout: data.budgetMs }) as Reply;
    } catch (err) {
      timedOut(err);
      reply = { type: "timeout", id: data.id };
    }
    scope.postMessage(reply);
  };
  scope.postMessage({ type: "ready" });
}

/**
 * The Worker's entry: a data: module that imports only `node:vm`, so it
 * needs no permission to load; it says when it is ready to take calls.
 *
 * @param cacheSize How many compiled patterns the Worker keeps.
 * @returns The module's `data:` URL, for `new Worker()`.
 */
export function entryUrl(cacheSize: number): string {
  const code = 'import vm from "node:vm";\n' +
    `(${serveRegex.toString()})(vm, self, (${regexHandler.toString()})(${cacheSize}));\n`;
  return `data:application/javascript;base64,${btoa(code)}`;
}

/**
 * The options the runner's Worker is created with: a module worker whose
 * permissions are all `false`, so code run there can read, write, reach or
 * run nothing. A pattern cannot call an API anyway; this is defence in depth
 * against an escape from the regular expression engine. Exported so tests
 * can check exactly what the Worker gets (and that such a Worker is denied).
 *
 * @returns Fresh Worker options (needs `--unstable-worker-options`).
 *
 * @example Every permission is off
 * ```ts
 * import { regexWorkerOptions } from "./budget.ts";
 * import assert from "node:assert/strict";
 * const options = regexWorkerOptions();
 * assert.equal(options.type, "module");
 * assert.ok(Object.values(options.deno?.permissions ?? {}).every((p) => p === false));
 * ```
 */
export function regexWorkerOptions(): WorkerOptions {
  return {
    type: "module",
    name: "regex-budget",
    deno: {
      permissions: {
        read: false,
        write: false,
        net: false,
        env: false,
        run: false,
        sys: false,
        ffi: false,
        import: false,
      },
    },
  };
}
