/**
 * The resumable uploads' data store (decision 032): @tus/file-store's files under
 * DATA_DIR/tmp/tus (outside the web root), each PATCH only appending. The SHA-256 is computed as
 * the bytes are written, exactly over what reached the disk, and off the event loop: once a write
 * has returned, a hashing thread (one per process) reads those bytes back from the page cache into
 * the upload's running hash. Node's Hash cannot be serialised, so the running hash lives in that
 * thread's memory, keyed by upload, with the offset it covers kept here. A PATCH at another offset
 * (another process took part, or this one restarted) drops it, and the finished file is then
 * hashed again in a worker thread, never on the request's thread.
 */
import fs from "node:fs";
import path from "node:path";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";
import { FileStore } from "@tus/file-store";
import { ERRORS } from "@tus/server";
import { EarlyWriteback } from "../../../platform/durable-fs.server";
import { SNIFF_BYTES } from "../domain/evidence-type";

const MiB = 1024 * 1024;

/**
 * A body longer than the bytes the upload still takes (a chunked PATCH without Content-Length): tus's
 * 413 for a body past the upload's own length (ERR_SIZE_EXCEEDED), not the one for the size limit.
 */
class BodyTooLong extends Error {
  readonly status_code = ERRORS.ERR_SIZE_EXCEEDED.status_code;
  readonly body = ERRORS.ERR_SIZE_EXCEEDED.body;
}

/**
 * Appends to an open file at `position`, telling `onWritten` how far the disk has taken the bytes.
 * What arrives while a write is in flight is written next in one `writev` (no copy into a larger
 * buffer), so a fast body goes to the disk in writes of up to the high-water mark.
 */
class HashingAppender extends Writable {
  private fd: number | undefined;
  private accepted = 0;

  constructor(
    private readonly file: string,
    private position: number,
    private readonly onWritten: (position: number) => void,
    /** The most bytes this appender takes; more is an error (nothing past it is written). */
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    super({ highWaterMark: 8 * MiB });
  }

  override _construct(done: (error?: Error | null) => void) {
    fs.open(this.file, "r+", (error, fd) => {
      this.fd = fd;
      done(error);
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void) {
    this.writeAll([chunk], done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void) {
    this.writeAll(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  private writeAll(bufs: Buffer[], done: (error?: Error | null) => void) {
    let length = 0;
    for (const b of bufs) length += b.length;
    if (this.accepted + length > this.limit) return done(new BodyTooLong(ERRORS.ERR_SIZE_EXCEEDED.body));
    this.accepted += length;
    this.writeOut(bufs, length, done);
  }

  private writeOut(bufs: Buffer[], length: number, done: (error?: Error | null) => void) {
    this.writing = true;
    const written = (error: NodeJS.ErrnoException | null, n: number) => {
      this.writing = false;
      let rest: Buffer[] = [];
      if (!error) {
        // Keep what the disk did not take (a short write) for the next write.
        let left = n;
        for (let i = 0; i < bufs.length; i++) {
          const b = bufs[i];
          if (left >= b.length) left -= b.length;
          else {
            rest = [b.subarray(left), ...bufs.slice(i + 1)];
            break;
          }
        }
        this.position += n;
        this.onWritten(this.position);
      }
      const close = this.closeAfterWrite;
      if (!error && !close) this.writeback.wrote(this.fd!, n);
      if (close) return close(); // destroyed meanwhile (a cut connection): no more writes
      if (error) return done(error);
      if (rest.length) return this.writeOut(rest, length - n, done);
      done();
    };
    if (bufs.length === 1) fs.write(this.fd!, bufs[0], 0, bufs[0].length, this.position, written);
    else fs.writev(this.fd!, bufs, this.position, written);
  }

  /** Set by _destroy while a write is in flight: the descriptor is closed only once the write has returned. */
  private closeAfterWrite: (() => void) | undefined;
  private writing = false;
  /** The bytes flushed to the disk while the rest arrive, so that the commit's sync has little left to write. */
  private readonly writeback = new EarlyWriteback();

  override _final(done: (error?: Error | null) => void) {
    // Closed before 'finish', so that whoever waits for it may rename or remove the file at once.
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return done();
    void this.writeback.settled().then(() => fs.close(fd, (error) => done(error)));
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void) {
    if (this.fd === undefined) return done(error);
    const fd = this.fd;
    const close = () => void this.writeback.settled().then(() => fs.close(fd, () => done(error)));
    if (this.writing) this.closeAfterWrite = close;
    else close();
  }
}

/** The SHA-256 of a file, read and hashed in a worker thread (the event loop stays free). */
export function sha256InWorker(file: string): Promise<string> {
  const code = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const hash = require("node:crypto").createHash("sha256");
fs.createReadStream(workerData.file, { highWaterMark: 1 << 20 })
  .on("data", (chunk) => hash.update(chunk))
  .on("error", (error) => { throw error; })
  .on("end", () => parentPort.postMessage(hash.digest("hex")));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { file } });
    worker.once("message", (sha: string) => resolve(sha));
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`the hashing worker exited with ${code}`)));
  });
}

