// npm run bench:upload — uploads a 1 GiB evidence file through the running server (multipart,
// streamed, hashed, content-addressed) and compares it with `cp` of the same file on the same
// disk, in the same run. Bars: throughput >= 0.5x cp, server RSS growth < 64 MiB. Then the same
// through the resumable (tus) endpoint (decision 032), with the same bars, and a resume: the
// connection cut at 50 %, the rest sent after HEAD; bar: bytes sent again < 55 % of the file.
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { cpuSeconds, login, MiB, rss, startServer } from "./server";

const SIZE = Number(process.env.BENCH_UPLOAD_MIB ?? 1024) * MiB;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-upload-bench-"));
const file = path.join(work, "capture-log.txt");

function makeFile(): string {
  // Text lines (an accepted evidence type), not all alike, written in 8 MiB blocks.
  const fd = fs.openSync(file, "w");
  const hash = crypto.createHash("sha256");
  const block = Buffer.alloc(8 * MiB);
  for (let written = 0, n = 0; written < SIZE;) {
    let off = 0;
    while (off < block.length - 100)
      off += block.write(
        `${String(n++).padStart(10, "0")} frame ok rssi=-${n % 90} seq=${(n * 2654435761) >>> 0}\n`,
        off,
      );
    block.fill(0x20, off, block.length - 1);
    block[block.length - 1] = 0x0a;
    const part = block.subarray(0, Math.min(block.length, SIZE - written));
    fs.writeSync(fd, part);
    hash.update(part);
    written += part.length;
  }
  fs.closeSync(fd);
  return hash.digest("hex");
}

/** `dd bs=1M`: the same copy through user space (read into a buffer, written out), as any upload's bytes go. */
function timeDd(): number {
  const copy = path.join(work, "copy-dd.txt");
  const t0 = process.hrtime.bigint();
  if (spawnSync("dd", [`if=${file}`, `of=${copy}`, "bs=1M"]).status !== 0) throw new Error("dd failed");
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(copy);
  return s;
}

/**
 * `cp` of the file (GNU cp copies in the kernel, page cache to page cache, with copy_file_range);
 * with `durable`, followed by `sync` of the copy, as the evidence store syncs a file before the row
 * that names it commits.
 */
function timeCp(durable = false): number {
  const copy = path.join(work, "copy.txt");
  const t0 = process.hrtime.bigint();
  const r = spawnSync("cp", [file, copy]);
  if (r.status !== 0) throw new Error("cp failed");
  if (durable && spawnSync("sync", [copy]).status !== 0) throw new Error("sync failed");
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(copy);
  return s;
}

/** The same file to the bare baseline server, as a raw body. */
async function bareUpload(): Promise<number> {
  const child = spawn(process.execPath, ["scripts/bench/bare-upload-server.mjs", work], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", headers: { "Content-Length": SIZE } },
      (res) => {
        res.resume();
        res.on("end", resolve);
      },
    );
    req.on("error", reject);
    fs.createReadStream(file, { highWaterMark: MiB }).pipe(req);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  child.kill();
  return seconds;
}

function upload(
  url: string,
  cookie: string,
  submissionId: string,
  ref: string,
): Promise<{ seconds: number; status: number; body: string }> {
  const boundary = "----iotsealbench" + crypto.randomBytes(8).toString("hex");
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="capture-log.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const target = new URL(`${url}/supplier/submissions/${submissionId}/evidence?ref=${encodeURIComponent(ref)}`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(target, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Accept: "application/json",
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
        "Content-Length": head.length + SIZE + tail.length,
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () =>
        resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, status: res.statusCode ?? 0, body }),
      );
    });
    req.on("error", reject);
    req.write(head);
    const stream = fs.createReadStream(file, { highWaterMark: MiB });
    stream.pipe(req, { end: false });
    stream.on("end", () => req.end(tail));
  });
}

const TUS = { "Tus-Resumable": "1.0.0" };

