import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  InvalidObjectKeyError,
  type ObjectStore,
  openObjectStore,
} from "../../../lib/objects/mod.ts";
import { FsObjectStore } from "../../../lib/objects/fs.ts";
import { contractSuite, runContract } from "../../helpers/contract.ts";
import { startS3rver } from "../../helpers/s3rver.ts";

const text = new TextEncoder();

async function collect(store: ObjectStore, prefix?: string): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for await (const { key, size } of store.list(prefix)) out.push([key, size]);
  return out;
}

const suite = contractSuite<ObjectStore>("ObjectStore", {
  "put() then get() returns the same bytes, including an empty object": async (store) => {
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
    assert.deepEqual(await store.put("bin/all.bin", bytes), {
      ...(store.kind === "s3" ? { etag: createHash("md5").update(bytes).digest("hex") } : {}),
      key: "bin/all.bin",
      size: 7,
    });
    assert.deepEqual(await store.get("bin/all.bin"), bytes);
    await store.put("bin/empty", new Uint8Array());
    assert.deepEqual(await store.get("bin/empty"), new Uint8Array());
  },

  "put() of text stores UTF-8 that getText() reads back": async (store) => {
    const result = await store.put("notes/hello.txt", "héllo ✓ \u{1F600}", {
      contentType: "text/plain; charset=utf-8",
    });
    assert.equal(result.size, 15);
    assert.equal(await store.getText("notes/hello.txt"), "héllo ✓ \u{1F600}");
    assert.deepEqual(await store.get("notes/hello.txt"), text.encode("héllo ✓ \u{1F600}"));
  },

  "put() replaces an existing object": async (store) => {
    await store.put("a.json", '{"v":1,"padding":"long"}');
    await store.put("a.json", '{"v":2}');
    assert.equal(await store.getText("a.json"), '{"v":2}');
    assert.equal((await store.head("a.json"))?.size, 7);
  },

  "head() reports the key, size in bytes and modification time": async (store) => {
    await store.put("dir/file name (1)+%.json", "ünï");
    const info = await store.head("dir/file name (1)+%.json");
    assert.equal(info?.key, "dir/file name (1)+%.json");
    assert.equal(info?.size, 5);
    assert.ok(info?.modified instanceof Date);
  },

  "missing keys read as undefined from get(), getText() and head()": async (store) => {
    await store.put("present/x", "x");
    assert.equal(await store.get("absent"), undefined);
    assert.equal(await store.getText("present/absent"), undefined);
    assert.equal(await store.head("present"), undefined); // a "folder" is not an object
    assert.equal(await store.get("present/x/deeper"), undefined);
  },

  "delete() returns true when it removed an object, then false": async (store) => {
    await store.put("gone/soon.txt", "bye");
    assert.equal(await store.delete("gone/soon.txt"), true);
    assert.equal(await store.delete("gone/soon.txt"), false);
    assert.equal(await store.delete("never/there"), false);
    assert.equal(await store.get("gone/soon.txt"), undefined);
    assert.deepEqual(await collect(store), []);
    // The emptied "folder" name can hold an object again.
    await store.put("gone", "now a file");
    assert.equal(await store.getText("gone"), "now a file");
  },

  "list() yields keys starting with the prefix in UTF-8 byte order": async (store) => {
    const keys = ["b", "a/b", "a/a", "a-c", "a/\uFF61", "a/\u{1F600}", "a/sub/x", "ab", "a/Z"];
    await Promise.all(keys.map((key) => store.put(key, key)));
    assert.deepEqual(await collect(store, "a/"), [
      ["a/Z", 3],
      ["a/a", 3],
      ["a/b", 3],
      ["a/sub/x", 7],
      ["a/\uFF61", 5],
      ["a/\u{1F600}", 6],
    ]);
    assert.deepEqual((await collect(store, "a")).map(([k]) => k), [
      "a-c",
      "a/Z",
      "a/a",
      "a/b",
      "a/sub/x",
      "a/\uFF61",
      "a/\u{1F600}",
      "ab",
    ]);
    assert.deepEqual((await collect(store)).map(([k]) => k).at(-1), "b");
    assert.deepEqual(await collect(store, "a/s"), [["a/sub/x", 7]]);
    assert.deepEqual(await collect(store, "zzz/"), []);
  },

  "list() pages through more keys than fit one page": async (store) => {
    const keys = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(3, "0")}`);
    await Promise.all(keys.map((key) => store.put(key, "x")));
    await store.put("pagf", "outside the prefix");
    assert.deepEqual((await collect(store, "page/")).map(([k]) => k), keys);
  },

  "invalid keys are refused with InvalidObjectKeyError by every method": async (store) => {
    const refused = async (call: () => Promise<unknown>, message: string) => {
      await assert.rejects(call, (err) => {
        assert.ok(err instanceof InvalidObjectKeyError);
        assert.equal(err.message, message);
        assert.equal(err.code, "invalid_object_key");
        assert.equal(err.exitCode, 2);
        return true;
      });
    };
    await refused(
      () => store.put("../escape", "x"),
      'Cannot use an object key as it has a ".." segment: current value is "../escape"',
    );
    await refused(
      () => store.get("/etc/passwd"),
      'Cannot use an object key as it starts with "/": current value is "/etc/passwd"',
    );
    await refused(
      () => store.getText(""),
      'Cannot use an object key as it is empty: current value is ""',
    );
    await refused(
      () => store.head("a//b"),
      'Cannot use an object key as it has an empty segment ("//" or a trailing "/"): current value is "a//b"',
    );
    await refused(
      () => store.delete("a\\b"),
      'Cannot use an object key as it contains a backslash: current value is "a\\\\b"',
    );
    await refused(
      () => collect(store, "a/../"),
      'Cannot use an object key prefix as it has a ".." segment: current value is "a/../"',
    );
    assert.deepEqual(await collect(store), []);
  },
});

runContract(suite, [
  {
    name: "fs",
    async open() {
      const root = await Deno.makeTempDir({ prefix: "weir-objects-" });
      const adapter = await openObjectStore({ kind: "fs", root: join(root, "store") });
      return {
        adapter,
        async close() {
          await adapter.close();
          await Deno.remove(root, { recursive: true });
        },
      };
    },
  },
  {
    name: "s3",
    async open() {
      const server = await startS3rver();
      const adapter = await openObjectStore({
        kind: "s3",
        bucket: server.bucket,
        endpoint: server.endpoint,
        credentials: server.credentials,
        prefix: "tenant-1", // Exercises prefix handling: keys come back without it.
        pageSize: 4, // Exercises continuation tokens with few keys.
      });
      return {
        adapter,
        async close() {
          await adapter.close();
          await server.close();
        },
      };
    },
  },
]);

// Behaviour particular to one adapter, beyond the shared contract.

async function withFsStore(fn: (store: FsObjectStore, root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "weir-objects-fs-" });
  try {
    await fn(new FsObjectStore(root), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("FsObjectStore refuses a key whose folder is an object, and an object where a folder is", async () => {
  await withFsStore(async (store) => {
    await store.put("a", "file");
    await assert.rejects(() => store.put("a/b", "x"), {
      name: "InvalidObjectKeyError",
      message:
        'Cannot use an object key as the filesystem store holds an object where it needs a folder: current value is "a/b"',
    });
    await store.put("c/d", "x");
    await assert.rejects(() => store.put("c", "x"), {
      name: "InvalidObjectKeyError",
      message:
        'Cannot use an object key as the filesystem store holds objects under it, so it cannot be an object too: current value is "c"',
    });
    assert.deepEqual(await collect(store), [["a", 4], ["c/d", 1]]);
  });
});

Deno.test("FsObjectStore leaves no temporary files behind and never lists in-flight writes", async () => {
  await withFsStore(async (store, root) => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put("same", `v${i}`)));
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["same"]);
    Deno.writeTextFileSync(join(root, `.~weir-${crypto.randomUUID()}.tmp`), "partial");
    assert.deepEqual(await collect(store), [["same", (await store.head("same"))!.size]]);
  });
});

Deno.test("FsObjectStore.delete() removes the folders it leaves empty, up to the root", async () => {
  await withFsStore(async (store, root) => {
    await store.put("x/y/z.txt", "1");
    await store.put("x/keep.txt", "2");
    assert.equal(await store.delete("x/y/z.txt"), true);
    assert.deepEqual([...Deno.readDirSync(join(root, "x"))].map((e) => e.name), ["keep.txt"]);
    assert.equal(await store.delete("x/keep.txt"), true);
    assert.deepEqual([...Deno.readDirSync(root)], []);
  });
});

Deno.test("FsObjectStore lists nothing, and reads nothing, before its root exists", async () => {
  await withFsStore(async (_store, root) => {
    const store = new FsObjectStore(join(root, "not", "yet"));
    assert.deepEqual(await collect(store), []);
    assert.equal(await store.get("a"), undefined);
    await store.put("a", "1");
    assert.equal(await store.getText("a"), "1");
  });
});

Deno.test("S3ObjectStore keeps its objects under its prefix inside the bucket", async () => {
  const server = await startS3rver();
  const config = {
    kind: "s3" as const,
    bucket: server.bucket,
    endpoint: server.endpoint,
    credentials: server.credentials,
  };
  const scoped = await openObjectStore({ ...config, prefix: "runs/2024/" });
  const whole = await openObjectStore(config);
  try {
    await scoped.put("a.json", "{}");
    await whole.put("other.json", "{}");
    assert.deepEqual(await collect(whole), [["other.json", 2], ["runs/2024/a.json", 2]]);
    assert.deepEqual(await collect(scoped), [["a.json", 2]]);
    assert.equal(await scoped.get("other.json"), undefined);
  } finally {
    await scoped.close();
    await whole.close();
    await server.close();
  }
});

Deno.test("openObjectStore() refuses an unknown kind and an S3 page size outside 1 to 1000", async () => {
  await assert.rejects(
    () => openObjectStore({ kind: "gcs" } as unknown as Parameters<typeof openObjectStore>[0]),
    {
      name: "TypeError",
      message:
        'Cannot open an object store as its kind is not "fs" or "s3": current value is "gcs"',
    },
  );
  await assert.rejects(() => openObjectStore({ kind: "s3", bucket: "b", pageSize: 1001 }), {
    name: "RangeError",
    message:
      'Cannot open an S3 object store as pageSize must be an integer from 1 to 1000: current value is "1001"',
  });
});