/**
 * The running hashes of this process's uploads in progress, in one worker thread: `update` tells
 * it a range of an upload's file the disk has taken, which it reads back (from the page cache)
 * into that upload's hash, in the order told; `digest` answers the hash of everything told so far.
 * Reading back costs a copy from memory; hashing on the event loop cost every other request the
 * time to hash the upload (0.6 s a GiB here) and the upload a fifth of its speed.
 */
class HashingThread {
  private worker: Worker | undefined;
  private readonly answers = new Map<number, (sha256: string | null) => void>();
  private asked = 0;

  private post(message: object): void {
    if (!this.worker) {
      const worker = new Worker(HASHING_THREAD, { eval: true });
      worker.unref(); // never what keeps the process alive
      worker.on("message", (m: { ask: number; sha256: string | null }) => {
        this.answers.get(m.ask)?.(m.sha256);
        this.answers.delete(m.ask);
        if (!this.answers.size) worker.unref();
      });
      const lost = () => {
        // Its hashes are lost: each upload it held is hashed again from its file when finished.
        if (this.worker === worker) this.worker = undefined;
        for (const answer of this.answers.values()) answer(null);
        this.answers.clear();
      };
      worker.on("error", (error) => {
        console.error("[upload] the hashing thread failed; uploads in progress will be hashed again:", error);
        lost();
      });
      worker.on("exit", lost);
      this.worker = worker;
    }
    this.worker.postMessage(message);
  }

  start(id: string): void {
    this.post({ op: "start", id });
  }

  update(id: string, file: string, from: number, to: number): void {
    if (to > from) this.post({ op: "update", id, file, from, to });
  }

  /** The hash of every byte told; null when the thread lost it (it failed, or a read did). */
  digest(id: string): Promise<string | null> {
    const ask = ++this.asked;
    return new Promise((resolve) => {
      this.answers.set(ask, resolve);
      this.post({ op: "digest", id, ask });
      this.worker?.ref(); // an answer is awaited
    });
  }

  drop(id?: string): void {
    if (this.worker) this.post({ op: "drop", id });
  }
}

const HASHING_THREAD = `
const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const crypto = require("node:crypto");
const hashes = new Map(); // upload id -> { hash, failed }
const buf = Buffer.allocUnsafe(1 << 20);
function update(state, file, from, to) {
  const fd = fs.openSync(file, "r");
  try {
    for (let pos = from; pos < to; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n === 0) throw new Error("the file is shorter than what was written to it");
      state.hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on("message", (m) => {
  if (m.op === "start") hashes.set(m.id, { hash: crypto.createHash("sha256"), failed: false });
  else if (m.op === "update") {
    const state = hashes.get(m.id);
    if (!state || state.failed) return;
    try {
      update(state, m.file, m.from, m.to);
    } catch {
      state.failed = true; // answered as lost: the finished file is hashed again
    }
  } else if (m.op === "digest") {
    const state = hashes.get(m.id);
    hashes.delete(m.id);
    parentPort.postMessage({ ask: m.ask, sha256: state && !state.failed ? state.hash.digest("hex") : null });
  } else if (m.op === "drop") {
    if (m.id === undefined) hashes.clear();
    else hashes.delete(m.id);
  }
});`;

