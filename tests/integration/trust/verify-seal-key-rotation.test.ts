// After `npm run keys:rotate` the new key signs at once (new seals, and the status lists when they
// are next signed), while a cache between a verifier and the issuer (a CDN: the JWKS is public,
// max-age=300) may still serve the older key set. The offline verifier then fetches the JWKS once
// more, asking caches to go back to the issuer, instead of calling a genuine seal forged ("a signing
// key the issuer never published"). Here the issuer's address is a caching proxy in front of the
// portal's real fast routes, which keeps serving the JWKS it cached before the rotation to any
// request that does not say Cache-Control: no-cache.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { statusListCredential } from "../../../app/features/trust/seal-status.server";
import {
  FORGERY_MESSAGES,
  signCredential,
  unverifiedPayload,
  type SealCredential,
} from "../../../app/features/trust/domain/credential";
import { fastRoutes } from "../../../app/fast-routes.server";
import { approveDemoWatchSubmission } from "../../support/submissions";

const script = path.resolve("scripts/verify-seal.ts");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-seal-rotation-"));

let proxy: http.Server;
let issuer: string;
/** The JWKS the cache holds (from before the rotation), or null: no cache in the way. */
let cachedJwks: string | null = null;
/** Each JWKS request the proxy saw, with the Cache-Control it asked for. */
const jwksRequests: (string | null)[] = [];

