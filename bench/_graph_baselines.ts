/**
 * The graph benchmark's baselines: a plain SQLite loop inserting the rows
 * both graphs end up holding, and the per-document MERGE loop on Neo4j
 * that the plugin's UNWIND batches replace.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { transaction } from "../lib/sqlite/mod.ts";
import { batchesOf, type Prepared } from "../plugins/graph/dual.ts";
import type { Neo4jConnection } from "../plugins/graph/neo4j_connection.ts";

const BATCH = 5_000;

/** The rows both graphs end up holding, computed once, outside the timing. */
function finalRows(prepared: Prepared[]) {
  const counts = new Map<string, number>();
  for (const p of prepared) {
    for (const h of p.tree.contents.keys()) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  const contents = new Map(prepared.flatMap((p) => [...p.tree.contents]));
  return { counts, contents };
}

/** The plain loop: the same rows inserted with prepared statements, one transaction per batch and file. */
export function plainLoop(
  jdb: DatabaseSync,
  hdb: DatabaseSync,
  prepared: Prepared[],
  json: boolean,
): void {
  const { counts, contents } = finalRows(prepared);
  const now = new Date().toISOString();
  const doc = jdb.prepare("INSERT INTO json_documents VALUES (?, 'synced', ?, ?, 0, NULL, ?)");
  const node = jdb.prepare("INSERT INTO json_nodes VALUES (?, ?, ?, ?, ?, ?, ?)");
  const content = hdb.prepare("INSERT OR IGNORE INTO hybrid_content VALUES (?, ?, ?, ?)");
  const edge = hdb.prepare("INSERT OR IGNORE INTO hybrid_edges VALUES (?, ?, ?, ?)");
  const ref = hdb.prepare("INSERT INTO hybrid_refs VALUES (?, ?)");
  const source = hdb.prepare("INSERT INTO hybrid_sources VALUES (?, ?, ?)");
  for (const batch of batchesOf(prepared, (p) => p.nodes.length, BATCH)) {
    if (json) {
      transaction(jdb, () => {
        for (const p of batch) {
          doc.run(p.docId, p.tree.root, p.nodes.length, now);
          for (const n of p.nodes) {
            node.run(p.docId, n.idx, n.parent, n.key, n.pos, n.kind, n.value);
          }
        }
      });
    }
    transaction(hdb, () => {
      for (const p of batch) {
        for (const h of p.tree.contents.keys()) {
          const c = contents.get(h)!;
          if (Number(content.run(h, c.kind, c.value, counts.get(h)!).changes) > 0) {
            for (const e of c.children) edge.run(h, e.pos, e.key, e.hash);
          }
          ref.run(p.docId, h);
        }
        source.run(p.docId, p.tree.root, now);
      }
    });
  }
}

/** The design it replaces: per document, a transaction of one MERGE per value, edge and reference. */
export async function perDocumentMerge(
  json: Neo4jConnection,
  hybrid: Neo4jConnection,
  docs: Prepared[],
  withJson: boolean,
): Promise<void> {
  const ns = json.target.namespace;
  const L = (n: string) => `\`${ns}${n}\``;
  for (const p of docs) {
    if (withJson) {
      await json.write(async (tx) => {
        await tx.run(
          `MERGE (d:${
            L("JsonDocument")
          } {doc_id: $id}) SET d.sync_status = 'pending', d.root_hash = $root`,
          {
            id: p.docId,
            root: p.tree.root,
          },
        );
        for (const n of p.nodes) {
          await tx.run(
            `MERGE (x:${
              L("JsonNode")
            } {uid: $uid}) SET x.doc_id = $id, x.idx = $idx, x.kind = $kind, x.key = $key, x.pos = $pos, x.value = $value`,
            {
              uid: `${p.docId}#${n.idx}`,
              id: p.docId,
              idx: n.idx,
              kind: n.kind,
              key: n.key,
              pos: n.pos,
              value: n.value,
            },
          );
          if (n.parent !== null) {
            await tx.run(
              `MATCH (a:${L("JsonNode")} {uid: $p}), (b:${
                L("JsonNode")
              } {uid: $c}) MERGE (a)-[:HAS]->(b)`,
              { p: `${p.docId}#${n.parent}`, c: `${p.docId}#${n.idx}` },
            );
          }
        }
      });
    }
    await hybrid.write(async (tx) => {
      for (const c of p.tree.contents.values()) {
        await tx.run(
          `MERGE (c:${
            L("HybridContent")
          } {hash: $hash}) ON CREATE SET c.kind = $kind, c.value = $value, c.ref_count = 0 SET c.ref_count = c.ref_count + 1`,
          { hash: c.hash, kind: c.kind, value: c.value },
        );
      }
      for (const c of p.tree.contents.values()) {
        for (const e of c.children) {
          await tx.run(
            `MATCH (a:${L("HybridContent")} {hash: $p}), (b:${
              L("HybridContent")
            } {hash: $c}) MERGE (a)-[:CHILD {pos: $pos}]->(b)`,
            { p: c.hash, c: e.hash, pos: e.pos },
          );
        }
      }
      await tx.run(
        `MERGE (s:${L("HybridSource")} {doc_id: $id}) SET s.root_hash = $root, s.last_synced = $at`,
        {
          id: p.docId,
          root: p.tree.root,
          at: new Date().toISOString(),
        },
      );
    });
    if (withJson) {
      await json.write((tx) =>
        tx.run(`MATCH (d:${L("JsonDocument")} {doc_id: $id}) SET d.sync_status = 'synced'`, {
          id: p.docId,
        })
      );
    }
  }
}
