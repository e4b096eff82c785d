/**
 * The canonical plugin's options and their defaults, apart from `mod.ts` so
 * that task modules can read them without importing the plugin that loads
 * them.
 *
 * @module
 */

/** Options of the canonical plugin. */
export interface Options {
  /** The plugin's folder under the home: its SQLite job state and spill files. */
  folder: string;
  /** Records per batch file. */
  batchSize: number;
  /** Records per chunk (a table larger than this is split into several chunks). */
  chunkSize: number;
  /** Chunk processors run at once by `run_job` and `retry_chunks`. */
  concurrency: number;
  /** Keys a transform keeps in memory before spilling to SQLite. */
  memoryRecords: number;
  /** The window of time-based discovery, in hours. */
  windowHours: number;
  /** Attempts per object write before a chunk fails. */
  maxAttempts: number;
  /** The first backoff cap of those retries, in ms. */
  baseDelayMs: number;
}

/** The defaults, merged under the options given to `canonicalPlugin`. */
export const defaults = {
  folder: "canonical",
  batchSize: 500,
  chunkSize: 2_000,
  concurrency: 4,
  memoryRecords: 100_000,
  windowHours: 72,
  maxAttempts: 5,
  baseDelayMs: 100,
} satisfies Options;
