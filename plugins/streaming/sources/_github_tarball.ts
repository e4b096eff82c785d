/**
 * GitHub's archive of a commit (private to `sources/`): one
 * `GET /repos/{owner}/{repo}/tarball/{sha}` (GitHub redirects it to
 * codeload; `fetch` follows) instead of one blob request per page, for a
 * first sync or `--full`, when every page is read anyway.
 *
 * The archive is a gzipped tar: a `pax_global_header`, one top folder
 * `<owner>-<repo>-<sha7>/`, then the files. The reader here keeps regular
 * files whose path is a page, and understands pax `path` records and GNU
 * long names; links, folders and other entries are passed over. It is ~80
 * lines rather than a dependency because it needs none of a tar library's
 * writing, streaming or Node stream plumbing.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readBoundedBytes } from "../../../lib/http/bounded_body.ts";
import { isPagePath } from "./paths.ts";

/** What fetching an archive needs. */
export interface ArchiveRequest {
  /** The API's address. */
  baseUrl: string;
  /** `/repos/{owner}/{repo}`. */
  repoPath: string;
  /** The commit. */
  commit: string;
  /** The token, when there is one. */
  token?: string;
  /** The fetch function. */
  fetch: typeof fetch;
  /** The user agent. */
  userAgent: string;
  /**
   * The most bytes the archive may hold once decompressed (a gzip bomb or
   * an endless body stops there, and the pages are read from their blobs).
   */
  maxBytes: number;
}

/**
 * Fetches the archive of a commit and returns its pages' bytes by path.
 *
 * @param request Where and how.
 * @param signal Stops the download.
 * @returns The pages (`*.md` regular files), by path inside the repository.
 * @throws {Error} When GitHub does not answer 200, or the archive is malformed.
 * @throws {BodyTooLargeError} When the archive, decompressed, is over `request.maxBytes`.
 */
export async function fetchArchive(
  request: ArchiveRequest,
  signal?: AbortSignal,
): Promise<Map<string, Uint8Array>> {
  const headers: Record<string, string> = {
    accept: "application/vnd.github+json",
    "user-agent": request.userAgent,
    "x-github-api-version": "2022-11-28",
  };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  const url = `${request.baseUrl.replace(/\/+$/, "")}${request.repoPath}/tarball/${request.commit}`;
  const response = await request.fetch(url, { headers, signal, redirect: "follow" });
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    throw new Error(
      `Cannot read the archive of ${request.commit} from GitHub as it answered ${response.status}`,
    );
  }
  const tar = await readBoundedBytes(
    response.body.pipeThrough(new DecompressionStream("gzip")),
    request.maxBytes,
    `the archive of ${request.commit}`,
  );
  return readTar(tar);
}

/**
 * The git blob id of some bytes (`git hash-object`), to match an archived
 * file with the blob the tree lists.
 *
 * @param bytes The file.
 * @returns 40 hex digits.
 */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

const ascii = new TextDecoder("latin1");
const utf8 = new TextDecoder();

function field(block: Uint8Array, at: number, len: number, decoder = utf8): string {
  const raw = block.subarray(at, at + len);
  const nul = raw.indexOf(0);
  return decoder.decode(nul < 0 ? raw : raw.subarray(0, nul));
}

function readTar(tar: Uint8Array): Map<string, Uint8Array> {
  const pages = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length;) {
    const block = tar.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break; // the end
    const size = parseInt(field(block, 124, 12, ascii).trim() || "0", 8);
    if (!Number.isFinite(size)) {
      throw new Error("Cannot read the archive as an entry's size is malformed");
    }
    const type = String.fromCharCode(block[156] || 48);
    const data = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") longName = paxPath(data) ?? longName;
    else if (type === "L") longName = field(data, 0, data.length);
    else if (type === "g") continue;
    else {
      const prefix = field(block, 345, 155);
      const name = longName ??
        (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
      longName = undefined;
      const path = name.slice(name.indexOf("/") + 1); // under the top folder
      if ((type === "0" || type === "7") && isPagePath(path)) pages.set(path, data.slice());
    }
  }
  return pages;
}

/** The `path` record of a pax extended header (`<len> path=<value>\n` ..., lengths in bytes). */
function paxPath(data: Uint8Array): string | undefined {
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(32, at);
    const len = Number(ascii.decode(data.subarray(at, space)));
    if (space < 0 || !(len > 0)) return undefined;
    const record = utf8.decode(data.subarray(space + 1, at + len - 1));
    if (record.startsWith("path=")) return record.slice(5);
    at += len;
  }
  return undefined;
}
