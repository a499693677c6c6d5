// npm run bench:seals (1/4) — GET /api/v1/seals/<serial> throughput and latency at 50 concurrent
// keep-alive connections, rotating over the 4 demo seals (two of whose products have a public
// advisory), against the real server (production build) and, in the same run, a bare node:http +
// better-sqlite3 server answering the same body from the same database file
// (scripts/bench/bare-seal-server.mjs). Bars: >= 0.75x the bare server's req/s, p99 < 20 ms.
// Then the same load against the real server with WEB_CONCURRENCY=2 (two worker processes): no
// error, and, with a finite PUBLIC_API_PER_MINUTE, no lost rate-limit count: the number of 200s
// is exactly what one token bucket allows over the run (burst + rate x elapsed), not what two
// separate buckets would (BENCH_CLUSTER=0 skips this part).
//
// The load generator runs in this process and shares the machine's cores with the server under
// test; both servers get the same treatment (same client, same connections, same duration,
// rounds alternated). Server CPU per request is reported too: it does not depend on how fast
// the client can push.
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import Database from "better-sqlite3";
import { cpuSeconds, startServer, treeCpuSeconds } from "./server";

const CONNECTIONS = 50;
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PREWARM_S = Number(process.env.BENCH_PREWARM_S ?? 3);

interface Run {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
  serverCpu: number;
  clientCpu: number;
}

function get(agent: http.Agent, port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: p, agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

/** CONNECTIONS loops, each issuing one request after the other over a keep-alive agent. */
async function load(port: number, pid: number, paths: string[], measureS = MEASURE_S): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let phase: "warm" | "measure" | "stop" = "warm";
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let next = 0;
  const loop = async () => {
    while (phase !== "stop") {
      const p = paths[next++ % paths.length];
      const counted = phase === "measure"; // only requests started inside the window are counted
      const t0 = performance.now();
      let ok: boolean;
      try {
        ok = (await get(agent, port, p)).status === 200;
      } catch {
        ok = false;
      }
      if (counted && phase === "measure") {
        latencies.push(performance.now() - t0);
        requests++;
        if (!ok) errors++;
      }
    }
  };
  const loops = Array.from({ length: CONNECTIONS }, loop);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const cpu = pid === bareCpuPid ? cpuSeconds : treeCpuSeconds; // the real server: its cluster's workers too
  const cpu0 = cpu(pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  phase = "measure";
  await new Promise((r) => setTimeout(r, measureS * 1000));
  phase = "stop";
  const seconds = (performance.now() - t0) / 1000;
  const serverCpu = cpu(pid) - cpu0;
  const self = process.cpuUsage(self0);
  await Promise.all(loops);
  agent.destroy();
  return { requests, errors, seconds, latencies, serverCpu, clientCpu: (self.user + self.system) / 1e6 };
}

function merge(runs: Run[]): Run {
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    latencies: runs.flatMap((r) => r.latencies),
    serverCpu: runs.reduce((n, r) => n + r.serverCpu, 0),
    clientCpu: runs.reduce((n, r) => n + r.clientCpu, 0),
  };
}

