import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  EarlyWriteback,
  earlyWritebackFs,
  isDurableTemp,
  mkdirDurable,
  sweepDurableTemps,
  syncFile,
  writeFileDurableSync,
} from "../../../app/platform/durable-fs.server";

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "durable-fs-")));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What each fsync was of, in order (Linux: the descriptor's path from /proc). */
function recordSyncs(): string[] {
  const synced: string[] = [];
  const real = fs.fsyncSync;
  vi.spyOn(fs, "fsyncSync").mockImplementation((fd: number) => {
    synced.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    real(fd);
  });
  return synced;
}

describe("writeFileDurableSync", () => {
  it.runIf(process.platform === "linux")(
    "syncs the bytes before they take the name, then the directory that names them",
    () => {
      const synced = recordSyncs();
      const file = path.join(dir, "key.pem");
      writeFileDurableSync(file, "secret\n", { mode: 0o600, exclusive: true });
      expect(synced).toHaveLength(2);
      expect(path.dirname(synced[0])).toBe(dir);
      expect(path.basename(synced[0])).toMatch(/^\.key\.pem\.tmp-/); // the temporary file, before it was linked
      expect(synced[1]).toBe(dir);
    },
  );

  it("writes the whole file with its mode and leaves nothing else beside it", () => {
    const file = path.join(dir, "meta.json");
    writeFileDurableSync(file, '{"a":1}\n', { mode: 0o640 });
    expect(fs.readFileSync(file, "utf8")).toBe('{"a":1}\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    writeFileDurableSync(file, '{"a":2}\n'); // replaced whole
    expect(fs.readFileSync(file, "utf8")).toBe('{"a":2}\n');
    expect(fs.readdirSync(dir)).toEqual(["meta.json"]);
  });

  it("names its temporary files so that listings can tell them apart", () => {
    const file = path.join(dir, "abc.private.pem");
    const names: string[] = [];
    const real = fs.openSync;
    vi.spyOn(fs, "openSync").mockImplementation(((p: fs.PathLike, ...rest: unknown[]) => {
      names.push(path.basename(String(p)));
      return (real as (...a: unknown[]) => number)(p, ...rest);
    }) as typeof fs.openSync);
    writeFileDurableSync(file, "k", { exclusive: true });
    expect(names.some(isDurableTemp)).toBe(true);
    expect(isDurableTemp("abc.private.pem")).toBe(false);
    expect(isDurableTemp(".abc.private.pem")).toBe(false);
  });

  it("with exclusive, on a file system without hard links, still writes the file once (created in place)", () => {
    const file = path.join(dir, "secret");
    vi.spyOn(fs, "linkSync").mockImplementation(() => {
      throw Object.assign(new Error("operation not permitted"), { code: "EPERM" });
    });
    writeFileDurableSync(file, "first\n", { mode: 0o600, exclusive: true });
    expect(fs.readFileSync(file, "utf8")).toBe("first\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(["secret"]);
    expect(() => writeFileDurableSync(file, "second\n", { exclusive: true })).toThrow(/EEXIST/);
    expect(fs.readFileSync(file, "utf8")).toBe("first\n");
  });

  it("with exclusive, refuses a file that exists (EEXIST), keeps it unchanged, and removes its temporary file", () => {
    const file = path.join(dir, "secret");
    fs.writeFileSync(file, "first\n");
    let code: string | undefined;
    try {
      writeFileDurableSync(file, "second\n", { exclusive: true });
    } catch (error) {
      code = (error as NodeJS.ErrnoException).code;
    }
    expect(code).toBe("EEXIST");
    expect(fs.readFileSync(file, "utf8")).toBe("first\n");
    expect(fs.readdirSync(dir)).toEqual(["secret"]);
  });
});

describe("mkdirDurable and syncFile", () => {
  it("makes nested directories and syncs a file that exists; a missing file is an error", async () => {
    const deep = path.join(dir, "ab", "cd");
    expect(await mkdirDurable(deep, dir)).toBe(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(await mkdirDurable(deep, dir)).toBe(deep); // already there: synced again all the same
    fs.writeFileSync(path.join(deep, "f"), "x");
    await expect(syncFile(path.join(deep, "f"))).resolves.toBeUndefined();
    await expect(syncFile(path.join(deep, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("syncFile, one at a time", () => {
  it("holds one thread-pool thread at most: the next file is opened only once the sync before it has ended, even a failed one", async () => {
    const opened: string[] = [];
    const releases: (() => void)[] = [];
    vi.spyOn(fs.promises, "open").mockImplementation((async (file: fs.PathLike) => {
      opened.push(String(file));
      return {
        sync: () =>
          new Promise<void>((resolve, reject) =>
            releases.push(String(file).endsWith("bad") ? () => reject(new Error("EIO")) : resolve),
          ),
        close: async () => undefined,
      };
    }) as unknown as typeof fs.promises.open);
    const settle = () => new Promise((r) => setTimeout(r, 5));

    const first = syncFile("/x/first");
    const bad = syncFile("/x/bad");
    const last = syncFile("/x/last");
    await settle();
    expect(opened).toEqual(["/x/first"]); // the two others wait without a descriptor or a thread
    releases[0]();
    await expect(first).resolves.toBeUndefined();
    await settle();
    expect(opened).toEqual(["/x/first", "/x/bad"]);
    releases[1]();
    await expect(bad).rejects.toThrow("EIO"); // its caller is told, and the queue goes on
    await settle();
    expect(opened).toEqual(["/x/first", "/x/bad", "/x/last"]);
    releases[2]();
    await expect(last).resolves.toBeUndefined();
  });
});

describe("early write-back of a file still arriving", () => {
  /** fs.fdatasync held until released: what was flushed (the file's length then), and the releases. */
  function holdFlushes() {
    const flushed: number[] = [];
    const releases: (() => void)[] = [];
    const real = fs.fdatasync;
    vi.spyOn(fs, "fdatasync").mockImplementation(((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
      flushed.push(fs.fstatSync(fd).size);
      releases.push(() => real(fd, cb));
    }) as typeof fs.fdatasync);
    return { flushed, releases };
  }
  const settle = () => new Promise((r) => setTimeout(r, 10));

  it("flushes once each `every` bytes written, one flush at a time, and is settled only when none is in flight", async () => {
    const { flushed, releases } = holdFlushes();
    const fd = fs.openSync(path.join(dir, "big.part"), "w");
    const writeback = new EarlyWriteback(1024);
    const write = (n: number) => writeback.wrote(fd, fs.writeSync(fd, Buffer.alloc(n, 1)));
    write(1000);
    await settle();
    expect(flushed).toEqual([]); // under the step: nothing yet
    write(100);
    await settle();
    expect(flushed).toEqual([1100]);
    write(5000); // past the step again while the first flush is in flight: no second one
    await settle();
    expect(flushed).toEqual([1100]);
    let settled = false;
    void writeback.settled().then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    releases[0]();
    await writeback.settled();
    write(1024); // counted from the flush that started, not lost while it ran
    await settle();
    expect(flushed).toEqual([1100, 7124]);
    releases[1]();
    await writeback.settled();
    fs.closeSync(fd);
  });

  it("a write stream with it: the same bytes on the disk, flushed as they came, closed only after its last flush", async () => {
    const { flushed, releases } = holdFlushes();
    const file = path.join(dir, "upload.part");
    const closing = vi.spyOn(fs, "close");
    const stream = fs.createWriteStream(file, { highWaterMark: 1024, fs: earlyWritebackFs(new EarlyWriteback(4096)) });
    const chunk = Buffer.alloc(1024, 7);
    for (let i = 0; i < 10; i++) await new Promise<void>((r) => stream.write(chunk, () => r()));
    expect(flushed).toEqual([4096]); // the second step was reached while the first flush was in flight
    const closed = new Promise<void>((r) => stream.once("close", () => r()));
    stream.end();
    await settle();
    expect(closing).not.toHaveBeenCalled(); // its descriptor stays open while a flush of it runs
    releases[0]();
    await closed;
    expect(closing).toHaveBeenCalledTimes(1);
    expect(fs.readFileSync(file)).toEqual(Buffer.alloc(10 * 1024, 7));
  });
});

describe("sweepDurableTemps", () => {
  it("removes the half-written temporaries a killed process left, once untouched for the grace period, and nothing else", () => {
    const sub = path.join(dir, "keys");
    fs.mkdirSync(sub);
    const old = path.join(sub, ".k1.private.pem.tmp-4242-0123456789ab");
    const fresh = path.join(sub, ".k2.private.pem.tmp-4243-0123456789ab");
    const real = path.join(sub, "k1.private.pem");
    const oldLookalike = path.join(sub, ".k1.private.pem.tmp-draft"); // not a name writeFileDurableSync makes
    const top = path.join(dir, ".session-secret.tmp-99-abcdefabcdef");
    for (const f of [old, fresh, real, oldLookalike, top]) fs.writeFileSync(f, "-----BEGIN PRIVATE KEY-----\n");
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const f of [old, real, oldLookalike, top]) fs.utimesSync(f, hourAgo, hourAgo);
    fs.mkdirSync(path.join(dir, ".nested.tmp-1-0123456789ab")); // a directory of that name: left alone
    const removed = sweepDurableTemps([dir, sub, path.join(dir, "missing")]);
    expect(removed.sort()).toEqual([old, top].sort());
    expect(fs.readdirSync(sub).sort()).toEqual([
      ".k1.private.pem.tmp-draft",
      ".k2.private.pem.tmp-4243-0123456789ab",
      "k1.private.pem",
    ]);
    expect(fs.existsSync(path.join(dir, ".nested.tmp-1-0123456789ab"))).toBe(true);
    // The recent one goes once it, too, is past the grace period.
    expect(sweepDurableTemps([sub], 10 * 60_000, Date.now() + 11 * 60_000)).toEqual([fresh]);
  });
});
