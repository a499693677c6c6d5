/**
 * Evidence storage. Files are streamed to a temporary file while their SHA-256 is computed (never
 * held whole in memory), then moved to a content-addressed path: the same bytes are stored once.
 * The local-disk store keeps them under <DATA_DIR>/evidence/<aa>/<bb>/<sha256>, outside the web
 * root; the S3 store (s3-evidence-store.server.ts, EVIDENCE_STORE=s3://bucket/prefix) receives
 * into the same temporary files and then uploads them (decision 027).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { earlyWritebackFs, mkdirDurable, syncDir, syncFile } from "../../../platform/durable-fs.server";
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

/**
 * Bytes one upload may still add, shared by all its files (an organisation's evidence quota).
 * Every received byte is counted off; past zero the stream fails with `exceeded()` and the
 * temporary file is removed.
 */
export interface ByteBudget {
  left: number;
  exceeded(): Error;
}

/** Bytes `start` to `end` of a file, both inclusive (HTTP Range semantics). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface EvidenceStore {
  /** Streams `source` to a temporary file, hashing it; rejects with FileTooLargeError past the limit (nothing kept). */
  receive(source: Readable, limitBytes: number, budget?: ByteBudget): Promise<ReceivedFile>;
  /** Moves a received file to its content address; `created` is false when those bytes were already stored. */
  commit(file: ReceivedFile): Promise<{ created: boolean }>;
  discard(file: ReceivedFile): Promise<void>;
  exists(sha256: string): Promise<boolean>;
  /** The stored bytes, or only `range` of them (inclusive offsets, as in an HTTP Range). */
  open(sha256: string, range?: ByteRange): Promise<Readable>;
  /** Removes a stored file (only to undo a commit whose database write failed). */
  remove(sha256: string): Promise<void>;
}

class HashingLimiter extends Transform {
  readonly hash = crypto.createHash("sha256");
  size = 0;
  private headChunks: Buffer[] = [];
  private headSize = 0;

  constructor(
    private readonly limit: number,
    private readonly budget?: ByteBudget,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.size += chunk.length;
    if (this.size > this.limit) return done(new FileTooLargeError(this.limit));
    if (this.budget) {
      this.budget.left -= chunk.length;
      if (this.budget.left < 0) return done(this.budget.exceeded());
    }
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

  /**
   * The temporary files this process's requests hold, with when they started: from the first byte
   * received until the file is committed or discarded. The temporary-file sweep never touches them
   * (for at most a day: a path some code path forgot to commit or discard is not held for ever).
   */
  private readonly live = new Map<string, number>();

  async receive(source: Readable, limitBytes: number, budget?: ByteBudget): Promise<ReceivedFile> {
    fs.mkdirSync(this.tmp, { recursive: true });
    const tempPath = path.join(this.tmp, `${Date.now()}-${crypto.randomBytes(8).toString("hex")}.part`);
    const limiter = new HashingLimiter(limitBytes, budget);
    this.live.set(tempPath, Date.now());
    try {
      await pipeline(
        source,
        limiter,
        fs.createWriteStream(tempPath, {
          flags: "wx",
          mode: 0o600,
          highWaterMark: 1024 * 1024,
          fs: earlyWritebackFs(), // a large file mostly on the disk by its last byte: commit() has little left to sync
        }),
      );
    } catch (error) {
      this.live.delete(tempPath);
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
    try {
      // On the disk before the database row that names it commits: the bytes, then the name.
      await syncFile(file.tempPath);
      await mkdirDurable(path.dirname(target), this.root);
      await fs.promises.rename(file.tempPath, target);
    } finally {
      this.live.delete(file.tempPath);
    }
    await fs.promises.chmod(target, 0o400);
    await syncDir(path.dirname(target));
    return { created: true };
  }

  async discard(file: ReceivedFile): Promise<void> {
    this.live.delete(file.tempPath);
    await fs.promises.rm(file.tempPath, { force: true });
  }

  /** Whether a request of this process holds this temporary file. */
  holds(tempPath: string): boolean {
    const since = this.live.get(tempPath);
    return since !== undefined && Date.now() - since < 86_400_000;
  }

  /**
   * Removes the temporary uploads (`*.part`) that no request owns: none of this process's
   * requests holds them, and `isAbandoned(lastWriteMs)` says nothing has written to them for
   * long enough that no request of another process sharing the data directory can either.
   * Returns the names removed.
   */
  sweepTemporary(isAbandoned: (lastWriteMs: number) => boolean): string[] {
    for (const p of [...this.live.keys()]) if (!this.holds(p)) this.live.delete(p);
    let names: string[];
    try {
      names = fs.readdirSync(this.tmp);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of names) {
      if (!name.endsWith(".part")) continue;
      const file = path.join(this.tmp, name);
      if (this.holds(file)) continue;
      try {
        const st = fs.statSync(file);
        if (!st.isFile() || !isAbandoned(st.mtimeMs)) continue;
        fs.rmSync(file, { force: true });
        removed.push(name);
      } catch {
        // gone meanwhile (its request committed or discarded it)
      }
    }
    return removed;
  }

  /** Every stored file's SHA-256 with its last-modified time (walks the two-level fan-out). */
  *storedFiles(): Generator<{ sha256: string; mtimeMs: number }> {
    const dirs = (p: string) => {
      try {
        return fs.readdirSync(p).filter((n) => /^[0-9a-f]{2}$/.test(n));
      } catch {
        return [];
      }
    };
    for (const a of dirs(this.root)) {
      for (const b of dirs(path.join(this.root, a))) {
        const dir = path.join(this.root, a, b);
        let names: string[];
        try {
          names = fs.readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(a + b)) continue;
          try {
            yield { sha256: name, mtimeMs: fs.statSync(path.join(dir, name)).mtimeMs };
          } catch {
            // removed meanwhile
          }
        }
      }
    }
  }

  /** Removes a stored file now (synchronously: the collector does it inside its database transaction). */
  removeSync(sha256: string): void {
    fs.rmSync(this.pathOf(sha256), { force: true });
  }

  async exists(sha256: string): Promise<boolean> {
    return fs.existsSync(this.pathOf(sha256));
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    return fs.createReadStream(this.pathOf(sha256), { highWaterMark: 1024 * 1024, ...range });
  }

  async remove(sha256: string): Promise<void> {
    await fs.promises.rm(this.pathOf(sha256), { force: true });
  }
}

/** The same store, with every file of one upload counted off a shared byte budget. */
export function withBudget(inner: EvidenceStore, budget: ByteBudget): EvidenceStore {
  return {
    receive: (source, limitBytes) => inner.receive(source, limitBytes, budget),
    commit: (file) => inner.commit(file),
    discard: (file) => inner.discard(file),
    exists: (sha256) => inner.exists(sha256),
    open: (sha256, range) => inner.open(sha256, range),
    remove: (sha256) => inner.remove(sha256),
  };
}

let store: { dataDir: string; value: LocalEvidenceStore } | undefined;

export function evidenceStore(dataDir: string): LocalEvidenceStore {
  if (!store || store.dataDir !== dataDir) store = { dataDir, value: new LocalEvidenceStore(dataDir) };
  return store.value;
}