function pct(xs: number[], p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function startBare(dbFile: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join("scripts", "bench", "bare-seal-server.mjs"), dbFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
    child.once("exit", (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

let bareCpuPid = -1;

async function main() {
  const server = await startServer({ PUBLIC_API_PER_MINUTE: "100000000" });
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  try {
    const dbFile = path.join(server.dataDir, "iot-seal.db");
    const ro = new Database(dbFile, { readonly: true });
    const serials = ro.prepare("select serial, state from seals order by issued_at").all() as {
      serial: string;
      state: string;
    }[];
    ro.close();
    if (serials.length < 4) throw new Error(`expected the demo seals (4 or more), found ${serials.length}`);
    const paths = serials.map((s) => `/api/v1/seals/${s.serial}`);
    bare = await startBare(dbFile);
    bareCpuPid = bare.pid;
    const realPort = Number(new URL(server.url).port);

    // Same fields, same values (checkedAt aside), for every demo seal.
    const agent = new http.Agent({ keepAlive: true });
    const fields: string[] = [];
    for (const p of paths) {
      const a = JSON.parse((await get(agent, realPort, p)).body);
      const b = JSON.parse((await get(agent, bare.port, p)).body);
      for (const k of ["serial", "status", "credential", "subject", "advisories"]) {
        if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
          throw new Error(
            `bare and real servers differ on ${k} for ${p}: ${JSON.stringify(a[k])?.slice(0, 80)} vs ${JSON.stringify(b[k])?.slice(0, 80)}`,
          );
      }
      fields.push(`${a.serial}=${a.status}`);
    }
    agent.destroy();
    console.log(
      `Seal API benchmark: ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds x (${WARMUP_S} s warm-up + ${MEASURE_S} s) per server, alternating`,
    );
    console.log(
      `Real server: WEB_CONCURRENCY=${process.env.WEB_CONCURRENCY ?? 1} (set it in the environment: worker processes; the bare server is one process)`,
    );
    console.log(`Serials rotated: ${fields.join(", ")} (bodies checked equal to the bare server's)`);

    // Untimed first: the real server compiles its SBOM schemas in the background after it starts
    // listening (warmUp), and both servers' code gets hot.
    await load(realPort, server.pid, paths, PREWARM_S);
    await load(bare.port, bare.pid, paths, PREWARM_S);
    const realRuns: Run[] = [];
    const bareRuns: Run[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      realRuns.push(await load(realPort, server.pid, paths));
      bareRuns.push(await load(bare.port, bare.pid, paths));
    }
    const real = merge(realRuns);
    const base = merge(bareRuns);
    const rps = (r: Run) => r.requests / r.seconds;
    const row = (label: string, r: Run) =>
      console.log(
        `${label.padEnd(34)} ${rps(r).toFixed(0).padStart(8)} ${pct(r.latencies, 50).toFixed(2).padStart(8)} ${pct(r.latencies, 99).toFixed(2).padStart(8)} ${pct(r.latencies, 100).toFixed(1).padStart(8)} ${((r.serverCpu / r.requests) * 1e6).toFixed(0).padStart(12)} ${((r.clientCpu / r.requests) * 1e6).toFixed(0).padStart(12)} ${String(r.errors).padStart(7)}`,
      );
    console.log("");
    console.log(
      `${"".padEnd(34)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)} ${"server µs/req".padStart(12)} ${"client µs/req".padStart(12)} ${"errors".padStart(7)}`,
    );
    realRuns.forEach((r, i) => row(`real server, round ${i + 1}`, r));
    bareRuns.forEach((r, i) => row(`bare node:http+sqlite, round ${i + 1}`, r));
    row("real server (all rounds)", real);
    row("bare baseline (all rounds)", base);
    const ratio = rps(real) / rps(base);
    const cpuRatio = base.serverCpu / base.requests / (real.serverCpu / real.requests);
    const p99 = pct(real.latencies, 99);
    const verdict = (ok: boolean) => (ok ? "PASS" : "MISS  <<<<<<<<<<");
    console.log("");
    console.log(`throughput ratio real/bare:        ${ratio.toFixed(2)}x   (bar >= 0.75x)   ${verdict(ratio >= 0.75)}`);
    console.log(`real server p99 latency:           ${p99.toFixed(2)} ms   (bar < 20 ms)   ${verdict(p99 < 20)}`);
    console.log(
      `server CPU per request, bare/real: ${cpuRatio.toFixed(2)}x   (for information: the same ratio without the shared-core client)`,
    );
    if (real.errors || base.errors) console.log(`!!! non-200 answers: real ${real.errors}, bare ${base.errors}`);
  } finally {
    await bare?.stop();
    await server.stop();
  }
  if (process.env.BENCH_CLUSTER !== "0") await cluster();
}

/** Each response's status and the process that answered it (the X-Request-Id prefix: 6 hex digits per process). */
async function statuses(port: number, paths: string[], seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const counts = new Map<string, number>();
  const processes = new Set<string>();
  let first = Infinity;
  let last = -Infinity;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const one = (p: string) =>
    new Promise<number>((resolve) => {
      http
        .get({ host: "127.0.0.1", port, path: p, agent }, (res) => {
          processes.add(String(res.headers["x-request-id"] ?? "").slice(0, 6));
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
        .on("error", () => resolve(-1));
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        const sent = Date.now();
        const status = await one(paths[next++ % paths.length]);
        const key = status === 200 ? "200" : status === 429 ? "429" : `other (${status})`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (status === 200) {
          first = Math.min(first, sent);
          last = Math.max(last, sent);
        }
      }
    }),
  );
  agent.destroy();
  return { counts, processes, first, last };
}

/** WEB_CONCURRENCY=2: throughput and errors without a limit, then the shared rate limit's count. */
async function cluster() {
  console.log("");
  console.log("WEB_CONCURRENCY=2 (two worker processes behind one port)");
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS  <<<<<<<<<<");
  // Each server seeds its own demo data: its own serials.
  const sealPaths = (dataDir: string) => {
    const ro = new Database(path.join(dataDir, "iot-seal.db"), { readonly: true });
    const rows = ro.prepare("select serial from seals").all() as { serial: string }[];
    ro.close();
    return rows.map((s) => `/api/v1/seals/${s.serial}`);
  };
  let server = await startServer({ WEB_CONCURRENCY: "2", PUBLIC_API_PER_MINUTE: "100000000" });
  try {
    const paths = sealPaths(server.dataDir);
    const port = Number(new URL(server.url).port);
    await load(port, server.pid, paths, PREWARM_S);
    const r = await load(port, server.pid, paths);
    console.log(
      `  no limit: ${(r.requests / r.seconds).toFixed(0)} req/s, p99 ${pct(r.latencies, 99).toFixed(2)} ms, server ${((r.serverCpu / r.requests) * 1e6).toFixed(0)} µs/req, non-200 answers or failed requests: ${r.errors}   ${verdict(r.errors === 0)}`,
    );
  } finally {
    await server.stop();
  }
  const perMinute = 3000;
  server = await startServer({ WEB_CONCURRENCY: "2", PUBLIC_API_PER_MINUTE: String(perMinute) });
  try {
    const s = await statuses(Number(new URL(server.url).port), sealPaths(server.dataDir), MEASURE_S);
    const allowed = s.counts.get("200") ?? 0;
    const others = [...s.counts].filter(([k]) => k !== "200" && k !== "429");
    // One bucket for 127.0.0.1 across both workers: full (perMinute) at the start, refilled at perMinute/60 a second.
    const elapsed = (s.last - s.first) / 1000;
    const max = Math.floor(perMinute + (perMinute / 60_000) * (s.last - s.first + 1000)); // + a second of clock slack
    const min = Math.floor(perMinute + (perMinute / 60_000) * (s.last - s.first - 1000));
    console.log(
      `  PUBLIC_API_PER_MINUTE=${perMinute}: ${[...s.counts].map(([k, n]) => `${n} x ${k}`).join(", ")}, answered by ${s.processes.size} processes`,
    );
    console.log(
      `  allowed ${allowed}; one shared bucket allows ${min}-${max} over the ${elapsed.toFixed(1)} s between the first and last allowed request (two separate buckets: about ${2 * perMinute})   ${verdict(allowed >= min && allowed <= max && others.length === 0 && s.processes.size === 2)}`,
    );
  } finally {
    await server.stop();
  }
}

await main();