interface RunningHash {
  /** The bytes this process wrote in order from the start: the file's length when it wrote all of it. */
  offset: number;
  /** How many of them the hashing thread was told of (told in steps of HASH_STEP, the rest on completion). */
  told: number;
}

/** The hashing thread is told of written bytes in ranges of at least this much: one message per step, not per write. */
const HASH_STEP = 4 * MiB;

export class EvidenceTusStore extends FileStore {
  private readonly running = new Map<string, RunningHash>();
  private readonly hashing = new HashingThread();
  /** How many finished uploads had to be hashed again in a worker (for the tests and the benchmark). */
  rehashed = 0;

  constructor(
    readonly dir: string,
    expiresAfterMs: number,
  ) {
    // Made now, not by FileStore's asynchronous mkdir: the first sweep lists it at once.
    fs.mkdirSync(dir, { recursive: true });
    super({ directory: dir, expirationPeriodInMilliseconds: expiresAfterMs });
    // What OPTIONS advertises (Tus-Extension), and what @tus/server lets through: the length is
    // always declared on creation (no creation-defer-length), and the bytes always come by PATCH
    // (no creation-with-upload: the endpoint refuses a POST with a body).
    this.extensions = ["creation", "termination", "expiration"];
  }

  /**
   * Every upload with its metadata file: its declared size, its metadata and when it was created
   * (ms; NaN when unknown). An upload removed while this runs is left out.
   */
  async uploads(): Promise<
    { id: string; size: number | undefined; metadata: Record<string, unknown>; createdMs: number }[]
  > {
    const ids = await this.configstore.list!();
    const out = [];
    for (const id of ids) {
      if (!/^[0-9a-f]{32}$/.test(id)) continue;
      const info = await this.configstore.get(id);
      if (!info) continue;
      out.push({
        id,
        size: info.size,
        metadata: (info.metadata ?? {}) as Record<string, unknown>,
        createdMs: info.creation_date ? new Date(info.creation_date).getTime() : Number.NaN,
      });
    }
    return out;
  }

  /** The file of an upload (ids are the server's own: 32 hex digits). */
  pathOf(id: string): string {
    if (!/^[0-9a-f]{32}$/.test(id)) throw ERRORS.FILE_NOT_FOUND;
    return path.join(this.dir, id);
  }

  /** The running hash to continue from `offset`: kept when this process wrote every byte before it, else dropped. */
  private hashFrom(id: string, offset: number): RunningHash | undefined {
    let state = this.running.get(id);
    if (!state || state.offset !== offset) {
      state = offset === 0 ? { offset: 0, told: 0 } : undefined;
      if (state) {
        this.running.set(id, state);
        this.hashing.start(id);
      } else {
        this.running.delete(id); // hashed again from the file when it is complete
        this.hashing.drop(id);
      }
    }
    return state;
  }

  private appender(id: string, offset: number, limit?: number): { sink: HashingAppender; position: () => number } {
    const s = this.hashFrom(id, offset);
    const file = this.pathOf(id);
    let position = offset;
    const sink = new HashingAppender(
      file,
      offset,
      (p) => {
        position = p;
        if (s) {
          s.offset = p;
          if (p - s.told >= HASH_STEP) {
            this.hashing.update(id, file, s.told, p); // bytes the disk has taken, hashed in order off the event loop
            s.told = p;
          }
        }
      },
      limit,
    );
    return { sink, position: () => position };
  }

