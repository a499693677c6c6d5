// Regenerates the small, real evidence files the demo seed attaches (db/seed-evidence/):
// a PDF security policy (pdfkit), a PNG screenshot of the watch app (Chromium) and a text test log.
// Run: npx tsx scripts/make-demo-evidence.ts   (the outputs are committed; the seed does not run this)
import fs from "node:fs";
import path from "node:path";
import PDFDocument from "pdfkit";
import { chromium } from "@playwright/test";

const out = path.resolve("db/seed-evidence");
fs.mkdirSync(out, { recursive: true });

// 1. The PDF: security design summary and vulnerability disclosure policy.
const doc = new PDFDocument({
  size: "A4",
  margin: 56,
  info: {
    Title: "Gator Kids Watch 3 — Security policy",
    Author: "Gator Wearables Ltd",
    CreationDate: new Date("2026-09-01T09:00:00Z"),
  },
});
const chunks: Buffer[] = [];
doc.on("data", (c: Buffer) => chunks.push(c));
const done = new Promise<void>((resolve) => doc.on("end", resolve));
doc
  .fontSize(20)
  .text("Gator Kids Watch 3", { continued: false })
  .fontSize(13)
  .fillColor("#444")
  .text("Security design summary and vulnerability disclosure policy")
  .moveDown();
doc
  .fillColor("#000")
  .fontSize(10)
  .text("Document GW-SEC-003, version 4, 1 September 2026. Owner: Head of Product Security, Gator Wearables Ltd.")
  .moveDown();
const sections: [string, string][] = [
  [
    "1. Credentials",
    "Each watch leaves the factory with a unique 12-character pairing code printed on the box and stored in its secure element. No password is shared between units. The parent app forces a new PIN at first pairing; five wrong PINs lock pairing for 15 minutes.",
  ],
  [
    "2. Reporting vulnerabilities",
    "Anyone can report a vulnerability to security@gatorwearables.example or at https://gatorwearables.example/security. We acknowledge within 2 working days, give a status update at least every 14 days, and fix critical issues within 30 days. We credit reporters who wish to be named. This policy is published on our website.",
  ],
  [
    "3. Software updates",
    "Firmware updates are signed with Ed25519 (key held in an HSM); the watch verifies the signature and the version number before installing, and refuses downgrades. Updates are installed automatically overnight while charging; parents are told in the app. Security updates are provided until 31 December 2029 (the defined support period), published on the product page and the box.",
  ],
  [
    "4. Data and communication",
    "All traffic to the cloud uses TLS 1.3 with certificate pinning. Location data is encrypted at rest (AES-256-GCM) and deleted after 30 days. Parents can erase all data from the app; a factory reset erases the watch.",
  ],
  [
    "5. Interfaces",
    "The debug UART is disabled in production firmware by an eFuse; Bluetooth is only discoverable during pairing; there are no open network ports.",
  ],
];
for (const [title, body] of sections)
  doc.fontSize(12).text(title).fontSize(10).text(body, { align: "justify" }).moveDown(0.8);
doc.end();
await done;
fs.writeFileSync(path.join(out, "gator-kids-watch-3-security-policy.pdf"), Buffer.concat(chunks));

// 2. The PNG: the app's "set a new PIN" screen at first pairing.
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 1 });
await page.setContent(`<!doctype html><html><body style="margin:0;font-family:sans-serif;background:#f4f7f6">
  <div style="background:#2f8f5b;color:#fff;padding:18px 16px;font-size:18px;font-weight:bold">Gator Parent · Pair watch</div>
  <div style="padding:20px">
    <p style="font-size:15px;color:#333">Watch <b>GKW3-58F2</b> found. Enter the pairing code printed on the box:</p>
    <div style="border:1px solid #bbb;border-radius:6px;padding:10px;font-size:18px;letter-spacing:3px;background:#fff">K7Q2-M9XD-4HT8</div>
    <p style="font-size:15px;color:#333;margin-top:22px">Now choose a new PIN for this watch. The pairing code will stop working.</p>
    <div style="border:1px solid #bbb;border-radius:6px;padding:10px;font-size:18px;background:#fff">••••••</div>
    <div style="border:1px solid #bbb;border-radius:6px;padding:10px;font-size:18px;background:#fff;margin-top:8px">••••••</div>
    <div style="margin-top:22px;background:#2f8f5b;color:#fff;text-align:center;padding:12px;border-radius:6px;font-weight:bold">Set PIN and finish</div>
  </div></body></html>`);
await page.screenshot({ path: path.join(out, "pairing-screen.png") });
await browser.close();

// 3. The text log: an update test run.
fs.writeFileSync(
  path.join(out, "update-test-log.txt"),
  `Gator Kids Watch 3 — OTA update test, firmware 3.1.4 -> 3.2.0
run 2026-09-12 10:04:11Z, rig GW-LAB-2, tester: QA team

[10:04:11] device GKW3-58F2 fw=3.1.4 hw=C
[10:04:12] fetch manifest https://updates.gatorwearables.example/gkw3/stable.json (TLS 1.3, pinned)
[10:04:13] manifest version=3.2.0 size=4718592 sha256=9f1c…e2a7 sig=ed25519 OK
[10:05:02] download complete, sha256 matches manifest
[10:05:02] signature verified with key gw-fw-2026 (HSM), rollback index 32 > 31 OK
[10:05:40] installed to slot B, reboot
[10:06:05] boot slot B fw=3.2.0 self-test OK, slot A kept for recovery
[10:06:06] PASS update applied

negative tests
[10:12:30] tampered image (1 byte flipped): signature INVALID -> refused, fw stays 3.2.0   PASS
[10:14:02] downgrade to 3.1.4 with valid signature: rollback index 31 < 32 -> refused     PASS
[10:15:47] manifest over plain HTTP: connection refused by client                          PASS
[10:17:20] power cut during install: boots slot A 3.1.4, retries later                    PASS
`,
);
console.log("wrote", fs.readdirSync(out).join(", "));
