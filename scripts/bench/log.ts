// npm run bench:log — the transparency log's append and proofs at 10^3, 10^4, 10^5 and 10^6
// leaves, in process, on a fresh data directory. The log is grown to each size in bulk (leaves
// written straight into log_leaves, then ensureLogTree back-fills their nodes in one
// transaction, as for an old data directory), then timed: appendLog in its own IMMEDIATE
// transaction (leaf row, the nodes it completes, root, Ed25519-signed checkpoint row), and the
// JSON inclusion and consistency proofs of random leaves / sizes, read from the stored nodes.
// Baseline in the same run, interleaved with the appends: a bare SQLite insert of one row
// (level, idx, 32-byte hash) into a table like log_nodes, in its own IMMEDIATE transaction.
// Proofs are timed beside a bare one-row select of a node by its primary key, and the plan's
// number of node reads per proof is printed (O(log n) per element, O(log^2 n) at worst).
// Bar: flat, not linear: append and proof p50 at 10^6 leaves <= 2x their p50 at 10^3, each
// divided by its baseline's growth over the same sizes (the machine may be busier at one size).
// BENCH_LOG_SIZES=1000,10000 and BENCH_LOG_APPENDS=50 make a quick run.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-log-bench-"));
process.env.DATA_DIR = dataDir;
process.env.DEMO_MODE = "true"; // no demo data is seeded (startup is not run); only the environment check wants it
process.env.LOG_REQUESTS = "false";
const SIZES = (process.env.BENCH_LOG_SIZES ?? "1000,10000,100000,1000000").split(",").map(Number);
const N = Number(process.env.BENCH_LOG_APPENDS ?? 200);

const { db, transaction } = await import("../../app/platform/db.server");
const { closeDb } = await import("../../db/connection");
const { getEnv } = await import("../../app/platform/env.server");
const { signingKeys } = await import("../../app/features/trust/adapters/signing-keys.server");
const { appendLog, consistencyProofFor, inclusionProofFor, logSize } =
  await import("../../app/features/trust/transparency-log.server");
const { ensureLogTree } = await import("../../app/features/trust/log-tree.server");
const { consistencyRanges, inclusionRanges, subtreeNodes } = await import("../../app/features/trust/domain/tiles");
const { leafHash, verifyInclusion, parseCheckpointBody, parseSignatureLines } =
  await import("../../app/features/trust/domain/merkle");

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Leaves as a seal event is logged (about 190 bytes), written straight into log_leaves. */
function bulkLeaves(from: number, to: number): void {
  const insert = db().$client.prepare("insert into log_leaves (leaf_index, data, leaf_hash, at) values (?, ?, ?, ?)");
  const at = Date.parse("2026-12-01T00:00:00Z");
  transaction(() => {
    for (let i = from; i < to; i++) {
      const data = JSON.stringify({
        at: new Date(at + i).toISOString(),
        credentialSha256: crypto.createHash("sha256").update(String(i)).digest("hex"),
        event: "issued",
        index: i,
        kid: "bench-key",
        serial: `IOTS-${String(i).padStart(9, "0")}`,
      });
      insert.run(i, data, leafHash(Buffer.from(data)).toString("hex"), at + i);
    }
  });
}

interface Row {
  size: number;
  fill: number;
  append: number[];
  bareInsert: number[];
  inclusion: number[];
  consistency: number[];
  bareRead: number[];
  /** Mean stored nodes read per inclusion / consistency proof (from the plan in domain/tiles.ts). */
  inclusionReads: number;
  consistencyReads: number;
}

const WARM_UP = 30;

