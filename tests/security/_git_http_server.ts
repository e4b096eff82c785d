/**
 * Local git servers for the security tests: one that serves repositories
 * through `git http-backend` behind HTTP Basic authentication, and one that
 * accepts connections and never answers.
 *
 * @module
 */
import { join } from "node:path";

/** A running server; `await using` stops it. */
export interface GitServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Authorization headers the server saw. */
  seen: string[];
}

/**
 * Serves the bare repositories under `root` over smart HTTP, answering 401
 * unless the request carries `user:password`.
 *
 * @param root The folder of bare repositories.
 * @param user The user name required.
 * @param password The password required.
 * @returns The server.
 */
export function serveGitHttp(root: string, user: string, password: string): GitServer {
  const expected = `Basic ${btoa(`${user}:${password}`)}`;
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const auth = req.headers.get("authorization") ?? "";
    seen.push(auth);
    if (auth !== expected) {
      return new Response("auth needed", {
        status: 401,
        headers: { "WWW-Authenticate": 'Basic realm="git"' },
      });
    }
    const url = new URL(req.url);
    const child = new Deno.Command("git", {
      args: ["http-backend"],
      env: {
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method,
        CONTENT_TYPE: req.headers.get("content-type") ?? "",
        HTTP_CONTENT_ENCODING: req.headers.get("content-encoding") ?? "",
        REMOTE_USER: user,
        REMOTE_ADDR: "127.0.0.1",
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : new Uint8Array();
    const writer = child.stdin.getWriter();
    await writer.write(body);
    await writer.close();
    const out = (await child.output()).stdout;
    const split = indexOf(out, new TextEncoder().encode("\r\n\r\n"));
    const head = new TextDecoder().decode(out.subarray(0, split));
    const headers = new Headers();
    let status = 200;
    for (const line of head.split("\r\n")) {
      const colon = line.indexOf(":");
      const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else if (name) headers.set(name, value);
    }
    return new Response(out.slice(split + 4), { status, headers });
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return haystack.length;
}

/**
 * A TCP server that accepts every connection and never sends a byte.
 *
 * @returns The server (its `url` is `http://127.0.0.1:<port>`).
 */
export function silentServer(): GitServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const conn of listener) held.push(conn);
    } catch { /* closed */ }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    seen: [],
    [Symbol.asyncDispose]: () => {
      listener.close();
      for (const conn of held) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      return Promise.resolve();
    },
  };
}

/**
 * Makes a bare repository `<root>/<name>.git` holding one page.
 *
 * @param root Where.
 * @param name The repository's name.
 * @returns The bare repository's path.
 */
export async function makeBareRepo(root: string, name: string): Promise<string> {
  const work = join(root, `${name}-work`);
  const run = async (cwd: string, ...args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  await Deno.mkdir(join(work, "pages"), { recursive: true });
  await Deno.writeTextFile(join(work, "pages", "Avatar.md"), "- ### OntologyBlock\n");
  await run(work, "init", "--quiet");
  await run(work, "add", ".");
  await run(work, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", "commit", "-qm", "1");
  const bare = join(root, `${name}.git`);
  await run(root, "clone", "--bare", "--quiet", work, bare);
  return bare;
}

/**
 * Every process command line on the machine that holds `needle`, as `ps`
 * shows them (Deno refuses to read `/proc/<pid>/cmdline` without --allow-all).
 *
 * @param needle The text looked for.
 * @returns The command lines found.
 */
export async function commandLinesHolding(needle: string): Promise<string[]> {
  const out = await new Deno.Command("ps", { args: ["-e", "-ww", "-o", "args="], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((line) =>
    line.includes(needle) && !line.includes("ps -e -ww")
  );
}