beforeAll(async () => {
  proxy = http.createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      const asked = req.headers["cache-control"] ?? null;
      jwksRequests.push(asked);
      if (cachedJwks !== null && !/no-cache/.test(asked ?? "")) {
        res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", Age: "120" }).end(cachedJwks);
        return;
      }
    }
    if (!fastRoutes(req, res, { ip: "127.0.0.1" })) res.writeHead(404).end();
  });
  await new Promise<void>((ready) => proxy.listen(0, "127.0.0.1", ready));
  issuer = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  process.env.PUBLIC_URL = issuer; // the seals name the proxy as their issuer
  expect(getEnv().baseUrl).toBe(issuer);
  await seedDemoData();
});
afterAll(async () => {
  await new Promise<void>((done) => proxy.close(() => done()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs verify-seal with these arguments; its exit code, stdout and stderr. */
function verifySeal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, "no-data-dir") };
  delete env.IOTSEAL_ISSUER;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { env, encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** A seal's credential written to a file in the temp dir; its path. */
function credentialFile(serial: string): string {
  const file = path.join(dir, `${serial}.jwt`);
  fs.writeFileSync(file, sealBySerial(serial)!.credential);
  return file;
}

/** Runs verify-seal on a seal's credential against the pinned issuer (the proxy); its exit code and JSON. */
async function verifyOnline(serial: string): Promise<{ code: number; out: Record<string, any>; stderr: string }> {
  const { code, stdout, stderr } = await verifySeal([credentialFile(serial), "--issuer", issuer]);
  if (!stdout.trim()) throw new Error(`verify-seal printed nothing: ${stderr}`);
  return { code, out: JSON.parse(stdout), stderr };
}

describe("verify-seal after a key rotation, with a cache holding the older JWKS", () => {
  let newSeal: string;
  let newKid: string;
  /** The issuer's JWKS as a buyer saved it before the rotation. */
  const oldJwksFile = path.join(dir, "jwks-before-rotation.json");

  beforeAll(async () => {
    const keys = signingKeys(getEnv().dataDir);
    cachedJwks = JSON.stringify(keys.jwks()); // what the CDN fetched before the rotation
    fs.writeFileSync(oldJwksFile, cachedJwks);
    const { active } = await keys.rotate();
    newKid = active.kid;
    newSeal = await approveDemoWatchSubmission(); // signed by the new key; so are the lists re-signed since
  });

  it("a seal signed by the new key is valid: the JWKS was fetched once more, past the cache, and the notes say so", async () => {
    jwksRequests.length = 0;
    const { code, out } = await verifyOnline(newSeal);
    expect(out.status).toBe("valid");
    expect(code).toBe(0);
    expect(out.kid).toBe(newKid);
    expect(jwksRequests).toEqual([null, "no-cache"]);
    expect(out.notes).toEqual([
      `the issuer's keys were fetched again (the first copy, from ${issuer}/.well-known/jwks.json, did not have the key ${newKid}: a cache may have held an older one)`,
    ]);
  }, 90_000);

  it("a seal signed before the rotation stays valid, though its status lists are now signed by the new key", async () => {
    jwksRequests.length = 0;
    const { code, out } = await verifyOnline(demoSealSerials()["Gator Kids Watch 3 3.1.0"]);
    expect(out.status).toBe("valid");
    expect(code).toBe(0);
    expect(jwksRequests).toEqual([null, "no-cache"]);
  }, 90_000);

  it("--jwks saved before the rotation: a seal signed by the new key is bad input (exit 2) asking for the current JWKS, not forged", async () => {
    const r = await verifySeal([credentialFile(newSeal), "--jwks", oldJwksFile, "--no-status"]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr.trim()).toBe(
      `${dir}/${newSeal}.jwt: the credential is signed with the key ${newKid}, which is not in ${oldJwksFile}: fetch the issuer's current /.well-known/jwks.json (a key set saved before a key rotation lacks the newer keys) and check again.`,
    );
    // Pinned too: the message names the pinned issuer's JWKS.
    const pinned = await verifySeal([
      credentialFile(newSeal),
      "--jwks",
      oldJwksFile,
      "--issuer",
      issuer,
      "--no-status",
    ]);
    expect([pinned.code, pinned.stdout]).toEqual([2, ""]);
    expect(pinned.stderr).toContain(`fetch the issuer's current ${issuer}/.well-known/jwks.json`);
  }, 90_000);

  it("--jwks saved before the rotation: status lists signed by the new key are bad input (exit 2) naming the key, fetched or given", async () => {
    const oldSeal = credentialFile(demoSealSerials()["Gator Kids Watch 3 3.1.0"]);
    const fetched = await verifySeal([oldSeal, "--jwks", oldJwksFile]);
    expect([fetched.code, fetched.stdout]).toEqual([2, ""]);
    expect(fetched.stderr.trim()).toBe(
      `The status list fetched from ${issuer}/status/revocation-1 is signed with the key ${newKid}, which is not in ${oldJwksFile}: fetch the issuer's current /.well-known/jwks.json (a key set saved before a key rotation lacks the newer keys) and check again.`,
    );
    const listFile = path.join(dir, "revocation-after-rotation.jwt");
    fs.writeFileSync(listFile, (await statusListCredential("revocation-1"))!.jws);
    const given = await verifySeal([oldSeal, "--jwks", oldJwksFile, "--status", listFile]);
    expect([given.code, given.stdout]).toEqual([2, ""]);
    expect(given.stderr.trim()).toMatch(
      new RegExp(
        `^The status list file ${listFile} is signed with the key ${newKid}, which is not in ${oldJwksFile}: fetch`,
      ),
    );
  }, 90_000);

  it("a key missing from the issuer's full key set (fetched again past the cache) is still never published: forged", async () => {
    const theirs = unverifiedPayload(sealBySerial(newSeal)!.credential) as SealCredential;
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    const file = path.join(dir, "unpublished-kid.jwt");
    fs.writeFileSync(file, signCredential(theirs, privateKey, "never-published-1"));
    jwksRequests.length = 0;
    const r = await verifySeal([file, "--issuer", issuer]);
    expect(r.code).toBe(1);
    expect(jwksRequests).toEqual([null, "no-cache"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "forged", reason: FORGERY_MESSAGES.unknown_kid });
  }, 90_000);

  it("with the cache up to date, the JWKS is fetched once", async () => {
    cachedJwks = null;
    jwksRequests.length = 0;
    const { code, out } = await verifyOnline(newSeal);
    expect(out.status).toBe("valid");
    expect(code).toBe(0);
    expect(jwksRequests).toEqual([null]);
    expect(out.notes).toEqual([]);
  }, 90_000);
});
