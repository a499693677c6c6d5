// npm run bench:seals (4/4) — POST /api/v1/verify/bulk with a 10,000-row CSV, end to end as the
// client sees it (request start to the last byte of the answer), as CSV and as JSON (Accept:
// application/json), against the real server (production build, demo seals). Bar: < 2 s.
// The rows: the 4 demo seals (valid, expired, suspended, revoked) repeated, well-formed serials
// no seal has, and garbage (typos, empty cells, text), with the retailer's own columns around.
// For information, a bare baseline in this process: the same CSV parsed with csv-parse, one
// SELECT ... WHERE serial IN (...) on the same database file, and a CSV answer written by hand.
// Issue 18: the same size of file keyed by GTIN (`gtin` column: the demo products' GTINs, GTINs of
// no product, invalid GTINs, unquoted quotes and formula cells), answered as CSV in under 2 s,
// with its ratio to the serial-keyed check; no answered cell may start with = + - @ (OWASP).
import crypto from "node:crypto";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { parse } from "csv-parse/sync";
import { makeSerial } from "../../app/features/trust/domain/serial";
import { gtinProblem } from "../../app/features/catalogue/domain/gtin";
import { login, startServer } from "./server";

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function makeCsv(demo: string[]): { csv: string; kinds: Record<string, number> } {
  const kinds = { demo: 0, unknown: 0, garbage: 0 };
  const garbage = ["", "not a serial", "IOTS-1234", "IOTS-ABCD-EFGH-IJKL", "12345", "n/a", "IOTS-0000-000*"];
  const lines = ["sku,serial,store,note"];
  for (let i = 0; i < ROWS; i++) {
    const r = i % 10;
    let serial: string;
    if (r < 6) {
      serial = demo[i % demo.length];
      // as typed by people: lower case, spaces instead of hyphens, no prefix
      if (i % 7 === 0) serial = serial.toLowerCase();
      else if (i % 11 === 0) serial = serial.replace(/-/g, " ");
      kinds.demo++;
    } else if (r < 9) {
      serial = makeSerial(crypto.randomBytes(5));
      kinds.unknown++;
    } else {
      serial = garbage[i % garbage.length];
      kinds.garbage++;
    }
    lines.push(`SKU-${100000 + i},${serial},store-${i % 37},"row ${i}, checked"`);
  }
  return { csv: lines.join("\n") + "\n", kinds };
}

/** A GTIN with a correct check digit: the body, then the one digit the GS1 rule accepts. */
function withCheckDigit(body: string): string {
  for (let d = 0; d < 10; d++) if (!gtinProblem(`${body}${d}`)) return `${body}${d}`;
  throw new Error(`no check digit for ${body}`);
}

/** The GTIN-keyed stock file: a buyer's columns around a gtin column, with the dirt real files have. */
function makeGtinCsv(demo: string[]): { csv: string; kinds: Record<string, number> } {
  const kinds = { demo: 0, unknown: 0, invalid: 0, unquotedQuote: 0, formula: 0 };
  const invalid = ["5060123450003", "ABC", "5.06012E+12", "", "506012345", "50601234500021"];
  const formulas = ["=1+1", "+44 20 7946 0000", "-5", "@SUM(A1)", '=HYPERLINK("http://x","y")'];
  const lines = ["SKU,description,gtin,store"];
  for (let i = 0; i < ROWS; i++) {
    const r = i % 20;
    let gtin: string;
    if (r < 12) {
      gtin = demo[i % demo.length];
      if (i % 7 === 0) gtin = gtin.padStart(14, "0"); // as a GTIN-14
      kinds.demo++;
    } else if (r < 17) {
      gtin = withCheckDigit(String(4000000000000 + ((i * 7919) % 999999999999)).slice(0, 12));
      kinds.unknown++;
    } else {
      gtin = invalid[i % invalid.length];
      kinds.invalid++;
    }
    let sku = `SKU-${100000 + i}`;
    let description = `"row ${i}, checked"`;
    if (i % 25 === 3) {
      description = i % 2 ? 'Screen 5" wide' : '=HYPERLINK("x")'; // a quote inside an unquoted field
      kinds.unquotedQuote++;
    }
    if (i % 25 === 5) {
      sku = `"${formulas[i % formulas.length].replace(/"/g, '""')}"`;
      kinds.formula++;
    }
    lines.push(`${sku},${description},${gtin},store-${i % 37}`);
  }
  return { csv: lines.join("\n") + "\n", kinds };
}

