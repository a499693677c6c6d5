// Starting and stopping a real IoT Seal server for a benchmark (production build, fresh data).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<BenchServer> {
  // The server runs the build server.mjs runs: REMIX_BUILD_DIR's when set (see remix.config.js), else build/.
  const serverBuild = process.env.REMIX_BUILD_DIR
    ? path.join(process.env.REMIX_BUILD_DIR, "server", "index.js")
    : "build/index.js";
  if (!fs.existsSync(serverBuild)) throw new Error(`${serverBuild} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-bench-"));
  const nodeArgs = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, "server.mjs"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_REQUESTS: "false",
      RATE_LIMIT_PER_MINUTE: "100000",
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    dataDir,
    child,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Logs in through the form and returns the session cookie. */
export async function login(url: string, email: string, password = "demo-password-2026"): Promise<string> {
  const r = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password }),
    redirect: "manual",
  });
  const cookie = r.headers.get("set-cookie");
  if (r.status !== 302 || !cookie) throw new Error(`login as ${email} failed: ${r.status}`);
  return cookie.split(";")[0];
}

/** Resident set size of a process, in bytes (Linux). */
export function rss(pid: number): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) * 1024 : 0;
}

export const MiB = 1024 * 1024;

/** User + system CPU time of a process so far, in seconds (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** CPU seconds of a process and all its descendants: a cluster's primary and its workers (WEB_CONCURRENCY > 1). */
export function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  let children: string[] = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`))
      children.push(...fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean));
  } catch {
    children = [];
  }
  for (const child of children) total += treeCpuSeconds(Number(child));
  return total;
}
