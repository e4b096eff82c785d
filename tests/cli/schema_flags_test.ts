import assert from "node:assert/strict";
import { z } from "zod";
import { UsageError } from "../../lib/errors.ts";
import { buildParams } from "../../cli/params.ts";
import { inputJsonSchema } from "../../cli/json_schema.ts";
import { kebab, parseSchemaFlags } from "../../cli/schema_flags.ts";
import { splitArgs } from "../../cli/argv.ts";

const schema = inputJsonSchema(z.object({
  instanceId: z.number().int(),
  page_size: z.number().default(50),
  full: z.boolean().default(false),
  only: z.array(z.string()).default([]),
  mode: z.enum(["static", "lease"]).default("static"),
  limits: z.object({ max: z.number() }).optional(),
  note: z.string().optional(),
}));

Deno.test("kebab() turns camelCase and snake_case into kebab-case", () => {
  assert.equal(kebab("instanceId"), "instance-id");
  assert.equal(kebab("page_size"), "page-size");
  assert.equal(kebab("a"), "a");
});

Deno.test("parseSchemaFlags() converts each flag by its schema type", () => {
  assert.deepEqual(
    parseSchemaFlags(
      [
        "--instance-id",
        "0",
        "--page-size=7.5",
        "--full",
        "--only",
        "a*",
        "--only",
        "b*",
        "--mode",
        "lease",
        "--limits",
        '{"max":3}',
      ],
      schema,
    ),
    {
      instanceId: 0,
      page_size: 7.5,
      full: true,
      only: ["a*", "b*"],
      mode: "lease",
      limits: { max: 3 },
    },
  );
});

Deno.test("parseSchemaFlags() reads --no-flag and --flag=false as false", () => {
  assert.deepEqual(parseSchemaFlags(["--no-full"], schema), { full: false });
  assert.deepEqual(parseSchemaFlags(["--full=false"], schema), { full: false });
});

Deno.test("parseSchemaFlags() takes a JSON array for an array flag", () => {
  assert.deepEqual(parseSchemaFlags(["--only", '["x","y"]'], schema), { only: ["x", "y"] });
});

Deno.test("parseSchemaFlags() refuses an unknown flag, naming the known ones", () => {
  assert.throws(() => parseSchemaFlags(["--nope", "1"], schema), {
    name: "UsageError",
    message:
      "Cannot use unknown flag --nope: known flags are --instance-id, --page-size, --full, --only, --mode, --limits, --note",
  });
});

Deno.test("parseSchemaFlags() refuses a non-number for a number flag", () => {
  assert.throws(
    () => parseSchemaFlags(["--page-size", "big"], schema),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === 'Cannot use --page-size as it expects a number: current value is "big"',
  );
});

Deno.test("parseSchemaFlags() refuses a bad boolean and bad JSON", () => {
  assert.throws(() => parseSchemaFlags(["--full=maybe"], schema), {
    message: 'Cannot use --full as it expects true or false: current value is "maybe"',
  });
  assert.throws(() => parseSchemaFlags(["--limits", "{x"], schema), {
    message: 'Cannot use --limits as it expects JSON: current value is "{x"',
  });
});

Deno.test("buildParams() lets flags win over --params", () => {
  const { params } = buildParams(["--params", '{"note":"a","full":true}', "--note", "b"], schema);
  assert.deepEqual(params, { note: "b", full: true });
});

Deno.test("buildParams() refuses --params that is not an object", () => {
  assert.throws(() => buildParams(["--params", "[1]"], schema), {
    message: "Cannot use --params as it must be a JSON object",
  });
});

Deno.test("splitArgs() finds global options anywhere and keeps the rest in order", () => {
  const p = splitArgs(["--home", "/h", "run", "t.x", "-v", "--feature=f1", "--a", "1", "--b"]);
  assert.equal(p.global.home, "/h");
  assert.equal(p.global.verbose, true);
  assert.deepEqual(p.global.features, ["f1"]);
  assert.deepEqual(p.words, ["run", "t.x"]);
  assert.deepEqual(p.flags, ["--a", "1", "--b"]);
});

Deno.test("splitArgs() refuses a global option without its value", () => {
  assert.throws(() => splitArgs(["run", "--home"]), {
    message: "Cannot use --home as it needs a value",
  });
  assert.throws(() => splitArgs(["--log-format", "xml"]), {
    message: 'Cannot use --log-format as it must be "json" or "text": current value is "xml"',
  });
});
