// A file above the resumable threshold (EVIDENCE_RESUMABLE_THRESHOLD_MB) goes through the tus
// endpoint from the browser: created, sent, cut halfway as a dropped network would, resumed from
// the server's offset (sending only the rest), attached with its type sniffed, like any other
// evidence (decision 032).
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "./a11y"; // axe-core checks every page each test visits
import { E2E_DIR, expectHydrated, pageAs, watchConsole } from "./helpers";

const THRESHOLD_MB = Number(process.env.EVIDENCE_RESUMABLE_THRESHOLD_MB ?? 64);

test("a large evidence file is uploaded resumably (tus) through the browser, surviving a cut", async ({
  browser,
}, info) => {
  test.setTimeout(120_000); // 65 MiB sent twice and hashed, on a 2-core machine with other tests beside it
  const db = new Database(path.join(E2E_DIR, "data", "iot-seal.db"), { readonly: true });
  const draft = db
    .prepare(
      `select s.id from submissions s join product_versions v on v.id = s.product_version_id join products p on p.id = v.product_id where p.model = 'BN-IC2' and s.status = 'draft'`,
    )
    .get() as { id: string };
  db.close();

  // Text a little above the threshold.
  fs.mkdirSync(info.outputDir, { recursive: true });
  // A name of this attempt's own: a retry (or --repeat-each) attaches a second file beside the first.
  const name = `radio-capture-log-${info.repeatEachIndex}-${info.retry}.txt`;
  const file = path.join(info.outputDir, name);
  const size = (THRESHOLD_MB + 1) * 1024 * 1024;
  const line = Buffer.from(`${Date.now()} frame ok rssi=-51 seq=000000\n`);
  fs.writeFileSync(file, Buffer.alloc(size, line));

  // The browser reaches the portal through a proxy that cuts the first PATCH halfway through its body.
  const proxy = await cuttingProxy();
  const page = await pageAs(browser, "supplier2@demo.test", { proxy: { server: proxy.url } });
  const problems = watchConsole(page);
  await page.goto(`/supplier/submissions/${draft.id}/requirements/2.4.3.1`);
  await expectHydrated(page);

  const calls: string[] = [];
  /** What each tus request got (its status, or how it failed), named in a failure's message. */
  const outcomes: string[] = [];
  const isTus = (url: string) => new URL(url).pathname.startsWith("/uploads/tus");
  let uploadId = "";
  let headOffset = -1;
  page.on("request", (r) => {
    if (isTus(r.url())) calls.push(r.method());
  });
  page.on("response", (r) => {
    if (!isTus(r.url())) return;
    const method = r.request().method();
    outcomes.push(`${method} ${r.status()}`);
    const location = method === "POST" ? r.headers()["location"] : undefined;
    if (location) uploadId = location.split("/").pop() ?? "";
    if (method === "HEAD") headOffset = Number(r.headers()["upload-offset"]); // the last one is where the rest went from
  });
  page.on("requestfailed", (r) => {
    if (isTus(r.url())) outcomes.push(`${r.method()} failed: ${r.failure()?.errorText}`);
  });

  await page.getByLabel("Add evidence files").setInputFiles(file);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByTestId("upload-result"))
    .toHaveText("Attached 1 file to requirement 2.4.3.1.", { timeout: 90_000 })
    .catch((error: Error) => {
      throw new Error(`${error.message}\n${uploadState(uploadId, calls, outcomes, proxy.patches)}`);
    })
    .finally(() => proxy.close());
  expect(calls[0]).toBe("POST");
  expect(calls).toContain("HEAD");
  // The first PATCH was cut halfway; the portal kept what reached it and said so when asked (HEAD);
  // the rest went from there. (A PATCH answered 423 while the cut one still held the upload is
  // retried after HEAD. Chromium may first resend the cut PATCH by itself, from offset 0, as
  // it does for a request reset on a reused connection: the portal refuses it at once with 409.)
  const [cut, ...after] = proxy.patches;
  expect(cut).toMatchObject({ offset: 0, cut: true });
  expect(headOffset).toBe(cut.sent);
  expect(after.at(-1)).toEqual({ offset: headOffset, sent: size - headOffset, cut: false }); // the rest, in one PATCH
  // Any other PATCH was the browser's own resend (from 0), or one from an offset a HEAD gave while
  // the cut half was still being written, or answered 423: each refused at once, none past the half.
  // (How much a resumed upload sends again is measured by npm run bench:upload.)
  for (const p of after.slice(0, -1)) expect(p.offset).toBeLessThanOrEqual(headOffset);
  const attached = page.getByRole("list", { name: "Attached evidence" });
  await expect(attached.getByRole("link", { name })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/supplier-resumable-upload.png", fullPage: true });
  // Nothing left to resume: the fingerprint is removed once the upload succeeded.
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("tus::")))).toEqual([]);
  // Nothing else went wrong (the cut itself is reported, or not when Chromium resent the request by itself).
  expect(problems.filter((p) => p !== "console: Failed to load resource: net::ERR_CONNECTION_RESET")).toEqual([]);
});

