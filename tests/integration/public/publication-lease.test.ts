// A publication run keeps its target's lease while it runs (decision record 031): a run waiting on
// a slow or stuck target renews it, so no second run starts publishing to that target meanwhile;
// and a run that lost its lease (another run took it over, after this one stopped renewing: a
// stalled process) writes nothing more, moves no cursor and records no failure: it could otherwise
// put an older checkpoint over the newer run's. The lease is shortened here (leaseMs) to keep the
// test short; the server's is 10 minutes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { acquireLease, leaseOf } from "../../../app/platform/leases.server";
import {
  PublicationLeaseLost,
  publicationState,
  publicationTargetKey,
  publishArtefacts,
} from "../../../app/features/public/publication.server";
import { folderSink, type PublicationSink } from "../../../app/features/public/adapters/publication-sinks.server";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-publication-lease-"));
const OTHER = "another-host:4242:abcdef"; // another run, on another machine
const LEASE_MS = 600; // renewed every 200 ms

beforeAll(async () => {
  await seedDemoData();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A folder target whose write of `heldPath` waits until released; every write is recorded, in order. */
function slowTarget(name: string, heldPath: string) {
  const dir = path.join(work, name);
  const target = { kind: "folder" as const, dir };
  const folder = folderSink(dir);
  const puts: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let reached = false;
  const sink: PublicationSink = {
    ...folder,
    name: folder.name,
    async put(storedPath, bytes, headers, opts) {
      puts.push(storedPath);
      if (storedPath === heldPath) {
        reached = true;
        await released;
      }
      return folder.put(storedPath, bytes, headers, opts);
    },
  };
  const lease = `publication:${publicationTargetKey(target)}`;
  return { dir, target, sink, puts, release, reached: () => reached, lease };
}

async function until(what: string, ok: () => boolean) {
  const end = Date.now() + 60_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("the publication run's lease", () => {
  it("is renewed while a write hangs: another run cannot take it, and the run then completes", async () => {
    const t = slowTarget("slow", "log/checkpoint");
    const run = publishArtefacts({ target: t.target, sink: t.sink, leaseMs: LEASE_MS });
    await until("the checkpoint's write", t.reached);
    await sleep(3 * LEASE_MS); // long past the lease's first expiry
    const other = acquireLease(t.lease, { ttlMs: LEASE_MS, holder: OTHER });
    expect(other.held).toBe(false);
    t.release();
    const report = await run;
    expect(report).not.toBeNull();
    expect(fs.existsSync(path.join(t.dir, "log", "checkpoint"))).toBe(true);
    expect(leaseOf(t.lease)).toBeNull(); // given up at the end
  });

  it("once lost, the run writes nothing more, moves no cursor and records no failure", async () => {
    const t = slowTarget("stalled", ".well-known/jwks.json"); // early in the run: much would follow
    const run = publishArtefacts({ target: t.target, sink: t.sink, leaseMs: LEASE_MS });
    const outcome = run.then(
      () => null,
      (error: unknown) => error,
    );
    await until("the JWKS's write", t.reached);
    // The run's process stalled past its lease, and another run took the target over.
    expect(acquireLease(t.lease, { ttlMs: 60_000, holder: OTHER, now: Date.now() + 60 * 60_000 }).held).toBe(true);
    await sleep(2 * LEASE_MS); // the run's next renewal finds it gone
    const before = t.puts.length;
    t.release(); // the stuck write returns
    const error = await outcome;
    expect(error).toBeInstanceOf(PublicationLeaseLost);
    expect((error as Error).message).toContain(`lost its lease on the target (another run (${OTHER}) holds it)`);
    expect(t.puts.length).toBe(before); // nothing written after the write in flight
    expect(fs.existsSync(path.join(t.dir, "log", "checkpoint"))).toBe(false);
    expect(publicationState(t.target)).toMatchObject({
      lastSuccessAt: null,
      eventCursor: 0,
      lastError: null,
      failures: 0,
    });
    expect(leaseOf(t.lease)?.holder).toBe(OTHER); // the other run's lease is left alone
  });
});
