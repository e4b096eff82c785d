/**
 * The CLI on S3 with exactly the permissions `describe` says a task needs:
 * nothing more is required (the AWS SDK's own reads included), and nothing
 * less is accepted.
 */
import assert from "node:assert/strict";
import { startS3rver } from "../helpers/s3rver.ts";
import { weir } from "../helpers/cli.ts";

Deno.test("example.snapshot runs on S3 with exactly the flags describe prints", async () => {
  const s3 = await startS3rver();
  const home = await Deno.makeTempDir({ prefix: "weir-s3-cli-" });
  const env = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
  // weir reads its configuration from these; they are granted on top.
  const configEnv = Object.keys(env);
  try {
    const args = ["--home", home, "run", "example.snapshot", "--source", "fixtures/example"];
    const described = await weir(["--home", home, "describe", ...args.slice(3)], {
      perms: ["--allow-read", "--allow-env"],
      env,
    });
    assert.equal(described.code, 0, described.stderr);
    const flags = (described.json as { permissions: { flags: string[] } }).permissions.flags;
    assert.ok(flags.some((f) => f === `--allow-net=${new URL(s3.endpoint).host}`), flags.join(" "));

    const perms = flags.map((f) =>
      f.startsWith("--allow-env=") ? `${f},${configEnv.join(",")}` : f
    );
    if (!perms.some((f) => f.startsWith("--allow-env="))) {
      perms.push(`--allow-env=${configEnv.join(",")}`);
    }
    const ok = await weir(args, { perms, env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((ok.json as { output: { copied: number } }).output.copied, 4);

    const withoutNet = perms.filter((f) => !f.startsWith("--allow-net"));
    const denied = await weir(args, { perms: withoutNet, env });
    assert.equal(denied.code, 2);
    assert.ok(
      denied.stderr.includes(`run again with --allow-net=${new URL(s3.endpoint).host}`),
      denied.stderr,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
    await s3.close();
  }
});
