/**
 * The folder-prefix rule (private to `sources/`), shared by
 * {@linkcode normalizePrefix} (which throws) and the spec's `prefix` field
 * (which reports a schema issue).
 *
 * @module
 */

/**
 * Why a prefix is refused, or undefined when it is fine.
 *
 * @param prefix The prefix as given.
 * @returns A reason phrased to follow "as", or undefined.
 */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix.includes("\0")) return "it contains a NUL byte";
  if (prefix.includes("\\")) return "it contains a backslash";
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return undefined;
  for (const segment of trimmed.split("/")) {
    if (segment === "") return 'it has an empty segment ("//")';
    if (segment === "." || segment === "..") return `it has a "${segment}" segment`;
  }
  return undefined;
}