/** Creates a tus upload of the whole file; returns its path. */
async function tusCreate(
  url: string,
  cookie: string,
  submissionId: string,
  ref: string,
  name: string,
): Promise<string> {
  const meta = { submissionId, ref, filename: name };
  const res = await fetch(`${url}/uploads/tus`, {
    method: "POST",
    headers: {
      ...TUS,
      Cookie: cookie,
      "Upload-Length": String(SIZE),
      "Upload-Metadata": Object.entries(meta)
        .map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`)
        .join(","),
    },
  });
  if (res.status !== 201) throw new Error(`tus creation failed: ${res.status} ${await res.text()}`);
  return res.headers.get("location")!;
}

/**
 * One PATCH from `offset`, streaming the file; with `cutAt`, the connection is dropped once that
 * many bytes of the file were written to it. Returns the bytes written and the answer (if any).
 */
function tusPatch(
  url: string,
  cookie: string,
  location: string,
  offset: number,
  cutAt?: number,
): Promise<{ sent: number; status: number; body: string; seconds: number; tail: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let lastByte = t0;
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    const req = http.request(new URL(location, url), {
      method: "PATCH",
      headers: {
        ...TUS,
        Cookie: cookie,
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": String(SIZE - offset),
      },
    });
    let sent = 0;
    const stream = fs.createReadStream(file, {
      highWaterMark: MiB,
      start: offset,
      end: cutAt === undefined ? undefined : cutAt - 1,
    });
    stream.on("data", (c) => (sent += c.length));
    stream.on("end", () => (lastByte = process.hrtime.bigint()));
    const tail = () => Number(process.hrtime.bigint() - lastByte) / 1e9;
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ sent, status: res.statusCode ?? 0, body, seconds: seconds(), tail: tail() }));
    });
    req.on("error", (e) =>
      cutAt === undefined ? reject(e) : resolve({ sent, status: 0, body: "", seconds: seconds(), tail: tail() }),
    );
    if (cutAt === undefined) stream.pipe(req);
    else {
      stream.pipe(req, { end: false });
      stream.on("end", () => setTimeout(() => req.destroy(), 200)); // the cut: no end to the body
    }
  });
}

async function tusOffset(url: string, cookie: string, location: string): Promise<number> {
  const res = await fetch(new URL(location, url), { method: "HEAD", headers: { ...TUS, Cookie: cookie } });
  return Number(res.headers.get("upload-offset"));
}

/** Makes the file's bytes new (its first digit), so that each run stores a file of its own; returns its SHA-256. */
async function freshBytes(digit: string): Promise<string> {
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, digit, 0);
  fs.closeSync(fd);
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * A shopper's seal lookups while something else runs: GET /api/v1/seals/<serial>, one at a time,
 * every 50 ms; the latencies (ms) once stopped. Shows whether an upload holds the event loop.
 */
function probeSealApi(url: string, serial: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1/seals/${serial}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`seal API answered ${res.status}`);
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

function latencyLine(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1);
  return `n ${xs.length}, p50 ${q(50)} ms, p99 ${q(99)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
}

async function main() {
  console.log(`Upload benchmark: ${SIZE / MiB} MiB file in ${work}`);
  const sha = makeFile();
  const server = await startServer({ EVIDENCE_MAX_FILE_MB: String(Math.ceil(SIZE / MiB) + 16) });
  try {
    const db = new Database(path.join(server.dataDir, "iot-seal.db"), { readonly: true });
    const serial = (db.prepare("select serial from seals where state = 'active' limit 1").get() as { serial: string })
      .serial;
    const draft = db
      .prepare(
        `select s.id from submissions s join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id where p.model = 'BN-IC2' and s.status = 'draft'`,
      )
      .get() as { id: string };
    db.close();
    const cookie = await login(server.url, "supplier2@demo.test");
    const cp1 = timeCp();
    // Warm the server (first request compiles routes), then measure RSS from a settled baseline.
    await fetch(`${server.url}/supplier`, { headers: { Cookie: cookie } });
    await new Promise((r) => setTimeout(r, 500));
    const base = rss(server.pid);
    let peak = base;
    const cpu0 = cpuSeconds(server.pid);
    const self0 = process.cpuUsage();
    const sampler = setInterval(() => (peak = Math.max(peak, rss(server.pid))), 20);
    const result = await upload(server.url, cookie, draft.id, "2.4.3.1");
    clearInterval(sampler);
    const serverCpu = cpuSeconds(server.pid) - cpu0;
    const selfCpu = process.cpuUsage(self0);
    peak = Math.max(peak, rss(server.pid));
    const cp2 = timeCp();
    const cp = Math.min(cp1, cp2);
    const cpSync = Math.min(timeCp(true), timeCp(true));
    const dd = Math.min(timeDd(), timeDd());
    const bare = await bareUpload();
    const json = JSON.parse(result.body) as { ok: boolean; message: string };
    const stored = path.join(server.dataDir, "evidence", sha.slice(0, 2), sha.slice(2, 4), sha);
    if (result.status !== 200 || !json.ok || !fs.existsSync(stored) || fs.statSync(stored).size !== SIZE) {
      throw new Error(`upload failed: ${result.status} ${result.body}`);
    }
    const ratio = cp / result.seconds;
    const growth = (peak - base) / MiB;
    console.log(`cp (baseline, best of 2):   ${cp.toFixed(2)} s  ${(SIZE / MiB / cp).toFixed(0)} MiB/s`);
    console.log(
      `dd bs=1M (best of 2):       ${dd.toFixed(2)} s  ${(SIZE / MiB / dd).toFixed(0)} MiB/s  (the same copy through user space; cp uses copy_file_range)`,
    );
    console.log(
      `cp + sync (best of 2):      ${cpSync.toFixed(2)} s  ${(SIZE / MiB / cpSync).toFixed(0)} MiB/s  (the copy on the disk, as a stored upload is)`,
    );
    console.log(
      `upload through the server:  ${result.seconds.toFixed(2)} s  ${(SIZE / MiB / result.seconds).toFixed(0)} MiB/s  (stored, SHA-256 verified: ${sha.slice(0, 16)}…)`,
    );
    console.log(
      `CPU during the upload:      server ${serverCpu.toFixed(2)} s, client ${((selfCpu.user + selfCpu.system) / 1e6).toFixed(2)} s`,
    );
    console.log(
      `bare node:http + SHA-256:   ${bare.toFixed(2)} s  ${(SIZE / MiB / bare).toFixed(0)} MiB/s  (second baseline: same client, raw body piped through a hash to a file)`,
    );
    console.log(
      `throughput ratio vs cp:     ${ratio.toFixed(2)}x   (bar >= 0.50x)  ${ratio >= 0.5 ? "MEETS" : "MISSES"}`,
    );
    console.log(`throughput ratio vs bare:   ${(bare / result.seconds).toFixed(2)}x`);
    console.log(
      `server RSS growth (peak):   ${growth.toFixed(1)} MiB (base ${(base / MiB).toFixed(0)} MiB)   (bar < 64 MiB)  ${growth < 64 ? "MEETS" : "MISSES"}`,
    );

    // The resumable (tus) endpoint: the same file (new bytes), created then sent in one PATCH.
    const isStored = (sha: string) => {
      const p = path.join(server.dataDir, "evidence", sha.slice(0, 2), sha.slice(2, 4), sha);
      return fs.existsSync(p) && fs.statSync(p).size === SIZE;
    };
    const tusSha = await freshBytes("1");
    await new Promise((r) => setTimeout(r, 500));
    const tusBase = rss(server.pid);
    let tusPeak = tusBase;
    const idleProbe = probeSealApi(server.url, serial);
    await new Promise((r) => setTimeout(r, 1500));
    const idle = await idleProbe.stop();
    const tusSampler = setInterval(() => (tusPeak = Math.max(tusPeak, rss(server.pid))), 20);
    const t0 = process.hrtime.bigint();
    const probe = probeSealApi(server.url, serial);
    const location = await tusCreate(server.url, cookie, draft.id, "2.4.3.1", "capture-log-tus.txt");
    const whole = await tusPatch(server.url, cookie, location, 0);
    const tusSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const during = await probe.stop();
    clearInterval(tusSampler);
    tusPeak = Math.max(tusPeak, rss(server.pid));
    if (whole.status !== 200 || !isStored(tusSha)) throw new Error(`tus upload failed: ${whole.status} ${whole.body}`);
    const tusRatio = cp / tusSeconds;
    const tusGrowth = (tusPeak - tusBase) / MiB;
    console.log(
      `tus upload (POST + PATCH):  ${tusSeconds.toFixed(2)} s  ${(SIZE / MiB / tusSeconds).toFixed(0)} MiB/s  (stored, SHA-256 verified: ${tusSha.slice(0, 16)}…)`,
    );
    console.log(
      `  after its last byte:      ${whole.tail.toFixed(2)} s until the answer (the tail: the sync of what is not on the disk yet, sniffing, the commit)`,
    );
    console.log(
      `tus ratio vs cp:            ${tusRatio.toFixed(2)}x   (bar >= 0.50x)  ${tusRatio >= 0.5 ? "MEETS" : "MISSES"}`,
    );
    console.log(`seal API, server idle:      ${latencyLine(idle)}`);
    console.log(`seal API during the tus PATCH: ${latencyLine(during)}  (one lookup at a time, every 50 ms)`);
    console.log(`tus ratio vs cp + sync:     ${(cpSync / tusSeconds).toFixed(2)}x   (for information)`);
    console.log(
      `tus server RSS growth:      ${tusGrowth.toFixed(1)} MiB (base ${(tusBase / MiB).toFixed(0)} MiB)   (bar < 64 MiB)  ${tusGrowth < 64 ? "MEETS" : "MISSES"}`,
    );

    // Resume: the connection cut at 50 %, the offset asked for (HEAD), the rest sent.
    const resumeSha = await freshBytes("2");
    const again = await tusCreate(server.url, cookie, draft.id, "2.4.3.1", "capture-log-resumed.txt");
    const first = await tusPatch(server.url, cookie, again, 0, SIZE / 2);
    await new Promise((r) => setTimeout(r, 300));
    const offset = await tusOffset(server.url, cookie, again);
    const rest = await tusPatch(server.url, cookie, again, offset);
    if (rest.status !== 200 || !isStored(resumeSha)) throw new Error(`tus resume failed: ${rest.status} ${rest.body}`);
    const resent = rest.sent / SIZE;
    console.log(
      `tus resume after a cut:     ${(first.sent / MiB).toFixed(0)} MiB sent before the cut, ${(offset / MiB).toFixed(0)} MiB kept (HEAD), ${(rest.sent / MiB).toFixed(0)} MiB sent again = ${(resent * 100).toFixed(1)} % of the file   (bar < 55 %)  ${resent < 0.55 ? "MEETS" : "MISSES"}`,
    );
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
