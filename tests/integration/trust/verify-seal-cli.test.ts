// `npm run verify-seal`: the offline verifier, run as a child process on the demo seals' own
// artefacts (PDFs, credentials, JWKS, signed status lists) written to a temp dir. The child gets
// a DATA_DIR that does not exist: it must never open the database or the keys directory.
//
// For the online mode (keys, status lists and supersession fetched from the issuer) this process
// serves the portal's real public endpoints (fastRoutes) on 127.0.0.1, and the demo seals are
// issued under that address, so nothing leaves the machine.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { CompactSign } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSealPdf } from "../../../app/features/trust/adapters/seal-pdf.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { getEnv } from "../../../app/platform/env.server";
import {
  sealPageUrl,
  signCredential,
  unverifiedPayload,
  type SealCredential,
} from "../../../app/features/trust/domain/credential";
import { PDF_ISSUED_CHECK, PDF_REVISION_CHECK } from "../../../app/features/trust/domain/verify";
import { NOT_YET_VALID_REASON } from "../../../app/features/trust/domain/verdict";
import { inclusionProofFor } from "../../../app/features/trust/transparency-log.server";
import { transaction } from "../../../app/platform/db.server";
import { applySealAction, statusListCredential } from "../../../app/features/trust/seal-status.server";
import { sealBySerial, sealPdf } from "../../../app/features/certification/seals.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { appendIncrementalUpdate } from "../../fixtures/pdf-incremental-update";
import { fastRoutes } from "../../../app/fast-routes.server";
import type { TestServer } from "../../support/http";

const script = path.resolve("scripts/verify-seal.ts");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-seal-cli-"));
const f = (name: string) => path.join(dir, name);
const noDataDir = f("no-data-dir"); // never created

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => Record<string, any>;
}

// Each run is mostly start-up (tsx; for a PDF also pdfjs, about 2 s more), so a few run at once
// and only two runs read a PDF (the status checks are the same code for a PDF and a credential).
const slots = { free: Math.max(2, os.availableParallelism()), waiting: [] as (() => void)[] };

/** Runs the CLI (node --import tsx: one process, no tsx wrapper); resolves with exit code and output. */
async function cli(args: string[]): Promise<Run> {
  if (slots.free === 0) await new Promise<void>((go) => slots.waiting.push(go));
  else slots.free--;
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: noDataDir };
  delete env.IOTSEAL_ISSUER;
  try {
    return await new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", script, ...args],
        { env, encoding: "utf8", timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
          resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
        },
      );
    });
  } finally {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free++;
  }
}

let server: TestServer;
let issuer: string;
/** Status lists the issuer serves as they were before a change (not re-signed yet), by path. */
const heldLists = new Map<string, string>();