function post(
  url: string,
  body: string,
  accept: string,
  token?: string,
): Promise<{ ms: number; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers = {
      "Content-Type": "text/csv",
      Accept: accept,
      "Content-Length": String(Buffer.byteLength(body)),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    };
    const req = http.request(`${url}/api/v1/verify/bulk`, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          ms: performance.now() - t0,
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The bare baseline: parse, one IN query, a status per row, a CSV out. */
function bare(dbFile: string, csv: string): { ms: number; rows: number; statuses: Record<string, number> } {
  const t0 = performance.now();
  const db = new Database(dbFile, { readonly: true });
  const [header, ...rows] = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const col = header.findIndex((h) => h.trim().toLowerCase() === "serial");
  const norm = (s: string) => {
    let c = s.toUpperCase().replace(/[\s-]+/g, "");
    if (c.length === 12 && c.startsWith("IOTS")) c = c.slice(4);
    return c.length === 8 ? `IOTS-${c.slice(0, 4)}-${c.slice(4)}` : null;
  };
  const serials = rows.map((r) => norm(r[col] ?? ""));
  const wanted = [...new Set(serials.filter((s): s is string => s !== null))];
  const found = new Map<string, { state: string; valid_until: number }>();
  for (let i = 0; i < wanted.length; i += 30_000) {
    const part = wanted.slice(i, i + 30_000);
    for (const r of db
      .prepare(`select serial, state, valid_until from seals where serial in (${part.map(() => "?").join(",")})`)
      .all(...part) as { serial: string; state: string; valid_until: number }[])
      found.set(r.serial, r);
  }
  const now = Date.now();
  const statuses: Record<string, number> = {};
  const out = [[...header, "status"].join(",")];
  rows.forEach((r, n) => {
    const f = serials[n] ? found.get(serials[n]!) : undefined;
    const status = !f ? "not_found" : f.state === "active" ? (f.valid_until <= now ? "expired" : "valid") : f.state;
    statuses[status] = (statuses[status] ?? 0) + 1;
    out.push([...r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)), status].join(","));
  });
  const text = out.join("\n");
  db.close();
  return { ms: performance.now() - t0, rows: text.split("\n").length - 1, statuses };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const server = await startServer({ PUBLIC_API_PER_MINUTE: "100000000", BULK_ROWS_PER_HOUR: "1000000000" });
  try {
    const dbFile = path.join(server.dataDir, "iot-seal.db");
    const ro = new Database(dbFile, { readonly: true });
    const demo = (ro.prepare("select serial from seals").all() as { serial: string }[]).map((r) => r.serial);
    ro.close();
    const { csv, kinds } = makeCsv(demo);
    console.log(
      `Bulk verify benchmark: ${ROWS} rows (${kinds.demo} demo-seal rows over ${demo.length} seals, ${kinds.unknown} unknown serials, ${kinds.garbage} garbage), ${(Buffer.byteLength(csv) / 1024).toFixed(0)} KiB CSV; ${RUNS} runs per format, first run cold (load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")})`,
    );

    // The demo buyer's API token: the same check with its acceptance policies applied ("policy" column).
    const cookie = await login(server.url, "buyer@demo.test");
    const page = await fetch(`${server.url}/retailer/api`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: "name=bench",
    });
    const token = /data-testid="api-token">(iots_[\w-]+)</.exec(await page.text())?.[1];
    if (!token) throw new Error("could not create an API token for the buyer");

    const results: Record<string, number[]> = { csv: [], json: [], policies: [] };
    let summary: Record<string, number> | undefined;
    for (let run = 0; run < RUNS; run++) {
      for (const format of ["csv", "json", "policies"] as const) {
        const r = await post(
          server.url,
          csv,
          format === "json" ? "application/json" : "text/csv",
          format === "policies" ? token : undefined,
        );
        if (format === "policies" && !/,policy\r?\n/.test(r.text.slice(0, 200)))
          throw new Error("the answer with a token has no policy column");
        if (r.status !== 200) throw new Error(`bulk ${format}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
        if (format !== "json") {
          const lines = r.text.trimEnd().split("\n").length - 1;
          if (lines < ROWS) throw new Error(`CSV answer has ${lines} lines for ${ROWS} rows`);
        } else {
          const body = JSON.parse(r.text) as { rows: number; summary: Record<string, number> };
          if (body.rows !== ROWS) throw new Error(`JSON answer has ${body.rows} rows for ${ROWS}`);
          summary = body.summary;
        }
        results[format].push(r.ms);
      }
    }
    // Issue 18: the same size of file by GTIN.
    const ro2 = new Database(dbFile, { readonly: true });
    const demoGtins = (ro2.prepare("select gtin from products where gtin is not null").all() as { gtin: string }[]).map(
      (r) => r.gtin,
    );
    ro2.close();
    const byGtin = makeGtinCsv(demoGtins);
    const gtinMs: number[] = [];
    let gtinSummary = "";
    for (let run = 0; run < RUNS; run++) {
      const r = await post(server.url, byGtin.csv, "text/csv");
      if (r.status !== 200) throw new Error(`bulk by GTIN: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
      const answered = parse(r.text, { relax_column_count: true }) as string[][];
      if (answered.length !== ROWS + 1) throw new Error(`GTIN answer has ${answered.length - 1} rows for ${ROWS}`);
      // OWASP CSV injection: after neutralisation no cell starts a formula (they start with ').
      const unsafe = answered.flat().filter((c) => /^[=+\-@]/.test(c));
      if (unsafe.length) throw new Error(`${unsafe.length} answered cells start a formula, e.g. ${unsafe[0]}`);
      const status = answered[0].indexOf("status");
      const counts: Record<string, number> = {};
      for (const row of answered.slice(1)) counts[row[status]] = (counts[row[status]] ?? 0) + 1;
      gtinSummary = Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
      gtinMs.push(r.ms);
    }

    const b = [bare(dbFile, csv), bare(dbFile, csv), bare(dbFile, csv)];
    const bareMs = median(b.map((x) => x.ms));

    console.log(
      `Server's summary: ${Object.entries(summary!)
        .filter(([, n]) => n)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
    console.log(
      `Bare baseline's statuses: ${Object.entries(b[0].statuses)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
    console.log("");
    const verdict = (ms: number) => (ms < 2000 ? "PASS" : "MISS  <<<<<<<<<<");
    console.log(
      `${"".padEnd(44)} ${"cold ms".padStart(8)} ${"median".padStart(8)} ${"worst".padStart(8)}   vs bare   bar < 2000 ms (worst run)`,
    );
    for (const format of ["csv", "json", "policies"] as const) {
      const xs = results[format];
      const worst = Math.max(...xs);
      const label =
        format === "policies"
          ? "…/bulk, CSV + the buyer's policies (token)"
          : `POST /api/v1/verify/bulk, ${format.toUpperCase()} answer`;
      console.log(
        `${label.padEnd(44)} ${xs[0].toFixed(0).padStart(8)} ${median(xs).toFixed(0).padStart(8)} ${worst.toFixed(0).padStart(8)}   ${(median(xs) / bareMs).toFixed(1).padStart(5)}x   ${verdict(worst)}`,
      );
    }
    const gtinWorst = Math.max(...gtinMs);
    console.log(
      `${"…/bulk by GTIN, CSV answer (issue 18)".padEnd(44)} ${gtinMs[0].toFixed(0).padStart(8)} ${median(gtinMs)
        .toFixed(0)
        .padStart(
          8,
        )} ${gtinWorst.toFixed(0).padStart(8)}   ${(median(gtinMs) / bareMs).toFixed(1).padStart(5)}x   ${verdict(gtinWorst)}`,
    );
    console.log(
      `${"bare: csv-parse + one IN query + CSV (in proc)".padEnd(44)} ${b[0].ms.toFixed(0).padStart(8)} ${bareMs.toFixed(0).padStart(8)} ${Math.max(
        ...b.map((x) => x.ms),
      )
        .toFixed(0)
        .padStart(8)}   (for information; no HTTP)`,
    );
    console.log("");
    console.log(
      `By GTIN: ${ROWS} rows (${Object.entries(byGtin.kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ")}), ${(Buffer.byteLength(byGtin.csv) / 1024).toFixed(0)} KiB; statuses: ${gtinSummary}`,
    );
    console.log(
      `By GTIN vs by serial (same size, CSV answer, median): ${(median(gtinMs) / median(results.csv)).toFixed(2)}x; no answered cell starts with = + - @`,
    );
  } finally {
    await server.stop();
  }
}

await main();
