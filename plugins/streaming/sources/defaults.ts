/**
 * The defaults a source falls back on when its spec leaves a setting out,
 * shared by the spec's descriptions, the permission needs and the adapters.
 *
 * @module
 */

/** Where a git source keeps its clones of remote repositories, unless told otherwise. */
export const DEFAULT_GIT_CACHE_DIR = ".weir/cache/git";

/** The GitHub REST API's address, unless told otherwise. */
export const DEFAULT_GITHUB_URL = "https://api.github.com";
