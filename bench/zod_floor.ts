/**
 * The floor of a command that loads a task's zod schema: import zod, build
 * one object schema, parse one value. Timed by the cold-start benchmark.
 *
 * @module
 */
import { z } from "zod";

const input = z.object({ note: z.string().default("nothing") });
if (input.parse({}).note !== "nothing") Deno.exit(1);
