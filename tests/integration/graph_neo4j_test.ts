/**
 * The graph plugin on the Neo4j test servers, through the CLI: a dual
 * upload onto two servers, an upload while the hybridgraph server is
 * unreachable (pending, later synced, nothing lost), and both graphs in one
 * database under distinct labels. Each test works under a namespace of its
 * own and removes it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateDocument } from "../../fixtures/graph/generate.ts";
import { Neo4jConnection } from "../../plugins/graph/neo4j_connection.ts";
import { Neo4jHybridGraph } from "../../plugins/graph/neo4j_hybrid.ts";
import { Neo4jJsonGraph } from "../../plugins/graph/neo4j_json.ts";
import { canonicalJson } from "../../lib/hash.ts";
import type { Json } from "../../plugins/graph/tree.ts";
import { type Neo4jSettings, serviceTest } from "../helpers/services.ts";
import { tempDir } from "../helpers/temp.ts";
import { graphRun, outputOf, writeDocs } from "../plugins/graph/_cli.ts";
import {
  dropNamespace,
  expectedRefCounts,
  jsonRows,
  sorted,
  uniqueNamespace,
} from "../plugins/graph/_graphs.ts";

function corpus(n: number): Record<string, Json> {
  return Object.fromEntries(
    Array.from(
      { length: n },
      (_, i) => [`n${i}`, generateDocument(i, { seed: 31, maxArray: 15 }) as Json],
    ),
  );
}

function env(s: Neo4jSettings, hybridUri = s.hybridUri): Record<string, string> {
  return {
    NEO4J_URI: s.uri,
    NEO4J_HYBRID_URI: hybridUri,
    NEO4J_USER: s.user,
    NEO4J_PASSWORD: s.password,
  };
}

/** A port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function assertOnNeo4j(
  s: Neo4jSettings,
  ns: string,
  docs: Record<string, Json>,
  hybridUri = s.hybridUri,
) {
  const json = await Neo4jJsonGraph.open(
    await Neo4jConnection.open({ uri: s.uri, namespace: ns }),
    5_000,
  );
  const hybrid = await Neo4jHybridGraph.open(
    await Neo4jConnection.open({ uri: hybridUri, namespace: ns }),
    5_000,
  );
  try {
    const n = Object.keys(docs).length;
    assert.deepEqual((await json.counts()).byStatus, { synced: n });
    assert.deepEqual(
      sorted(await hybrid.refCounts()),
      sorted(expectedRefCounts(Object.values(docs))),
    );
    const [id, doc] = Object.entries(docs)[0];
    assert.equal(canonicalJson(await hybrid.read(id)), canonicalJson(doc));
  } finally {
    await json.close();
    await hybrid.close();
  }
}

async function cleanup(s: Neo4jSettings, ns: string) {
  await dropNamespace(s.uri, ns);
  if (s.hybridUri !== s.uri) await dropNamespace(s.hybridUri, ns);
}

serviceTest(
  "graph on Neo4j: batch_upload_dual writes both servers with exact ref_counts",
  "neo4j",
  async (s) => {
    await using home = await tempDir("weir-graph-neo-");
    const ns = uniqueNamespace();
    try {
      const docs = corpus(15);
      await writeDocs(join(home.path, "in"), docs);
      const run = await graphRun(home.path, [
        "graph.batch_upload_dual",
        "--input",
        join(home.path, "in"),
        "--backend",
        "neo4j",
        "--namespace",
        ns,
        "--batch-size",
        "200",
      ], env(s));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(outputOf(run).documents_synced, 15);
      await assertOnNeo4j(s, ns, docs);
    } finally {
      await cleanup(s, ns);
    }
  },
);

serviceTest(
  "graph on Neo4j: upload while the hybridgraph server is down stays pending, a later sync completes it",
  "neo4j",
  async (s) => {
    await using home = await tempDir("weir-graph-neodown-");
    const ns = uniqueNamespace();
    try {
      const docs = corpus(6);
      await writeDocs(join(home.path, "in"), docs);
      const down = `bolt://127.0.0.1:${closedPort()}`;
      const args = ["--backend", "neo4j", "--layout", "servers", "--namespace", ns];
      const run = await graphRun(home.path, [
        "graph.batch_upload_dual",
        "--input",
        join(home.path, "in"),
        ...args,
      ], env(s, down));
      assert.equal(run.code, 3, run.stderr);
      const out = outputOf<{ documents_written: number; errors: { error: string }[] }>(run);
      assert.equal(out.documents_written, 6);
      assert.equal(out.errors.length, 6);
      const status = outputOf<{ by_status: Record<string, number>; hybrid_error: string | null }>(
        await graphRun(home.path, ["graph.status", ...args], env(s, down)),
      );
      assert.deepEqual(status.by_status, { pending: 6 });
      assert.ok(status.hybrid_error);
      const sync = await graphRun(home.path, ["graph.sync_to_hybrid", ...args], env(s));
      assert.equal(sync.code, 0, sync.stderr);
      assert.equal(outputOf(sync).documents_synced, 6);
      await assertOnNeo4j(s, ns, docs);
    } finally {
      await cleanup(s, ns);
    }
  },
);

serviceTest(
  "graph on Neo4j: both graphs in one database under distinct labels",
  "neo4j",
  async (s) => {
    await using home = await tempDir("weir-graph-neolabels-");
    const ns = uniqueNamespace();
    try {
      const docs = corpus(4);
      await writeDocs(join(home.path, "in"), docs);
      const run = await graphRun(home.path, [
        "graph.batch_upload_dual",
        "--input",
        join(home.path, "in"),
        "--backend",
        "neo4j",
        "--layout",
        "labels",
        "--namespace",
        ns,
      ], env(s));
      assert.equal(run.code, 0, run.stderr);
      await assertOnNeo4j(s, ns, docs, s.uri);
    } finally {
      await dropNamespace(s.uri, ns);
    }
  },
);

serviceTest(
  "graph on Neo4j: a migration killed (SIGKILL) at 6 seeded points and resumed ends with exact ref_counts",
  "neo4j",
  async (s) => {
    await using home = await tempDir("weir-graph-neomig-");
    const ns = uniqueNamespace();
    try {
      const docs = corpus(12);
      const json = await Neo4jJsonGraph.open(
        await Neo4jConnection.open({ uri: s.uri, namespace: ns }),
        5_000,
      );
      try {
        await json.write(jsonRows(docs), null);
      } finally {
        await json.close();
      }
      const args = [
        "graph.migrate_to_hybrid",
        "--backend",
        "neo4j",
        "--namespace",
        ns,
        "--page-size",
        "3",
        "--batch-size",
        "60",
      ];
      for (const at of [2, 1, 3, 2, 1, 3]) {
        const run = await graphRun(home.path, args, { ...env(s), WEIR_GRAPH_KILL_AT: String(at) });
        assert.equal(run.code, 137, `not killed at commit ${at}: ${run.stderr.slice(-500)}`);
      }
      const last = await graphRun(home.path, args, env(s));
      assert.equal(last.code, 0, last.stderr);
      assert.ok(outputOf<{ resumed_after: string | null }>(last).resumed_after !== null);
      await assertOnNeo4j(s, ns, docs);
    } finally {
      await cleanup(s, ns);
    }
  },
);
