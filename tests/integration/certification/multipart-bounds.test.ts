import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { getEnv } from "../../../app/platform/env.server";
import { receiveMultipart, UploadError } from "../../../app/features/certification/adapters/multipart.server";
import { store } from "../../../app/features/certification/evidence.server";

const KiB = 1024;
const MiB = 1024 * KiB;
const TYPE = "multipart/form-data; boundary=b";

/** A multipart body: `head` first, then `filler` repeated without end; `pulled()` says how much was read. */
function body(head: string, filler: Buffer = Buffer.alloc(64 * KiB, 0x61)) {
  let pulled = 0;
  const stream = new Readable({
    read() {
      // One chunk a turn of the event loop, like a socket (and so that a test's timeout can fire).
      setImmediate(() => {
        if (pulled === 0) this.push(Buffer.from(head));
        pulled += filler.length;
        this.push(filler);
      });
    },
  });
  return { stream, pulled: () => pulled };
}

const files = () => {
  const dir = path.join(getEnv().dataDir, "evidence");
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).length : 0;
};

describe("issue 13.1: an anonymous request can fill the server's memory (evidence uploads: total, fields and parts bounded)", () => {
  const opts = () => ({ store: store(), maxFileBytes: MiB, maxFiles: 2 });

  it("stops at the whole upload's limit, even when the bytes are outside any part", async () => {
    // One small file, its closing boundary, then an endless epilogue (ignored by the parser, never ending).
    const before = files();
    const b = body(
      `--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n`,
    );
    const error = await receiveMultipart({ headers: { "content-type": TYPE }, body: b.stream }, opts()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UploadError);
    expect(error).toMatchObject({ status: 413, message: "The upload is larger than the limit of 10 MiB." });
    expect(b.pulled()).toBeLessThan(11 * MiB);
    expect(files()).toBe(before); // what was received is discarded
  });

  it("refuses a field longer than 64 KiB instead of cutting it silently; an endless one at the upload's limit", async () => {
    const long = `--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n${"x".repeat(100 * KiB)}\r\n--b--\r\n`;
    const error = await receiveMultipart(
      { headers: { "content-type": TYPE }, body: Readable.from([Buffer.from(long)]) },
      opts(),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 413, message: 'The field "note" is longer than 64 KiB.' });
    const b = body(`--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n`);
    const endless = await receiveMultipart({ headers: { "content-type": TYPE }, body: b.stream }, opts()).catch(
      (e: unknown) => e,
    );
    expect(endless).toMatchObject({ status: 413, message: "The upload is larger than the limit of 10 MiB." });
    expect(b.pulled()).toBeLessThan(11 * MiB);
  });

  it("refuses more than 50 fields instead of dropping the rest silently", async () => {
    const fields = Array.from(
      { length: 51 },
      (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`,
    ).join("");
    const error = await receiveMultipart(
      { headers: { "content-type": TYPE }, body: Readable.from([Buffer.from(`${fields}--b--\r\n`)]) },
      opts(),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 413, message: "The upload has more than 50 fields." });
  });

  it("stops reading on a refusal without destroying the request (so that the answer can still be sent)", async () => {
    const b = body(
      `--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
    );
    const error = await receiveMultipart({ headers: { "content-type": TYPE }, body: b.stream }, opts()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 413, message: "big.txt is larger than the limit of 1 MiB." });
    expect(b.stream.destroyed).toBe(false);
    expect(b.stream.isPaused()).toBe(true);
  });
});
