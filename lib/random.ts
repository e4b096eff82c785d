/**
 * A seeded pseudo-random source, for fixtures, generators and tests whose
 * "random" data must be the same on every run.
 *
 * @module
 */

/** A source of numbers in [0, 1), as `Math.random` gives them. */
export type Rng = () => number;

/**
 * mulberry32: a small, fast 32-bit PRNG giving numbers in [0, 1). Not for
 * anything secret; chosen because its whole state is one integer, so a
 * seed reproduces a sequence exactly in any language.
 *
 * @param seed The seed; only its low 32 bits count.
 * @returns The generator, deterministic for the seed.
 *
 * @example The same seed gives the same sequence
 * ```ts
 * import { mulberry32 } from "./random.ts";
 * import assert from "node:assert/strict";
 * const a = mulberry32(42), b = mulberry32(42);
 * assert.equal(a(), b());
 * assert.ok(a() < 1);
 * ```
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
