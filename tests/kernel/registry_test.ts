import assert from "node:assert/strict";
import { z } from "zod";
import { definePlugin, lazyTask } from "../../kernel/plugin.ts";
import { Registry } from "../../kernel/registry.ts";
import { defineTask } from "../../kernel/task.ts";
import { VERSION } from "../../kernel/version.ts";

const greet = defineTask({
  id: "hello.greet",
  summary: "Greets",
  input: z.object({}),
  output: z.object({}),
  permissions: () => ({}),
  run: () => Promise.resolve({}),
});

Deno.test("defineTask() refuses an id that is not plugin.verb", () => {
  assert.throws(() => defineTask({ ...greet, id: "Greet" }), {
    name: "TypeError",
    message: 'Cannot define task as its id must look like "plugin.verb": current value is "Greet"',
  });
});

Deno.test("defineTask() names the run function after the task id", () => {
  assert.equal(greet.run.name, "hello.greet");
});

Deno.test("definePlugin() refuses a task of another plugin and a repeated task", () => {
  const entry = lazyTask("other.x", "x", () => Promise.resolve(greet));
  assert.throws(
    () => definePlugin({ name: "hello", version: "1", summary: "s", tasks: [entry] }),
    {
      message:
        'Cannot define plugin "hello" as a task id must look like "hello.verb": current value is "other.x"',
    },
  );
  const twice = lazyTask("hello.greet", "g", () => Promise.resolve(greet));
  assert.throws(
    () => definePlugin({ name: "hello", version: "1", summary: "s", tasks: [twice, twice] }),
    { message: 'Cannot define plugin "hello" as task "hello.greet" is listed twice' },
  );
});

Deno.test("Registry.load() checks that the module provides the listed id", async () => {
  const wrong = definePlugin({
    name: "hello",
    version: "1",
    summary: "s",
    tasks: [lazyTask("hello.other", "o", () => Promise.resolve(greet))],
  });
  await assert.rejects(new Registry().add(wrong).load("hello.other"), {
    name: "TypeError",
    message:
      'Cannot load task "hello.other" as its module provides a task with another id: current value is "hello.greet"',
  });
});

Deno.test("Registry refuses a second plugin of the same name", () => {
  const p = definePlugin({ name: "hello", version: "1", summary: "s", tasks: [] });
  assert.throws(() => new Registry().add(p).add(p), {
    message: 'Cannot register plugin "hello" as a plugin of that name is already registered',
  });
});

Deno.test("Registry.entry() suggests near names for an unknown task", () => {
  const p = definePlugin({
    name: "hello",
    version: "1",
    summary: "s",
    tasks: [lazyTask("hello.greet", "g", () => Promise.resolve(greet))],
  });
  assert.throws(() => new Registry().add(p).entry("hello.gret"), {
    name: "UsageError",
    message:
      'Cannot find task "hello.gret" as no task of that name is registered; did you mean "hello.greet"? (see "weir list")',
  });
});

Deno.test("VERSION matches deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(VERSION, config.version);
});
