// The S3 evidence store when the bucket cannot be reached: a refused connection, or a server that
// accepts and never answers. Each is a 503 ServiceError that says so (never the SDK's error, a
// 500), within the client's timeouts (never a request that hangs); the staged file is discarded.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LocalEvidenceStore } from "../../../app/features/certification/adapters/evidence-store.server";
import {
  createS3Client,
  S3EvidenceStore,
  STORE_UNAVAILABLE_READ,
  STORE_UNAVAILABLE_WRITE,
} from "../../../app/features/certification/adapters/s3-evidence-store.server";
import { ServiceError } from "../../../app/platform/errors.server";

const dataDir = process.env.DATA_DIR!; // the test's own (tests/setup/unit-env.ts)
process.env.AWS_ACCESS_KEY_ID = "test";
process.env.AWS_SECRET_ACCESS_KEY = "test";

let closedPort: number;
let silent: net.Server; // accepts connections, never answers
const held: net.Socket[] = [];

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const s = net.createServer();
  closedPort = await listen(s);
  await new Promise((closed) => s.close(closed));
  silent = net.createServer((socket) => {
    held.push(socket);
    socket.on("error", () => {});
  });
  await listen(silent);
  vi.spyOn(console, "error").mockImplementation(() => {}); // the store logs the SDK's error
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((closed) => silent.close(closed));
  vi.restoreAllMocks();
});

function storeAt(endpoint: string, timeouts?: { connectionMs: number; requestMs: number }) {
  const client = createS3Client({ endpoint, region: "us-east-1", forcePathStyle: true }, timeouts);
  return new S3EvidenceStore(client, { bucket: "evidence", prefix: "p" }, new LocalEvidenceStore(dataDir));
}

async function refusal(attempt: Promise<unknown>): Promise<ServiceError> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

const SHA = "a".repeat(64);

describe("the S3 evidence store, unreachable", () => {
  it("a refused connection: commit, exists and open answer 503 with a message; the staged file is gone", async () => {
    const store = storeAt(`http://127.0.0.1:${closedPort}`);
    const received = await store.receive(Readable.from([Buffer.from("evidence\n")]), 1024);
    expect(fs.existsSync(received.tempPath)).toBe(true);
    const commit = await refusal(store.commit(received));
    expect(commit.status).toBe(503);
    expect(commit.message).toBe(STORE_UNAVAILABLE_WRITE);
    expect(commit.message).toBe("The evidence store cannot be reached; nothing was kept. Try again in a few minutes.");
    expect(fs.existsSync(received.tempPath)).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, "tmp", "uploads"))).toEqual([]);
    // One at a time: a second promise made before the first settles would reject unawaited.
    for (const attempt of [() => store.exists(SHA), () => store.open(SHA)]) {
      const e = await refusal(attempt());
      expect(e.status).toBe(503);
      expect(e.message).toBe(STORE_UNAVAILABLE_READ);
    }
  }, 30_000);

  it("a store that accepts the connection and never answers: 503 within the request timeout, not never", async () => {
    const port = (silent.address() as net.AddressInfo).port;
    const store = storeAt(`http://127.0.0.1:${port}`, { connectionMs: 1000, requestMs: 300 });
    const started = Date.now();
    const e = await refusal(store.exists(SHA));
    expect(e.status).toBe(503);
    // 5 attempts of 300 ms and the SDK's pauses between them.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(held.length).toBeGreaterThan(0);
  }, 30_000);
});