async function main() {
  await signingKeys(getEnv().dataDir).ensureActive();
  const client = db().$client;
  client.exec(
    "create table bench_baseline (level integer not null, idx integer not null, hash blob not null, primary key (level, idx))",
  );
  const bareInsert = client.prepare("insert into bench_baseline (level, idx, hash) values (?, ?, ?)");
  const bareRead = client.prepare("select hash from log_nodes where level = ? and idx = ?").pluck();
  let bareIdx = 0;
  const rows: Row[] = [];
  const rnd = () => crypto.randomInt(0, 2 ** 47);
  const reads = (ranges: { lo: number; hi: number }[]) =>
    ranges.reduce((n, r) => n + subtreeNodes(r.lo, r.hi).length, 0);
  const signed: number[] = []; // tree sizes with a signed checkpoint (the bulk-filled ones have none)
  for (const target of SIZES) {
    const t0 = performance.now();
    bulkLeaves(logSize(), target);
    ensureLogTree();
    const fill = performance.now() - t0;
    const row: Row = {
      size: target,
      fill,
      append: [],
      bareInsert: [],
      inclusion: [],
      consistency: [],
      bareRead: [],
      inclusionReads: 0,
      consistencyReads: 0,
    };
    for (let i = 0; i < N + WARM_UP; i++) {
      const a = performance.now();
      const index = transaction((tx) =>
        appendLog(tx, { event: "suspended", serial: "IOTS-BENCH-0001", reason: "bench", n: i }),
      );
      const b = performance.now();
      signed.push(index + 1);
      transaction(() => bareInsert.run(0, bareIdx++, crypto.randomBytes(32)));
      const c = performance.now();
      if (i >= WARM_UP) {
        row.append.push((b - a) * 1000);
        row.bareInsert.push((c - b) * 1000);
      }
    }
    const size = logSize();
    for (let i = 0; i < N + WARM_UP; i++) {
      const index = rnd() % size;
      const from = signed[rnd() % (signed.length - 1)]; // any earlier signed size
      const a = performance.now();
      const p = inclusionProofFor(index, size);
      const b = performance.now();
      const q = consistencyProofFor(from, size);
      const c = performance.now();
      bareRead.get(0, index);
      const d = performance.now();
      if (!p.ok || !q.ok) throw new Error("a proof failed");
      if (i === 0) {
        // Checked once per size: the proof verifies against the signed checkpoint's root.
        const body = parseCheckpointBody(parseSignatureLines(p.value.checkpoint!)!.body)!;
        const proof = p.value.inclusionProof.map((h) => Buffer.from(h, "base64"));
        if (!verifyInclusion(leafHash(Buffer.from(p.value.leaf)), index, size, proof, body.rootHash))
          throw new Error(`the inclusion proof of leaf ${index} does not verify`);
      }
      if (i >= WARM_UP) {
        row.inclusion.push((b - a) * 1000);
        row.consistency.push((c - b) * 1000);
        row.bareRead.push((d - c) * 1000);
        row.inclusionReads += reads(inclusionRanges(index, size)) / N;
        row.consistencyReads += reads(consistencyRanges(from, size)) / N;
      }
    }
    rows.push(row);
    console.error(`  ${target.toLocaleString("en")} leaves done`);
  }

  const mib = (fs.statSync(path.join(dataDir, "iot-seal.db")).size / 2 ** 20).toFixed(0);
  console.log(
    `Transparency-log benchmark: ${N} appends and ${N} proofs of each kind per size, after a bulk fill (load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; database ${mib} MiB at the end)`,
  );
  console.log(
    "Append: appendLog in its own transaction (leaf, nodes, root, signed checkpoint); baseline: a bare one-row insert in its own transaction.",
  );
  console.log(
    "Proofs: inclusionProofFor / consistencyProofFor (JSON answer: checkpoint, leaf, nodes); baseline: a bare one-row select of a node.",
  );
  console.log("");
  const us = (x: number) => x.toFixed(0);
  const table: string[][] = [
    [
      "leaves",
      "fill s",
      "append p50 µs",
      "p90",
      "bare insert µs",
      "ratio",
      "inclusion p50 µs",
      "p90",
      "nodes read",
      "consistency p50 µs",
      "p90",
      "nodes read",
      "bare read µs",
    ],
  ];
  for (const r of rows)
    table.push([
      r.size.toLocaleString("en"),
      (r.fill / 1000).toFixed(1),
      us(pct(r.append, 50)),
      us(pct(r.append, 90)),
      us(pct(r.bareInsert, 50)),
      `${(pct(r.append, 50) / pct(r.bareInsert, 50)).toFixed(1)}x`,
      us(pct(r.inclusion, 50)),
      us(pct(r.inclusion, 90)),
      r.inclusionReads.toFixed(1),
      us(pct(r.consistency, 50)),
      us(pct(r.consistency, 90)),
      r.consistencyReads.toFixed(1),
      pct(r.bareRead, 50).toFixed(1),
    ]);
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) console.log(row.map((cell, c) => cell.padStart(widths[c])).join("  "));

  // Flat, not linear: from the first size to the last the log grows 1,000x; a linear cost would
  // grow about as much, an O(log n) one about log(last) / log(first) = 2x. The growth is divided by
  // the baseline's growth over the same sizes, so that a busier machine at one size does not count.
  const first = rows[0];
  const last = rows[rows.length - 1];
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS  <<<<<<<<<<");
  console.log("");
  for (const [label, f, base] of [
    ["append", (r: Row) => r.append, (r: Row) => r.bareInsert],
    ["inclusion proof", (r: Row) => r.inclusion, (r: Row) => r.bareRead],
    ["consistency proof", (r: Row) => r.consistency, (r: Row) => r.bareRead],
  ] as const) {
    const raw = pct(f(last), 50) / pct(f(first), 50);
    const normalised = raw / (pct(base(last), 50) / pct(base(first), 50));
    console.log(
      `${label.padEnd(17)} p50 at ${last.size.toLocaleString("en")} / at ${first.size.toLocaleString("en")} leaves: ${raw.toFixed(2)}x, ${normalised.toFixed(2)}x against its baseline   (bar <= 2.00x: flat, not linear)   ${verdict(normalised <= 2)}`,
    );
  }
}

try {
  await main();
} finally {
  closeDb();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
