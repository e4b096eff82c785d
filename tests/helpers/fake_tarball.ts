/**
 * A gzipped tar archive as GitHub's `tarball` endpoint serves it, for the
 * fake GitHub server: a `pax_global_header` holding the commit, one top
 * folder `<owner>-<repo>-<sha7>/`, folders, files and symbolic links in
 * ustar entries, and a pax `path` record for a path longer than the ustar
 * name field.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";

/** One entry of the archive, its path relative to the top folder. */
export interface TarEntry {
  path: string;
  /** A file's bytes, or the target of a symbolic link. */
  content: Uint8Array | { symlink: string };
}

function header(name: string, size: number, type: string, link = ""): Uint8Array {
  const h = new Uint8Array(512);
  const put = (text: string, at: number, len: number) =>
    h.set(Buffer.from(text).subarray(0, len), at);
  const num = (n: number, at: number, len: number) =>
    put(n.toString(8).padStart(len - 1, "0") + "\0", at, len);
  put(name, 0, 100);
  num(type === "5" ? 0o775 : 0o664, 100, 8);
  num(0, 108, 8);
  num(0, 116, 8);
  num(size, 124, 12);
  num(1_700_000_000, 136, 12);
  h.fill(32, 148, 156); // the checksum counts as spaces
  put(type, 156, 1);
  put(link, 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

function pax(records: Record<string, string>): Uint8Array {
  let text = "";
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    text += len + body;
  }
  return Buffer.from(text);
}

function padded(bytes: Uint8Array): Uint8Array[] {
  const rest = bytes.length % 512;
  return rest ? [bytes, new Uint8Array(512 - rest)] : [bytes];
}

/**
 * Builds the archive.
 *
 * @param top The top folder (`octo-graph-1a2b3c4`).
 * @param commit The commit, for the global header.
 * @param entries The files and links.
 * @returns The gzipped tar.
 */
export function tarball(top: string, commit: string, entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const global = pax({ comment: commit });
  parts.push(header("pax_global_header", global.length, "g"), ...padded(global));
  const dirs = new Set<string>([""]);
  parts.push(header(`${top}/`, 0, "5"));
  for (const entry of entries) {
    const segments = entry.path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join("/");
      if (!dirs.has(dir)) {
        dirs.add(dir);
        parts.push(header(`${top}/${dir}/`, 0, "5"));
      }
    }
    const name = `${top}/${entry.path}`;
    if (Buffer.byteLength(name) > 100) {
      const long = pax({ path: name });
      parts.push(header("PaxHeader", long.length, "x"), ...padded(long));
    }
    if (entry.content instanceof Uint8Array) {
      parts.push(header(name, entry.content.length, "0"), ...padded(entry.content));
    } else parts.push(header(name, 0, "2", entry.content.symlink));
  }
  parts.push(new Uint8Array(1024));
  return gzipSync(Buffer.concat(parts));
}