  /** @tus/server's path (a creation with its first bytes): a stream it made of the request. */
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const { sink, position } = this.appender(id, offset);
    try {
      await pipeline(readable, sink);
    } catch {
      // A cut connection: what reached the disk stays (the client resumes from HEAD's offset).
      throw ERRORS.FILE_WRITE_ERROR;
    }
    return position();
  }

  /**
   * A PATCH body, read straight from the node request (no web stream in between) and appended at
   * `offset`: at most `limit` bytes (more is tus's 413, nothing past the limit written). A body cut
   * short (the client went away) keeps every byte received: they are written, then this resolves
   * with `cut`. The request itself is never destroyed here, so an answer can still reach the client.
   */
  append(
    body: Readable & { complete?: boolean },
    id: string,
    offset: number,
    limit: number,
    lost?: AbortSignal,
  ): Promise<{ offset: number; cut: boolean }> {
    const { sink, position } = this.appender(id, offset, limit);
    return new Promise((resolve, reject) => {
      let cut = false;
      const stop = () => {
        if (sink.writableEnded || sink.destroyed) return;
        body.unpipe(sink);
        sink.end(); // writes what it was given, then 'finish'
      };
      const onClose = () => {
        if (body.complete === false || !body.readableEnded) {
          cut = true;
          stop();
        }
      };
      const onLost = () => {
        body.unpipe(sink);
        sink.destroy(Object.assign(new Error("the upload's lock was lost"), { status_code: 423 }));
      };
      const done = () => {
        body.off("close", onClose);
        body.off("error", onClose);
        lost?.removeEventListener("abort", onLost);
      };
      sink.once("finish", () => {
        done();
        resolve({ offset: position(), cut });
      });
      sink.once("error", (error) => {
        done();
        body.unpipe(sink);
        reject(error);
      });
      if (body.destroyed) {
        // Gone before its first byte was read (the client left while the upload was looked up).
        cut = true;
        sink.end();
        return;
      }
      body.on("close", onClose);
      body.on("error", onClose);
      lost?.addEventListener("abort", onLost, { once: true });
      body.pipe(sink);
    });
  }

  /** The SHA-256 of a complete upload: the running hash when it covers the whole file, else a worker's. */
  async finish(id: string, size: number): Promise<{ sha256: string; head: Buffer; file: string }> {
    const file = this.pathOf(id);
    const state = this.running.get(id);
    this.running.delete(id);
    const st = await fs.promises.stat(file);
    if (st.size !== size) throw new Error(`upload ${id} is ${st.size} bytes, not ${size}`);
    if (state && state.offset === size) this.hashing.update(id, file, state.told, size); // the last bytes
    let sha256 = state && state.offset === size ? await this.hashing.digest(id) : null;
    if (state && !sha256) this.hashing.drop(id);
    if (!sha256) {
      this.rehashed++;
      sha256 = await sha256InWorker(file);
    }
    const fh = await fs.promises.open(file, "r");
    try {
      const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      await fh.read(head, 0, head.length, 0);
      return { sha256, head, file };
    } finally {
      await fh.close();
    }
  }

  /** Forgets an upload's running hash (its file was removed, or this process is treated as restarted). */
  forget(id?: string): void {
    if (id === undefined) this.running.clear();
    else this.running.delete(id);
    this.hashing.drop(id);
  }

  /** Drops the running hashes of uploads whose files are gone (expired and swept). */
  prune(): void {
    for (const id of [...this.running.keys()])
      if (!fs.existsSync(this.pathOf(id))) {
        this.running.delete(id);
        this.hashing.drop(id);
      }
  }

  /**
   * Removes an upload: its file (unless it was committed to the evidence store or discarded
   * already) and its metadata. Removing one already gone is not an error.
   */
  async release(id: string): Promise<void> {
    if (this.running.delete(id)) this.hashing.drop(id);
    await fs.promises.rm(this.pathOf(id), { force: true });
    await this.configstore.delete(id).catch((error: NodeJS.ErrnoException) => {
      if (error?.code !== "ENOENT") throw error;
    });
  }
}
