// tsx scripts/bench/evidence-store.ts — evidence store throughput (decision 027): one file
// (BENCH_STORE_MIB, default 256 MiB) received and committed through
//   file      the local store (temporary file, then rename),
//   s3        the S3 store as built: a local temporary file first, then a multipart Upload of it,
//   s3-direct the alternative not taken: hashed while it streams straight to a temporary key, then
//             CopyObject to the content address and DeleteObject of the temporary key.
// Against s3rver started here on 127.0.0.1 (same machine, same disk, same 2 cores: a lower bound
// for a real store), or the store S3_TEST_URL names (s3://bucket/prefix, with S3_ENDPOINT etc.).
// Prints MiB/s and the RSS growth of each; deletes what it wrote.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import S3rver from "s3rver";
import { CopyObjectCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  LocalEvidenceStore,
  type EvidenceStore,
} from "../../app/features/certification/adapters/evidence-store.server";
import {
  createS3Client,
  PART_BYTES,
  S3EvidenceStore,
} from "../../app/features/certification/adapters/s3-evidence-store.server";

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_STORE_MIB ?? 256) * MiB;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-store-bench-"));

/** The body as a client sends it: 1 MiB chunks of text, different each run (so nothing is deduplicated). */
function body(): Readable {
  const seed = crypto.randomBytes(8).toString("hex");
  const block = Buffer.alloc(MiB, 0x20);
  return Readable.from(
    (function* () {
      for (let at = 0; at < SIZE; at += MiB) {
        block.write(`${seed} ${String(at).padStart(12, "0")}\n`, 0);
        yield Buffer.from(block.subarray(0, Math.min(MiB, SIZE - at)));
      }
    })(),
  );
}

async function measure(name: string, run: () => Promise<void>) {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  await run();
  const s = (performance.now() - t0) / 1000;
  clearInterval(timer);
  console.log(
    `${name.padEnd(10)} ${(SIZE / MiB / s).toFixed(0).padStart(5)} MiB/s  (${s.toFixed(2)} s, RSS +${((peak - rss0) / MiB).toFixed(0)} MiB)`,
  );
}

async function receiveAndCommit(store: EvidenceStore) {
  const received = await store.receive(body(), SIZE + 1);
  await store.commit(received);
  await store.remove(received.sha256);
}

let server: S3rver | undefined;
let target: { bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean };
if (process.env.S3_TEST_URL) {
  const u = new URL(process.env.S3_TEST_URL);
  target = {
    bucket: u.hostname,
    prefix: `${u.pathname.replace(/^\/+|\/+$/g, "")}/bench-${crypto.randomUUID()}`,
    endpoint: process.env.S3_ENDPOINT,
    region: process.env.S3_REGION ?? "us-east-1",
    forcePathStyle: ["1", "true", "yes"].includes(process.env.S3_FORCE_PATH_STYLE ?? ""),
  };
} else {
  server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: path.join(work, "s3rver"),
    configureBuckets: [{ name: "evidence", configs: [] }],
  });
  const { port } = (await server.run()) as { port: number };
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  target = {
    bucket: "evidence",
    prefix: "bench",
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
  };
}

const local = new LocalEvidenceStore(path.join(work, "data"));
const client = createS3Client(target);
const s3 = new S3EvidenceStore(client, target, local);
console.log(
  `${SIZE / MiB} MiB, ${server ? "s3rver on 127.0.0.1 (same machine)" : `${target.endpoint ?? "AWS"} ${target.bucket}`}`,
);
try {
  await measure("file", () => receiveAndCommit(local));
  await measure("s3", () => receiveAndCommit(s3));
  await measure("s3-direct", async () => {
    const hash = crypto.createHash("sha256");
    const tap = new Transform({
      highWaterMark: MiB,
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const tmpKey = `${target.prefix}/tmp/${crypto.randomUUID()}`;
    const upload = new Upload({
      client,
      params: { Bucket: target.bucket, Key: tmpKey, Body: body().pipe(tap) },
      partSize: PART_BYTES,
      queueSize: 4,
    });
    await upload.done();
    const key = s3.keyOf(hash.digest("hex"));
    // One CopyObject copies at most 5 GiB; larger files need UploadPartCopy per part.
    await client.send(
      new CopyObjectCommand({ Bucket: target.bucket, Key: key, CopySource: `${target.bucket}/${tmpKey}` }),
    );
    await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: tmpKey }));
    await client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }));
  });
} finally {
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
}