/** The portal's real fast routes on 127.0.0.1 (as startFastRoutes), serving a held status list where one is set. */
async function startIssuer(): Promise<TestServer> {
  const s = http.createServer((req, res) => {
    const held = heldLists.get(req.url ?? "");
    if (held !== undefined) res.writeHead(200, { "Content-Type": "application/vc+jwt" }).end(held);
    else if (!fastRoutes(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
  });
  await new Promise<void>((ready) => s.listen(0, "127.0.0.1", ready));
  return {
    base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => s.close(() => done())),
  };
}
/** Anyone's site, with their own keys, naming itself as the issuer of a seal they signed. */
let attacker: http.Server;
let attackerUrl: string;
const runs = new Map<string, Promise<Run>>();
const run = (name: string) => runs.get(name)!;

beforeAll(async () => {
  server = await startIssuer();
  issuer = server.base;
  process.env.PUBLIC_URL = issuer; // read by getEnv on first use, below
  expect(getEnv().baseUrl).toBe(issuer);

  await seedDemoData();
  const serials = demoSealSerials();
  const serial = {
    active: serials["Gator Kids Watch 3 3.1.0"],
    expired: serials["Gator Kids Watch 2 2.9.4"],
    suspended: serials["Brightnest Indoor Cam 1 1.9.2"],
    revoked: serials["Brightnest Smart Plug 1.2.0"],
  };
  for (const s of Object.values(serial)) expect(s).toMatch(/^IOTS-/);
  // The expired watch is also superseded by its successor: only the issuer's API can say so.
  transaction((tx) =>
    applySealAction(
      tx,
      { system: "test" },
      {
        serial: serial.expired,
        action: "supersede",
        reason: "Replaced by the certification of Gator Kids Watch 3.",
        supersededBy: serial.active,
      },
    ),
  );

  fs.writeFileSync(f("jwks.json"), JSON.stringify(signingKeys(getEnv().dataDir).jwks()));
  fs.writeFileSync(f("revocation.jwt"), (await statusListCredential("revocation-1"))!.jws);
  fs.writeFileSync(f("suspension.jwt"), (await statusListCredential("suspension-1"))!.jws);
  fs.writeFileSync(f("active.pdf"), sealPdf(serial.active)!.pdf);
  fs.writeFileSync(f("edited.pdf"), appendIncrementalUpdate(sealPdf(serial.active)!.pdf)); // white boxes, "PRO", 9.9.9, 2099-12-31
  for (const [name, s] of Object.entries(serial))
    fs.writeFileSync(f(`${name}.jwt`), sealBySerial(s)!.credential + "\n");
  fs.writeFileSync(f("suspended.json"), JSON.stringify({ credential: sealBySerial(serial.suspended)!.credential }));

  const active = sealBySerial(serial.active)!;
  // One base64url character in the middle of the signature changed.
  const [h, p, sig] = active.credential.split(".");
  fs.writeFileSync(f("tampered.jwt"), `${h}.${p}.${sig.slice(0, 20)}${sig[20] === "A" ? "B" : "A"}${sig.slice(21)}`);
  // The expired seal's facts on the page, the active seal's genuine credential and log proof attached.
  const expiredCredential = unverifiedPayload(sealBySerial(serial.expired)!.credential) as SealCredential;
  fs.writeFileSync(
    f("swapped.pdf"),
    renderSealPdf({
      jws: active.credential,
      credential: expiredCredential,
      sealUrl: sealPageUrl(issuer, serial.expired),
      logProof: active.logProof!,
    }),
  );
  // A PDF as seals were issued before tlog-proof@v1: the same seal with its proof as seal.tlog-proof.json.
  fs.writeFileSync(
    f("legacy.pdf"),
    renderSealPdf({
      jws: active.credential,
      credential: unverifiedPayload(active.credential) as SealCredential,
      sealUrl: sealPageUrl(issuer, serial.active),
      logProof: (inclusionProofFor(active.issuedLogIndex, active.issuedLogIndex + 1) as { value: unknown }).value,
    }),
  );
  // The active seal's certificate made again whole, in one revision, with its genuine credential, facts and log proof,
  // but its QR code opening a look-alike website: nothing appended, the page text as signed.
  fs.writeFileSync(
    f("look-alike.pdf"),
    renderSealPdf({
      jws: active.credential,
      credential: unverifiedPayload(active.credential) as SealCredential,
      sealUrl: `https://iotseal-check.example/s/${serial.active}`,
      logProof: active.logProof!,
    }),
  );
  fs.writeFileSync(f("notes.txt"), "Shopping list: milk, eggs.\n");
  fs.writeFileSync(f("empty.pdf"), ""); // a download that did not finish
  // The active credential as copied badly: its signature's end missing; cut before the second dot;
  // wrapped by a mail client (line breaks inside: still the whole credential).
  fs.writeFileSync(f("cut.jwt"), active.credential.slice(0, -20));
  fs.writeFileSync(f("cut-before-signature.jwt"), `${h}.${p}`);
  fs.writeFileSync(f("wrapped.jwt"), `${active.credential.match(/.{1,64}/g)!.join("\r\n")}\r\n`);
  // A counterfeit signed with HS256 (a 43-character signature) under the issuer's kid.
  fs.writeFileSync(
    f("hs256.jwt"),
    await new CompactSign(Buffer.from(p, "base64url"))
      .setProtectedHeader({ alg: "HS256", typ: "vc+jwt", kid: (await signingKeys(getEnv().dataDir).signer()).kid })
      .sign(crypto.randomBytes(32)),
  );
  // RFC 9864: the active seal's credential signed by the issuer key with the fully specified alg "Ed25519".
  const issuerKey = await signingKeys(getEnv().dataDir).signer();
  fs.writeFileSync(
    f("ed25519.jwt"),
    await new CompactSign(Buffer.from(active.credential.split(".")[1], "base64url"))
      .setProtectedHeader({ alg: "Ed25519", typ: "vc+jwt", kid: issuerKey.kid })
      .sign(issuerKey.key),
  );

  // The active seal's facts signed by the issuer's key with a validFrom 30 days ahead: the issuer
  // cannot have signed that yet, whatever date is asked about.
  const postDated = unverifiedPayload(active.credential) as SealCredential;
  postDated.validFrom = new Date(Date.now() + 30 * 86_400_000).toISOString();
  fs.writeFileSync(f("post-dated.jwt"), signCredential(postDated, issuerKey.key, issuerKey.kid));
  const activeValidFrom = (unverifiedPayload(active.credential) as SealCredential).validFrom;
  const dayBefore = (iso: string) => new Date(Date.parse(iso) - 86_400_000).toISOString();

  // The attacker copies the active seal's facts into a credential of their own, naming their site as issuer.
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const attackerJwks = JSON.stringify({
    keys: [{ ...publicKey.export({ format: "jwk" }), kid: "attacker-1", alg: "EdDSA", use: "sig" }],
  });
  attacker = http.createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json")
      res.writeHead(200, { "Content-Type": "application/json" }).end(attackerJwks);
    else res.writeHead(404).end();
  });
  await new Promise<void>((ready) => attacker.listen(0, "127.0.0.1", ready));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  const theirs = unverifiedPayload(active.credential) as SealCredential;
  theirs.issuer = { id: attackerUrl, name: "IoT Seal Assurance" };
  fs.writeFileSync(f("attacker.jwt"), await signCredential(theirs, privateKey, "attacker-1"));

  const jwks = ["--jwks", f("jwks.json")];
  const lists = [...jwks, "--status", f("revocation.jwt"), "--status", f("suspension.jwt")];
  const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
  const cases: Record<string, string[]> = {
    validPdf: [f("active.pdf"), ...lists],
    legacyPdf: [f("legacy.pdf"), ...lists],
    revoked: [f("revoked.jwt"), ...lists],
    swappedPdf: [f("swapped.pdf"), ...lists],
    expired: [f("expired.jwt"), ...lists, "--now", inTwoDays],
    suspended: [f("suspended.jwt"), ...lists],
    suspendedNoStatus: [f("suspended.json"), ...jwks, "--no-status"],
    tampered: [f("tampered.jwt"), ...lists],
    ed25519Alg: [f("ed25519.jwt"), ...lists],
    missingFile: [f("nope.pdf"), ...lists],
    notASeal: [f("notes.txt"), ...lists],
    emptyFile: [f("empty.pdf"), ...lists],
    cutShort: [f("cut.jwt"), ...lists],
    cutBeforeSignature: [f("cut-before-signature.jwt"), ...lists],
    wrapped: [f("wrapped.jwt"), ...lists],
    hs256: [f("hs256.jwt"), ...lists],
    suspensionListMissing: [f("active.jwt"), ...jwks, "--status", f("revocation.jwt")],
    onlineUnpinned: [f("active.jwt")],
    onlinePdf: [f("active.pdf")],
    onlineLookAlikePdf: [f("look-alike.pdf")],
    offlineLookAlikePdf: [f("look-alike.pdf"), ...lists],
    editedPdf: [f("edited.pdf"), ...lists],
    attackerUnpinned: [f("attacker.jwt"), "--no-status"],
    attackerTrustedOnPurpose: [f("attacker.jwt"), "--no-status", "--issuer", attackerUrl],
    onlinePinnedSuperseded: [f("expired.jwt"), "--issuer", `${issuer}/`],
    beforeIssue: [f("active.jwt"), ...lists, "--now", dayBefore(activeValidFrom)],
    postDated: [f("post-dated.jwt"), ...lists],
    postDatedAskedBefore: [f("post-dated.jwt"), ...lists, "--now", dayBefore(postDated.validFrom)],
    help: ["--help"],
  };
  for (const [name, args] of Object.entries(cases)) runs.set(name, cli(args));
  await Promise.all(runs.values());

  // The lists saved above predate this revocation; an hour on, they are past their validUntil.
  transaction((tx) =>
    applySealAction(
      tx,
      { system: "test" },
      { serial: serial.active, action: "revoke", reason: "Revoked after the buyer saved the status lists." },
    ),
  );
  const inAnHour = ["--now", new Date(Date.now() + 3_600_000).toISOString()];
  const later: Record<string, string[]> = {
    staleLists: [f("active.jwt"), ...lists, ...inAnHour],
    staleListsAccepted: [f("active.jwt"), ...lists, ...inAnHour, "--accept-stale-status"],
    freshListsOnline: [f("active.jwt")],
  };
  for (const [name, args] of Object.entries(later)) runs.set(name, cli(args));
  await Promise.all(runs.values());

  // The issuer's revocation list not re-signed yet (served as saved before the revocation): its API already says revoked.
  heldLists.set("/status/revocation-1", fs.readFileSync(f("revocation.jwt"), "utf8"));
  runs.set("listLagsApi", cli([f("active.jwt")]));
  await run("listLagsApi");
  heldLists.clear();
}, 300_000);

