/**
 * Modules weir imports by specifiers `deno compile` cannot see, listed so
 * the compiled binary carries them (`--include` in tools/compile.ts).
 *
 * @module
 */
import "@aws-sdk/client-s3";
