// Several processes on one data directory (WEB_CONCURRENCY, decision record 031), with real
// processes: a worker under a lease runs in one of them at a time and moves to another when its
// holder is killed (kill -9) or stalls (SIGSTOP); the rate limits count across processes.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { leaseOf } from "../../../app/platform/leases.server";
import {
  hitSlidingWindow,
  hitTokenBucket,
  pruneRateLimits,
  RATE_LIMITS_FILE,
} from "../../../app/platform/rate-limit-store.server";

const root = path.resolve(__dirname, "../../..");
const script = path.join(__dirname, "cluster.child.ts");
const TTL = 1500;

interface Child {
  proc: ChildProcess;
  lines: string[];
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
}

const children: Child[] = [];

function child(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const w of [...waiters])
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
  });
  const c: Child = {
    proc,
    lines,
    waitFor: (re, timeoutMs = 60_000) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        setTimeout(() => reject(new Error(`no line ${re} from ${proc.pid} in ${timeoutMs} ms`)), timeoutMs).unref();
      });
    },
  };
  children.push(c);
  return c;
}

const ticks = (c: Child) => c.lines.filter((l) => l.startsWith("TICK ")).map((l) => Number(l.split(" ")[2]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  db(); // migrations applied once, before any child opens the file (as the cluster's primary does)
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
});

describe("a worker under a lease, in two processes", () => {
  it("runs in one at a time; the other takes it over when the holder is killed with -9", async () => {
    const ttl = 6000; // renewed every 2 s: the takeover below comes well before the expiry
    const a = child({ CHILD_MODE: "lease", LEASE_TTL_MS: String(ttl) });
    await a.waitFor(/^START /);
    const b = child({ CHILD_MODE: "lease", LEASE_TTL_MS: String(ttl) });
    await b.waitFor(/^READY /);
    await sleep(4500); // a renews its lease twice meanwhile; b asks each time
    expect(ticks(a).length).toBeGreaterThan(20);
    expect(ticks(b)).toEqual([]);
    expect(leaseOf("worker:drill")!.holder).toContain(`:${a.proc.pid}:`);

    a.proc.kill("SIGKILL");
    const expiresAt = leaseOf("worker:drill")!.expiresAt; // a's last renewal: at least 4 s ahead
    await b.waitFor(/^START /);
    await b.waitFor(/^TICK /);
    // b took it at a renewal before the expiry: it saw that a's pid no longer runs
    expect(ticks(b)[0]).toBeLessThan(expiresAt);
    expect(Math.max(...ticks(a))).toBeLessThan(ticks(b)[0]);
    expect(leaseOf("worker:drill")!.holder).toContain(`:${b.proc.pid}:`);
  }, 180_000); // child processes start slowly on a loaded CI machine

  it("a holder that stalls past its lease loses it, and never ticks beside the new holder when it wakes", async () => {
    const a = child({ CHILD_MODE: "lease", LEASE_TTL_MS: String(TTL) });
    await a.waitFor(/^TICK /);
    const b = child({ CHILD_MODE: "lease", LEASE_TTL_MS: String(TTL) });
    await b.waitFor(/^READY /);
    await sleep(TTL);
    expect(ticks(b)).toEqual([]);

    a.proc.kill("SIGSTOP"); // alive (its pid runs) but silent: only the expiry frees the lease
    const expiresAt = leaseOf("worker:drill")!.expiresAt; // a's last renewal, which nothing moves now
    await b.waitFor(/^TICK /);
    const takenAt = ticks(b)[0];
    expect(takenAt).toBeGreaterThanOrEqual(expiresAt); // not before a's lease expired
    expect(leaseOf("worker:drill")!.holder).toContain(`:${b.proc.pid}:`);
    a.proc.kill("SIGCONT");
    await a.waitFor(/^STOP /);
    await sleep(TTL);
    // No tick of a after b's first one: its ticks asked holds(), false once its lease had run out.
    expect(ticks(a).filter((t) => t >= takenAt)).toEqual([]);
    expect(ticks(b).length).toBeGreaterThan(20);
  }, 180_000); // child processes start slowly on a loaded CI machine
});

describe("rate limits across processes", () => {
  it("counts every request of two processes hitting one key at once: the allowed total is exactly the limit", async () => {
    const env = {
      CHILD_MODE: "limits",
      HITS: "1000",
      PER_MINUTE: "1500",
      LIMIT_NOW: String(Date.now()),
      GO_AT: String(Date.now() + 4000), // after both have started
    };
    const a = child(env);
    const b = child(env);
    const results = await Promise.all([a, b].map((c) => c.waitFor(/^\{/, 90_000).then((l) => JSON.parse(l))));
    // 2000 requests at one instant (no refill) against 1500: 1500 allowed in all, however they interleaved
    // (per-process counters would have allowed all 2000).
    expect(results[0].bucket + results[1].bucket).toBe(1500);
    expect(results[0].window + results[1].window).toBe(1500);
    // each was allowed some (each alone stays under the limit)
    for (const r of results) {
      expect(r.bucket).toBeGreaterThan(0);
      expect(r.window).toBeGreaterThan(0);
    }
  }, 180_000); // child processes start slowly on a loaded CI machine
});

describe("the shared counters' rules (DATA_DIR/rate-limits.db)", () => {
  it("refills a token bucket with time and says when to retry", () => {
    const t = 1_000_000;
    for (let i = 0; i < 60; i++) expect(hitTokenBucket("api:198.51.100.1", 60, t).allowed).toBe(true);
    expect(hitTokenBucket("api:198.51.100.1", 60, t)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1000 });
    expect(hitTokenBucket("api:198.51.100.1", 60, t + 999).allowed).toBe(false);
    // 0.999 tokens at t + 999 (the refusal took none), 2 at t + 2000: one taken, one left
    expect(hitTokenBucket("api:198.51.100.1", 60, t + 2000)).toMatchObject({ allowed: true, remaining: 1 });
    expect(hitTokenBucket("api:198.51.100.2", 60, t)).toMatchObject({ allowed: true, remaining: 59 }); // its own bucket
  });

  it("keeps a sliding window: at most the limit in any window, retry when the oldest leaves it", () => {
    const t = 5_000_000;
    for (let i = 0; i < 3; i++) expect(hitSlidingWindow("login:x", 3, 60_000, t + i * 1000).allowed).toBe(true);
    expect(hitSlidingWindow("login:x", 3, 60_000, t + 59_000)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1000,
    });
    expect(hitSlidingWindow("login:x", 3, 60_000, t + 60_000).allowed).toBe(true); // the first left the window
    expect(hitSlidingWindow("login:x", 3, 60_000, t + 60_001).allowed).toBe(false); // refusals were not counted
  });

  it("prunes what no longer counts", () => {
    const file = new Database(path.join(getEnv().dataDir, RATE_LIMITS_FILE), { readonly: true });
    const rows = () =>
      file
        .prepare(
          "SELECT (SELECT count(*) FROM buckets WHERE key = 'api:prune') + (SELECT count(*) FROM hits WHERE key = 'login:prune') AS n",
        )
        .pluck()
        .get();
    const t = 9_000_000;
    hitTokenBucket("api:prune", 60, t);
    hitSlidingWindow("login:prune", 3, 60_000, t);
    pruneRateLimits(t + 30_000, 60_000);
    expect(rows()).toBe(2); // still counting
    pruneRateLimits(t + 60_001, 60_000);
    expect(rows()).toBe(0);
    file.close();
  });
});