/**
 * Where a stalled upload stopped, for the failure's message: the requests sent and answered, and
 * the server's side (how many bytes its file holds, whether its metadata and its PATCH lease exist).
 */
function uploadState(id: string, sent: string[], answered: string[], patches: Patch[]): string {
  const lines = [
    `tus requests sent: ${sent.join(", ") || "none"}`,
    `answered: ${answered.join(", ") || "none"}`,
    `PATCHes through the proxy: ${patches.map((p) => `from ${p.offset}, ${p.sent} bytes${p.cut ? " (cut)" : ""}`).join("; ") || "none"}`,
  ];
  if (!/^[0-9a-f]{32}$/.test(id)) return lines.join("\n");
  const file = path.join(E2E_DIR, "data", "tmp", "tus", id);
  const size = fs.existsSync(file) ? `${fs.statSync(file).size} bytes` : "gone";
  const db = new Database(path.join(E2E_DIR, "data", "iot-seal.db"), { readonly: true });
  const lease = db.prepare("select holder, expires_at from leases where name = ?").get(`tus-upload:${id}`);
  db.close();
  lines.push(
    `upload ${id}: file ${size}, metadata ${fs.existsSync(`${file}.json`) ? "kept" : "gone"}, PATCH lease ${lease ? JSON.stringify(lease) : "none"}`,
  );
  return lines.join("\n");
}

/** A PATCH the proxy carried: its Upload-Offset, the body bytes it passed on, whether it cut it. */
type Patch = { offset: number; sent: number; cut: boolean };

/**
 * An HTTP proxy for the browser (Playwright's context proxy) in front of the portal. The first
 * tus PATCH is cut once half its body has passed, as a dropped network would cut it: the half is
 * delivered to the portal, then both connections are closed. Everything else is passed through.
 * Unlike cutting with page.route, no request body goes through Playwright's interception.
 */
async function cuttingProxy(): Promise<{ url: string; patches: Patch[]; close(): Promise<void> }> {
  const patches: Patch[] = [];
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? "/"); // a proxy is asked for absolute URLs
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    if (!(req.method === "PATCH" && target.pathname.startsWith("/uploads/tus/"))) {
      req.pipe(upstream);
      return;
    }
    const patch: Patch = { offset: Number(req.headers["upload-offset"]), sent: 0, cut: false };
    const cutAt = patches.length === 0 ? Math.floor(Number(req.headers["content-length"]) / 2) : Infinity;
    patches.push(patch);
    req.on("data", (chunk: Buffer) => {
      if (patch.cut) return;
      const part = chunk.subarray(0, Math.min(chunk.length, cutAt - patch.sent));
      patch.sent += part.length;
      if (patch.sent >= cutAt) {
        patch.cut = true;
        // What was passed on reaches the portal before the close; the browser's connection is reset.
        upstream.write(part, () => {
          upstream.destroy();
          req.socket.resetAndDestroy();
        });
        return;
      }
      if (!upstream.write(part)) {
        req.pause();
        upstream.once("drain", () => req.resume());
      }
    });
    req.on("end", () => {
      if (!patch.cut) upstream.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    patches,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
