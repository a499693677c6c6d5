/**
 * Files that must survive a power cut once the portal has acted on them: evidence whose database
 * row is about to commit, signing keys that are about to sign. A write() only reaches the page
 * cache, and a rename() only the directory in memory; both are on the disk after an fsync of the
 * file and then of the directory that names it. SQLite does the same for the database itself.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The file sync in flight in this process, if any: the next waits for it (see syncFile). */
let fileSyncs: Promise<unknown> = Promise.resolve();

/** Runs `sync` after every file sync queued before it; a failure is its caller's, the queue goes on. */
function queued(sync: () => Promise<void>): Promise<void> {
  const run = fileSyncs.then(sync);
  fileSyncs = run.catch(() => undefined);
  return run;
}

/**
 * Flushes a file's bytes and size to the disk. One at a time in a process: the fsync of a
 * multi-GB evidence file holds a libuv thread-pool thread (4 by default, shared with scrypt,
 * fs and zlib) for seconds, and several large uploads committing at once would take them all,
 * stalling logins and every file read behind them. Queued here, the others wait without holding
 * a thread; the disk writes them back one after another anyway.
 */
export function syncFile(file: string): Promise<void> {
  return queued(async () => {
    const handle = await fs.promises.open(file, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * Flushes the bytes of a file still open for writing (fdatasync), in syncFile's queue. The
 * caller keeps `fd` open until the returned promise settles.
 */
export function syncDescriptor(fd: number): Promise<void> {
  return queued(() => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve()))));
}

/**
 * Early write-back for a large file arriving in pieces: once every `every` bytes written, the
 * file's bytes so far are flushed (syncDescriptor) while the next ones arrive, instead of all of
 * them by the one sync before the file is committed. Linux leaves a gigabyte of dirty pages in
 * memory (write-back starts at a tenth of the RAM, or after 30 s), so that last sync had to write
 * the whole file while the uploader waited; now it writes what came after the last flush. Only a
 * head start: the commit's syncFile is still what makes the file durable, so a failed early
 * flush is ignored here (that sync reports it). At most one in flight per file.
 */
export class EarlyWriteback {
  private pending = 0;
  private flushing: Promise<void> | undefined;

  constructor(private readonly every = 64 * 1024 * 1024) {}

  /** `n` more bytes were written to `fd`. */
  wrote(fd: number, n: number): void {
    this.pending += n;
    if (this.pending < this.every || this.flushing) return;
    this.pending = 0;
    this.flushing = syncDescriptor(fd)
      .catch(() => undefined)
      .finally(() => (this.flushing = undefined));
  }

  /** Resolves once no flush is in flight: call before closing the descriptor. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}

type Callback = (error: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;

/**
 * The `fs` option of fs.createWriteStream that gives the stream an EarlyWriteback: its writes
 * are counted, and its descriptor is closed only once no flush of it is in flight.
 */
export function earlyWritebackFs(writeback = new EarlyWriteback()) {
  const counted =
    (fd: number, cb: Callback) =>
    (error: NodeJS.ErrnoException | null, n: number, ...rest: unknown[]) => {
      if (!error) writeback.wrote(fd, n);
      cb(error, n, ...rest);
    };
  const call =
    (f: (...a: unknown[]) => void) =>
    (fd: number, ...args: unknown[]) => {
      const cb = args.pop() as Callback;
      f(fd, ...args, counted(fd, cb));
    };
  return {
    open: fs.open,
    write: call(fs.write as (...a: unknown[]) => void),
    writev: call(fs.writev as (...a: unknown[]) => void),
    close: (fd: number, cb: (error: NodeJS.ErrnoException | null) => void) =>
      void writeback.settled().then(() => fs.close(fd, cb)),
  };
}

/** Flushes a directory's entries (a file created, renamed or removed in it) to the disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    if (!dirSyncUnsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

export function syncDirSync(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (!dirSyncUnsupported(error)) throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/** Some file systems (and Windows) refuse an fsync of a directory; there is nothing more to do there. */
function dirSyncUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EINVAL" || code === "EISDIR" || code === "EPERM" || code === "EBADF";
}

/**
 * `mkdir -p` whose directories are on the disk: each directory from `dir` up to `top` (inclusive)
 * is synced into its parent. Always, not only those this call created: another process may have
 * just created one and not yet synced it. Returns the directory.
 */
export async function mkdirDurable(dir: string, top: string): Promise<string> {
  await fs.promises.mkdir(dir, { recursive: true });
  const end = path.resolve(top);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await syncDir(path.dirname(d));
    if (d === end || path.dirname(d) === d) break;
  }
  return dir;
}

/** A temporary file of writeFileDurableSync (".<name>.tmp-<pid>-<hex>"): never a file of its own, never backed up. */
export function isDurableTemp(name: string): boolean {
  return /^\..+\.tmp-\d+-[0-9a-f]{12}$/.test(name);
}

/**
 * Removes the temporary files of writeFileDurableSync that a killed process left in `dirs` (not
 * below them): those nothing has written to for `olderThanMs` (a write takes milliseconds, so an
 * older one belongs to no live writer). One may hold a whole private key (mode 0600): it would
 * otherwise stay beside the real one for ever, outside every rotation and listing. Returns the
 * paths removed; a directory that does not exist is skipped.
 */
export function sweepDurableTemps(dirs: string[], olderThanMs = 10 * 60_000, nowMs = Date.now()): string[] {
  const removed: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!isDurableTemp(name)) continue;
      const file = path.join(dir, name);
      try {
        const st = fs.lstatSync(file);
        if (!st.isFile() || nowMs - st.mtimeMs < olderThanMs) continue;
        fs.rmSync(file, { force: true });
        removed.push(file);
      } catch {
        // gone meanwhile
      }
    }
  }
  return removed;
}

/**
 * Writes a whole file so that after a crash it is there in full or not at all: a temporary file
 * beside it, synced, then put in place (renamed over it, or with `exclusive` linked in place, which
 * fails with EEXIST if the file already exists, as `flag: "wx"` would), then the directory synced.
 */
export function writeFileDurableSync(
  file: string,
  data: string | Uint8Array,
  opts: { mode?: number; exclusive?: boolean } = {},
): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}`);
  const fd = fs.openSync(temp, "wx", opts.mode ?? 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    if (opts.exclusive) {
      try {
        fs.linkSync(temp, file);
      } catch (error) {
        if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
        return writeExclusiveInPlace(file, data, opts.mode ?? 0o644); // a file system without hard links
      }
      fs.unlinkSync(temp);
    } else fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  syncDirSync(dir);
}

/** What link() answers on file systems that have no hard links (vfat, exFAT, SMB shares, some FUSE mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/** The fallback: created exclusively ("wx") and written in place, then synced with its directory (not atomic). */
function writeExclusiveInPlace(file: string, data: string | Uint8Array, mode: number): void {
  const fd = fs.openSync(file, "wx", mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncDirSync(path.dirname(file));
}
