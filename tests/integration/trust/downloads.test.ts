// Issue 17: what a verifier that is not ours fetches. The credential download is the bare
// compact JWS (RFC 7515 section 7.1), byte-identical to the PDF's attachment and to the hash in
// the log leaf; downloads, keys, issuer metadata and status lists are fetchable cross-origin;
// the status lists' Cache-Control never lets a cache serve a list past its validUntil.
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { logLeaves } from "../../../db/schema";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import { getEnv } from "../../../app/platform/env.server";
import { sealBySerial } from "../../../app/features/certification/seals.server";
import { CREDENTIAL_ATTACHMENT } from "../../../app/features/trust/adapters/seal-pdf.server";
import { readSealPdf } from "../../../app/features/trust/adapters/pdf-read.server";
import { verifyStatusListCredential } from "../../../app/features/trust/domain/status-credential";
import { signingKeys } from "../../../app/features/trust/adapters/signing-keys.server";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { seedDemoData } from "../../support/demo-seed";
import { startFastRoutes, type TestServer } from "../../support/http";

let serial: string;
let server: TestServer;

beforeAll(async () => {
  await seedDemoData();
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  server = await startFastRoutes();
});
afterAll(() => server.close());
afterEach(() => testClock.reset());

async function download(route: "credential" | "seal.pdf", of = serial, ip = "192.0.2.17"): Promise<Response> {
  const { loader } =
    route === "credential"
      ? await import("../../../app/routes/s.$serial.credential")
      : await import("../../../app/routes/s.$serial.seal[.]pdf");
  return (await loader({
    request: new Request(`http://localhost/s/${of}/${route}`),
    params: { serial: of },
    context: { ip },
  } as never)) as Response;
}

describe("RFC 7515 section 7.1: /s/<serial>/credential is the bare compact JWS", () => {
  it("has no trailing characters and is byte-identical to the stored credential, the PDF attachment and the log leaf's hash", async () => {
    const res = await download("credential");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vc+jwt");
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString("ascii");
    expect(text).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(bytes.equals(Buffer.from(sealBySerial(serial)!.credential, "ascii"))).toBe(true);

    const pdf = Buffer.from(await (await download("seal.pdf")).arrayBuffer());
    const attached = (await readSealPdf(pdf)).attachments.get(CREDENTIAL_ATTACHMENT);
    expect(attached && bytes.equals(attached)).toBe(true);

    const issued = db()
      .select({ data: logLeaves.data })
      .from(logLeaves)
      .all()
      .map((l) => JSON.parse(l.data) as { event: string; serial: string; credentialSha256?: string })
      .find((l) => l.event === "issued" && l.serial === serial);
    expect(issued?.credentialSha256).toBe(crypto.createHash("sha256").update(bytes).digest("hex"));
  });
});

describe("CORS: a browser verifier on another origin can fetch", () => {
  it("the credential and the PDF", async () => {
    for (const route of ["credential", "seal.pdf"] as const)
      expect((await download(route)).headers.get("access-control-allow-origin"), route).toBe("*");
  });

  it("the JWKS, the issuer metadata and the status lists", async () => {
    for (const path of [
      "/.well-known/jwks.json",
      "/.well-known/jwt-vc-issuer",
      "/status/revocation-1",
      "/status/suspension-1",
    ]) {
      const res = await fetch(`${server.base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
    }
  });
});

describe("CORS and JSON on the error answers of the machine paths too", () => {
  it("the credential and the PDF of an unknown serial: 404, readable cross-origin", async () => {
    for (const route of ["credential", "seal.pdf"] as const) {
      const res = await download(route, "IOTS-0000-0000");
      expect(res.status, route).toBe(404);
      expect(res.headers.get("access-control-allow-origin"), route).toBe("*");
    }
  });

  it("the 429 of an address over the public pages' limit", async () => {
    let refused: Response | undefined;
    testClock.set(nowMs()); // no refill meanwhile
    for (let i = 0; i < getEnv().publicPagePerMinute + 1 && !refused; i++) {
      try {
        await download("credential", serial, "192.0.2.99");
      } catch (thrown) {
        if (!(thrown instanceof Response)) throw thrown;
        refused = thrown;
      }
    }
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(refused?.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("paths the API, the log and the status lists do not have: a JSON 404, never the HTML page", async () => {
    for (const path of [
      "/api",
      "/api/v2/seals/x",
      "/log",
      "/log/nope",
      "/status",
      "/status/a/b",
      `/status/${"x".repeat(65)}`,
    ]) {
      const res = await fetch(`${server.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(((await res.json()) as { error: string }).error, path).toBeTruthy();
    }
  });

  it("another method than GET on the JWKS and the issuer metadata: 405 with Allow", async () => {
    for (const path of ["/.well-known/jwks.json", "/.well-known/jwt-vc-issuer"])
      for (const method of ["POST", "PUT", "DELETE"]) {
        const res = await fetch(`${server.base}${path}`, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get("allow"), `${method} ${path}`).toBe("GET, HEAD");
        expect(res.headers.get("access-control-allow-origin"), `${method} ${path}`).toBe("*");
      }
  });
});

describe("SD-JWT VC issuer metadata: /.well-known/jwt-vc-issuer", () => {
  it("names the issuer exactly as the credentials do and the absolute URL of its JWKS", async () => {
    const res = await fetch(`${server.base}/.well-known/jwt-vc-issuer`);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    const body = (await res.json()) as { issuer: string; jwks_uri: string };
    const jws = sealBySerial(serial)!.credential;
    const credential = JSON.parse(Buffer.from(jws.split(".")[1], "base64url").toString("utf8"));
    expect(body).toEqual({ issuer: credential.issuer.id, jwks_uri: `${getEnv().baseUrl}/.well-known/jwks.json` });
    expect(new URL(body.jwks_uri).pathname).toBe("/.well-known/jwks.json");
  });
});

describe("Bitstring Status List: Cache-Control aligned with the list's ttl and validUntil", () => {
  async function served(path: string) {
    const res = await fetch(`${server.base}${path}`);
    const cc = res.headers.get("cache-control")!;
    const n = (name: string) => Number(new RegExp(`(?:^|[ ,])${name}=(\\d+)`).exec(cc)![1]);
    const list = await verifyStatusListCredential(await res.text(), signingKeys(getEnv().dataDir).jwks().keys);
    if (!list.ok) throw new Error(list.message);
    const validFor = (Date.parse(list.validUntil) - nowMs()) / 1000;
    return { cc, maxAge: n("max-age"), sMaxage: n("s-maxage"), staleIfError: n("stale-if-error"), validFor };
  }

  it("no cache may serve a list past its validUntil, stale-if-error included, freshly signed or later", async () => {
    const start = nowMs();
    for (const elapsedMs of [0, 60_000, 240_000, 299_000, 301_000]) {
      testClock.set(start + elapsedMs);
      for (const path of ["/status/revocation-1", "/status/suspension-1"]) {
        const h = await served(path);
        expect(h.cc).toMatch(/^public, /);
        expect(h.sMaxage + h.staleIfError, `${path} +${elapsedMs}ms: ${h.cc}`).toBeLessThanOrEqual(h.validFor);
        expect(h.maxAge + h.staleIfError, `${path} +${elapsedMs}ms: ${h.cc}`).toBeLessThanOrEqual(h.validFor);
        expect(h.staleIfError).toBeLessThan(86_400);
      }
    }
  });
});
