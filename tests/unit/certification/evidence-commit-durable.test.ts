// The local evidence store puts a file's bytes, then its name, on the disk before commit() returns,
// that is before the database row that names the file commits: after a power cut a row never
// names a file that is missing or short. Observed through what each fsync was of, in order.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { LocalEvidenceStore } from "../../../app/features/certification/adapters/evidence-store.server";

let dataDir: string;
beforeEach(() => {
  dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "evidence-durable-")));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it.runIf(process.platform === "linux")(
  "commit syncs the received file, the new directories, then the directory that names it",
  async () => {
    const store = new LocalEvidenceStore(dataDir);
    const bytes = Buffer.from(`capture ${crypto.randomUUID()}\n`);
    const received = await store.receive(Readable.from([bytes]), 1024);
    const steps: string[] = [];
    const probe = await fs.promises.open(received.tempPath, "r");
    const handleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const realSync = handleProto.sync;
    vi.spyOn(handleProto, "sync").mockImplementation(async function (this: { fd: number }) {
      steps.push(`sync ${path.relative(dataDir, fs.readlinkSync(`/proc/self/fd/${this.fd}`)) || "."}`);
      return realSync.call(this);
    });
    const realRename = fs.promises.rename;
    vi.spyOn(fs.promises, "rename").mockImplementation(async (from, to) => {
      steps.push(`rename to ${path.relative(dataDir, String(to))}`);
      return realRename(from, to);
    });

    expect(await store.commit(received)).toEqual({ created: true });
    const sha = received.sha256;
    const target = path.join("evidence", sha.slice(0, 2), sha.slice(2, 4), sha);
    expect(steps).toEqual([
      `sync ${path.relative(dataDir, received.tempPath)}`, // the bytes, before they take the name
      `sync ${path.dirname(path.dirname(target))}`, // evidence/aa/bb made: its entry in evidence/aa
      "sync evidence", // evidence/aa made
      "sync .", // evidence/ made in the data directory
      `rename to ${target}`,
      `sync ${path.dirname(target)}`, // the name
    ]);
    expect(fs.readFileSync(path.join(dataDir, target))).toEqual(bytes);
    expect(fs.statSync(path.join(dataDir, target)).mode & 0o777).toBe(0o400);
  },
);