afterAll(async () => {
  await server?.close();
  await new Promise((closed) => attacker?.close(closed));
  fs.rmSync(dir, { recursive: true, force: true });
});

const labels = (out: Record<string, any>) => out.checks.map((c: { label: string; ok: boolean }) => [c.label, c.ok]);

describe("npm run verify-seal", () => {
  it("a genuine, active seal PDF is valid (exit 0), every artefact checked offline", async () => {
    const r = await run("validPdf");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({
      status: "valid",
      subject: { product: { name: "Gator Kids Watch 3" }, firmwareVersion: "3.1.0" },
      issuer: { id: issuer },
      jwks: f("jwks.json"),
    });
    expect(out.serial).toMatch(/^IOTS-/);
    expect(out.kid).toBeTruthy();
    expect(labels(out)).toEqual([
      ["Credential attached", true],
      ["Signature by the issuer", true],
      [PDF_REVISION_CHECK, true],
      ["PDF page matches the signed facts", true],
      ["Transparency log proof", true],
      ["Not revoked", true],
      ["Not suspended", true],
    ]);
    expect(out.statusLists).toEqual([
      expect.objectContaining({ url: `${issuer}/status/revocation-1`, purpose: "revocation", stale: false }),
      expect.objectContaining({ url: `${issuer}/status/suspension-1`, purpose: "suspension", stale: false }),
    ]);
    expect(out.notes.join("\n")).toMatch(/supersession is not part of the status lists; checked offline/);
    expect(fs.existsSync(noDataDir)).toBe(false);
  });

  it("a seal PDF issued before tlog-proof@v1 (its proof as seal.tlog-proof.json) is still valid", async () => {
    const r = await run("legacyPdf");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ status: "valid" });
    expect(labels(r.json())).toContainEqual(["Transparency log proof", true]);
  });

  it("the revoked and suspended seals are not valid (exit 1)", async () => {
    const [revoked, suspended] = await Promise.all([run("revoked"), run("suspended")]);
    expect([revoked.code, suspended.code]).toEqual([1, 1]);
    expect(revoked.json()).toMatchObject({
      status: "revoked",
      subject: { product: { name: "Brightnest Smart Plug" } },
    });
    expect(labels(revoked.json())).toContainEqual(["Not revoked", false]);
    expect(suspended.json()).toMatchObject({
      status: "suspended",
      subject: { product: { name: "Brightnest Indoor Cam 1" } },
    });
    expect(labels(suspended.json())).toEqual([
      ["Signature by the issuer", true],
      ["Not revoked", true],
      ["Not suspended", false],
    ]);
  });

  it("the expired seal is expired offline (supersession is not in the lists); lists past validUntil are flagged stale", async () => {
    const r = await run("expired");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out).toMatchObject({
      status: "expired",
      reason: expect.stringMatching(/^Valid until \d{1,2} [A-Z][a-z]{2} \d{4}\.$/),
    });
    expect(out.statusLists.map((l: { stale: boolean }) => l.stale)).toEqual([true, true]);
    expect(out.notes.join("\n")).toMatch(
      /revocation list .* was valid until .*: out of date for 47 hours, so it cannot show a change made since/,
    );
  });

  it("--no-status skips the lists and says so (a suspended seal then reads valid)", async () => {
    const r = await run("suspendedNoStatus");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ status: "valid", statusLists: [] });
    expect(r.json().notes.join("\n")).toMatch(/status not checked \(--no-status\)/);
  });

  it('RFC 9864: a credential signed by the issuer key with alg "Ed25519" is valid offline (exit 0)', async () => {
    const r = await run("ed25519Alg");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ status: "valid" });
  });

  it("a credential with one signature character changed is forged (exit 1), and shows nothing unverified", async () => {
    const r = await run("tampered");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ status: "forged", reason: expect.stringMatching(/signature does not match/) });
    expect(r.json().serial).toBeUndefined();
  });

  it("a PDF showing one seal's facts with another seal's credential attached is forged", async () => {
    const r = await run("swappedPdf");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out).toMatchObject({
      status: "forged",
      reason: expect.stringMatching(/PDF page does not show what was signed/),
    });
    expect(labels(out)).toContainEqual(["PDF page matches the signed facts", false]);
  });

  it("online, nothing pinned: keys and lists come from the configured portal ($PUBLIC_URL), and the output says so", async () => {
    const r = await run("onlineUnpinned");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({
      status: "valid",
      jwks: `${issuer}/.well-known/jwks.json`,
      trust: `trusting issuer ${issuer} (the configured portal, $PUBLIC_URL); pass --issuer or --jwks to trust another`,
    });
    expect(labels(out)).toEqual([
      ["Signature by the issuer", true],
      ["Issued by the pinned issuer", true],
      ["Not revoked", true],
      ["Not suspended", true],
      ["Not superseded", true],
    ]);
    expect(out.statusLists).toHaveLength(2);
    expect(out.notes).toEqual([]);
  });

  it("online, a PDF is checked against the SHA-256 of the file issued, which the issuer's seal API names", async () => {
    const r = await run("onlinePdf");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json().status).toBe("valid");
    expect(labels(r.json())).toContainEqual([PDF_ISSUED_CHECK, true]);
  });

  it("online, a certificate made again in one revision (its QR code opening a look-alike site) is forged, as /verify says", async () => {
    // Offline, only its page text can be checked, and that is as signed (decision record 012's cost).
    const offline = await run("offlineLookAlikePdf");
    expect(offline.code).toBe(0);
    const r = await run("onlineLookAlikePdf");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out.status).toBe("forged");
    expect(out.reason).toMatch(
      /^The file differs from the PDF issued for IOTS-[0-9A-Z-]+: it is not the same file \(the issuer recorded its SHA-256\)\. Issued SHA-256 [0-9a-f]{64}, this file's [0-9a-f]{64}\./,
    );
    expect(labels(out)).toContainEqual([PDF_ISSUED_CHECK, false]);
    expect(labels(out)).not.toContainEqual(["Not superseded", true]);
    expect(out.notes.join("\n")).toMatch(
      /the issuer's own record of seal IOTS-\S+, which the issuer says is valid now/,
    );
  });

  it("online, pinned with --issuer: the issuer's seal API reports the supersession the lists cannot", async () => {
    const r = await run("onlinePinnedSuperseded");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out).toMatchObject({
      status: "superseded",
      reason: expect.stringMatching(/newer certification/),
      trust: `issuer pinned to ${issuer} (--issuer)`,
    });
    expect(labels(out)).toContainEqual(["Issued by the pinned issuer", true]);
    expect(labels(out)).toContainEqual(["Not superseded", false]);
  });

  it("issue 13.2: a seal PDF edited by an incremental update (white boxes, PRO, 9.9.9, 2099-12-31) is forged (exit 1)", async () => {
    const r = await run("editedPdf");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out).toMatchObject({
      status: "forged",
      reason: expect.stringMatching(
        /^This PDF was edited after it was issued: it has 2 revisions \([\d,]+ bytes appended after the end of the first\): 1 incremental update made after it was issued\./,
      ),
    });
    expect(labels(out)).toEqual([
      ["Credential attached", true],
      ["Signature by the issuer", true],
      [PDF_REVISION_CHECK, false],
    ]);
  });

  it("issue 13.5: status lists past their validUntil never give valid: a seal revoked since they were saved is 'unknown' (exit 1)", async () => {
    const r = await run("staleLists");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/"status": "valid"/);
    const out = r.json();
    expect(out.status).toBe("unknown");
    expect(out.reason).toMatch(
      /^status unknown: the lists are out of date \(the revocation list http:\/\/127\.0\.0\.1:\d+\/status\/revocation-1 was valid until \d{4}-\d\d-\d\dT[\d:.]+Z; the suspension list .*\)\. .*--accept-stale-status/,
    );
    expect(labels(out)).toContainEqual(["Status lists up to date", false]);
    expect(out.statusLists.map((l: { stale: boolean }) => l.stale)).toEqual([true, true]);
    // Fetched fresh from the issuer, the revocation shows.
    const fresh = await run("freshListsOnline");
    expect([fresh.code, fresh.json().status]).toEqual([1, "revoked"]);
  });

  it("issue 13.5: --accept-stale-status accepts out-of-date lists on purpose, and says they are stale and since when", async () => {
    const r = await run("staleListsAccepted");
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.status).toBe("valid");
    const notes = out.notes.join("\n");
    expect(notes).toMatch(
      /the revocation list \S+ was valid until \d{4}-\d\d-\d\dT[\d:.]+Z: out of date for 5\d minutes, so it cannot show a change made since; used anyway \(--accept-stale-status\)/,
    );
    expect(notes).toMatch(/the suspension list \S+ was valid until .*; used anyway \(--accept-stale-status\)/);
  });

  it("issue 13.6: with no --jwks or --issuer, a credential signed by anyone's key naming their own site as issuer is forged (exit 1)", async () => {
    const r = await run("attackerUnpinned");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out).toMatchObject({
      status: "forged",
      reason: `The credential names the issuer ${attackerUrl}, not the trusted issuer ${issuer} ($PUBLIC_URL): it is not valid here. To trust ${attackerUrl}, pass --issuer or --jwks with its keys.`,
      trust: `trusting issuer ${issuer} (the configured portal, $PUBLIC_URL); pass --issuer or --jwks to trust another`,
    });
    expect(out.subject).toBeUndefined(); // nothing unverified is shown
    expect(labels(out)).toEqual([["Issued by the pinned issuer", false]]);
    // Trusting that site is an explicit choice.
    const chosen = await run("attackerTrustedOnPurpose");
    expect(chosen.code).toBe(0);
    expect(chosen.json()).toMatchObject({ status: "valid", trust: `issuer pinned to ${attackerUrl} (--issuer)` });
  });

  it("bad input exits 2 with one line on stderr and nothing on stdout", async () => {
    for (const [name, message] of [
      ["missingFile", /nope\.pdf does not exist/],
      ["notASeal", /is not a seal PDF or a seal credential/],
      ["emptyFile", /empty\.pdf is empty: give the seal's PDF or its credential \(seal\.vc\.jwt\)\./],
      ["cutShort", /cut\.jwt: this credential is cut short: its signature has 66 of its 86 characters\./],
      ["cutBeforeSignature", /this credential is cut short: it ends before its signature/],
      [
        "suspensionListMissing",
        /suspension status is unknown: give the suspension list http:\/\/127\.0\.0\.1:\d+\/status\/suspension-1 with --status/,
      ],
    ] as const) {
      const r = await run(name);
      expect({ name, code: r.code, stdout: r.stdout }).toEqual({ name, code: 2, stdout: "" });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("a counterfeit signed with HS256 (a 43-character signature) is forged (exit 1), not cut short", async () => {
    const r = await run("hs256");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ status: "forged", reason: expect.stringMatching(/not signed with Ed25519/) });
  });

  it("a credential file with line breaks inside the JWS (wrapped by a mail client) is read whole: valid", async () => {
    const r = await run("wrapped");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ status: "valid" });
  });

  it("online: the issuer's API says revoked while its signed list lags: revoked (exit 1), saying the list lags", async () => {
    const r = await run("listLagsApi");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out).toMatchObject({
      status: "revoked",
      reason:
        "The issuer's seal API says this seal is revoked (Revoked after the buyer saved the status lists); its signed revocation list does not show it yet.",
    });
    expect(labels(out)).toContainEqual(["Not revoked", true]); // what the list says
    expect(labels(out)).toContainEqual(["Not revoked (the issuer's seal API)", false]);
    expect(out.notes.join("\n")).toMatch(/the signed revocation list lags the issuer's seal API, which says revoked/);
  });

  it("--now before the seal was issued: not_yet_valid (exit 1), not forged", async () => {
    const r = await run("beforeIssue");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = r.json();
    const validFrom = out.validFrom as string;
    const asked = new Date(Date.parse(validFrom) - 86_400_000).toISOString();
    expect(out).toMatchObject({
      status: "not_yet_valid",
      reason: `Not valid yet as of ${asked}: issued ${validFrom}.`,
    });
    expect(labels(out)).toContainEqual(["Signature by the issuer", true]);
    expect(out.notes).toContainEqual(`checked as of ${asked}; the status lists say what they said when signed`);
  });

  it("a credential whose validFrom is still in the future is forged, with --now before it or without", async () => {
    for (const name of ["postDated", "postDatedAskedBefore"]) {
      const r = await run(name);
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 1, stderr: "" });
      expect(r.json()).toMatchObject({ status: "forged", reason: NOT_YET_VALID_REASON });
    }
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await run("help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run verify-seal -- <seal\.pdf \| credential file>/);
    expect(r.stdout).toMatch(/--no-status/);
    expect(r.stdout).toMatch(/"not_yet_valid" \(exit 1\)/);
  });
});
