/**
 * Evidence storage. Files are streamed to a temporary file while their SHA-256 is computed (never
 * held whole in memory), then moved to a content-addressed path: the same bytes are stored once.
 * The local-disk store keeps them under <DATA_DIR>/evidence/<aa>/<bb>/<sha256>, outside the web
 * root; an S3-compatible store can implement the same interface.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SNIFF_BYTES } from "../domain/evidence-type";

export interface ReceivedFile {
  tempPath: string;
  sha256: string;
  size: number;
  head: Buffer; // the first SNIFF_BYTES bytes, for type sniffing
}

export class FileTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`larger than ${limitBytes} bytes`);
  }
}

export interface EvidenceStore {
  /** Streams `source` to a temporary file, hashing it; rejects with FileTooLargeError past the limit (nothing kept). */
  receive(source: Readable, limitBytes: number): Promise<ReceivedFile>;
  /** Moves a received file to its content address; `created` is false when those bytes were already stored. */
  commit(file: ReceivedFile): Promise<{ created: boolean }>;
  discard(file: ReceivedFile): Promise<void>;
  exists(sha256: string): boolean;
  open(sha256: string): Readable;
  /** Removes a stored file (only to undo a commit whose database write failed). */
  remove(sha256: string): Promise<void>;
}

class HashingLimiter extends Transform {
  readonly hash = crypto.createHash("sha256");
  size = 0;
  private headChunks: Buffer[] = [];
  private headSize = 0;

  constructor(private readonly limit: number) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.size += chunk.length;
    if (this.size > this.limit) return done(new FileTooLargeError(this.limit));
    this.hash.update(chunk);
    if (this.headSize < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headSize);
      this.headChunks.push(Buffer.from(part));
      this.headSize += part.length;
    }
    done(null, chunk);
  }

  get head(): Buffer {
    return Buffer.concat(this.headChunks);
  }
}

export class LocalEvidenceStore implements EvidenceStore {
  readonly root: string;
  readonly tmp: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, "evidence");
    this.tmp = path.join(dataDir, "tmp", "uploads");
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("not a SHA-256");
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async receive(source: Readable, limitBytes: number): Promise<ReceivedFile> {
    fs.mkdirSync(this.tmp, { recursive: true });
    const tempPath = path.join(this.tmp, `${Date.now()}-${crypto.randomBytes(8).toString("hex")}.part`);
    const limiter = new HashingLimiter(limitBytes);
    try {
      await pipeline(source, limiter, fs.createWriteStream(tempPath, { flags: "wx", mode: 0o600, highWaterMark: 1024 * 1024 }));
    } catch (error) {
      await fs.promises.rm(tempPath, { force: true });
      throw error;
    }
    return { tempPath, sha256: limiter.hash.digest("hex"), size: limiter.size, head: limiter.head };
  }

  async commit(file: ReceivedFile): Promise<{ created: boolean }> {
    const target = this.pathOf(file.sha256);
    if (fs.existsSync(target)) {
      await this.discard(file);
      return { created: false };
    }
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(file.tempPath, target);
    await fs.promises.chmod(target, 0o400);
    return { created: true };
  }

  async discard(file: ReceivedFile): Promise<void> {
    await fs.promises.rm(file.tempPath, { force: true });
  }

  exists(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256));
  }

  open(sha256: string): Readable {
    return fs.createReadStream(this.pathOf(sha256), { highWaterMark: 1024 * 1024 });
  }

  async remove(sha256: string): Promise<void> {
    await fs.promises.rm(this.pathOf(sha256), { force: true });
  }
}

let store: { dataDir: string; value: LocalEvidenceStore } | undefined;

export function evidenceStore(dataDir: string): LocalEvidenceStore {
  if (!store || store.dataDir !== dataDir) store = { dataDir, value: new LocalEvidenceStore(dataDir) };
  return store.value;
}
