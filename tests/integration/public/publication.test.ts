// Decision record 028: the public artefacts published as static files, so that a seal verifies
// with the portal down. The demo data is seeded with PUBLIC_URL set to a static server that serves
// only the published folder (honouring its _headers); the offline verifier (scripts/verify-seal.ts)
// is then run against that server, as a separate process, with --issuer naming it.
import { execFile, type ExecFileException } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicationTargets } from "../../../db/schema";
import { db } from "../../../app/platform/db.server";
import { leaseOf } from "../../../app/platform/leases.server";
import { getEnv } from "../../../app/platform/env.server";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { sealPdf } from "../../../app/features/certification/seals.server";
import { changeSealStatus } from "../../../app/features/trust/seal-status.server";
import { publicationState, publishArtefacts } from "../../../app/features/public/publication.server";
import { folderSink, type PublicationSink } from "../../../app/features/public/adapters/publication-sinks.server";
import { asha } from "../../support/actors";
import { approveDemoWatchSubmission } from "../../support/submissions";
import { startFastRoutes } from "../../support/http";
import { serveStatic, type StaticServer } from "../../support/static-server";

const ROOT = path.resolve(__dirname, "../../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const GTIN14 = "05060123450002";

let site: StaticServer;
let folder: string;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "iotseal-publish-"));
  // The static host exists first: its URL is the issuer the credentials name.
  folder = path.join(process.env.DATA_DIR!, "public-artefacts"); // PUBLISH_TO's default
  site = await serveStatic(folder);
  process.env.PUBLIC_URL = site.base;
  delete process.env.PUBLISH_TO;
  await seedDemoData();
});
afterAll(async () => {
  await site.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Runs the offline verifier on a seal's PDF against the static host, as a user would. */
function verifyPdf(serial: string): Promise<{ code: number; out: { status: string; reason?: string } }> {
  const file = path.join(work, `${serial}.pdf`);
  fs.writeFileSync(file, sealPdf(serial)!.pdf);
  return new Promise((done, fail) => {
    execFile(
      TSX,
      ["scripts/verify-seal.ts", file, "--issuer", site.base],
      // No DATA_DIR, no PUBLIC_URL: the verifier knows only the issuer it is told to trust.
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test" },
        timeout: 60_000,
      },
      (error: ExecFileException | null, stdout: string, stderr: string) => {
        if (error && typeof error.code !== "number") return fail(error);
        if (!stdout.trim()) return fail(new Error(`verify-seal printed nothing: ${stderr}`));
        done({ code: error ? Number(error.code) : 0, out: JSON.parse(stdout) });
      },
    );
  });
}

const published = (urlPath: string) => fs.readFileSync(path.join(folder, urlPath));
const listFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));

const issueWatchSeal = approveDemoWatchSubmission;

describe("static publication: a seal verifies from the published folder alone", () => {
  let serial: string;

  it("the first run publishes everything, at the portal's paths, with a _headers manifest", async () => {
    const report = (await publishArtefacts())!;
    expect(report.full).toBe(true);
    expect(report.target).toBe(folder);
    const serials = Object.values(demoSealSerials());
    expect(report.seals).toBe(serials.length);
    for (const s of serials) {
      expect(fs.existsSync(path.join(folder, "s", s, "credential"))).toBe(true);
      expect(fs.existsSync(path.join(folder, "s", s, "seal.pdf"))).toBe(true);
      expect(fs.existsSync(path.join(folder, "api", "v1", "seals", s))).toBe(true);
    }
    for (const p of [
      "_headers",
      ".well-known/jwks.json",
      ".well-known/jwt-vc-issuer",
      ".well-known/gs1resolver",
      ".well-known/security.txt",
      ".well-known/csaf/provider-metadata.json",
      ".well-known/csaf/white/index.txt",
      "contexts/seal/v1.jsonld",
      "status/revocation-1",
      "status/suspension-1",
      "log/checkpoint",
      "log/keys",
      "log/tile/0/000.p/" + (report.logSize % 256 || 256),
      `01/${GTIN14}`,
    ])
      expect(fs.existsSync(path.join(folder, p)), p).toBe(true);
    expect(report.logSize).toBeGreaterThan(0);
    // Atomic writes leave no temporary file behind.
    expect(listFiles(folder).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("the static host answers with the portal's bytes and headers", async () => {
    const portal = await startFastRoutes();
    try {
      const paths = [
        "/.well-known/jwks.json",
        "/.well-known/jwt-vc-issuer",
        "/.well-known/gs1resolver",
        "/log/checkpoint",
        "/log/keys",
        "/status/revocation-1",
        "/.well-known/csaf/provider-metadata.json",
        "/.well-known/csaf/white/index.txt",
      ];
      const checkpoint = (await (await fetch(`${site.base}/log/checkpoint`)).text()).split("\n");
      const size = Number(checkpoint[1]);
      paths.push(`/log/tile/0/000.p/${size % 256}`, `/log/tile/entries/000.p/${size % 256}`);
      for (const p of paths) {
        const [a, b] = await Promise.all([fetch(`${portal.base}${p}`), fetch(`${site.base}${p}`)]);
        expect(a.status, p).toBe(200);
        expect(b.status, p).toBe(200);
        expect(Buffer.from(await b.arrayBuffer()).equals(Buffer.from(await a.arrayBuffer())), p).toBe(true);
        expect(b.headers.get("content-type"), p).toBe(a.headers.get("content-type"));
        expect(b.headers.get("access-control-allow-origin"), p).toBe("*");
        // A static copy's status list is kept by caches only as long as it surely stays valid (decision 028).
        if (!p.startsWith("/status/")) expect(b.headers.get("cache-control"), p).toBe(a.headers.get("cache-control"));
      }
      const list = await fetch(`${site.base}/status/revocation-1`);
      expect(list.headers.get("cache-control")).toBe("public, max-age=60, s-maxage=240, stale-if-error=0");
      // The seal answer: the same but for the time it was checked.
      const watch = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
      const [a, b] = await Promise.all([
        fetch(`${portal.base}/api/v1/seals/${watch}`).then((r) => r.json()),
        fetch(`${site.base}/api/v1/seals/${watch}`).then((r) => r.json()),
      ]);
      expect({ ...b, checkedAt: null }).toEqual({ ...a, checkedAt: null });
      // The linkset, as ?linkType=linkset answers it (a static host ignores the query).
      const linkset = await fetch(`${portal.base}/01/${GTIN14}?linkType=linkset`);
      const staticLinkset = await fetch(`${site.base}/01/${GTIN14}?linkType=linkset`);
      expect(await staticLinkset.text()).toBe(await linkset.text());
      expect(staticLinkset.headers.get("content-type")).toBe("application/linkset+json");
      // Credentials and certificates: the stored bytes.
      expect((await fetch(`${site.base}/s/${watch}/credential`)).headers.get("content-type")).toBe(
        "application/vc+jwt",
      );
      const pdf = await fetch(`${site.base}/s/${watch}/seal.pdf`);
      expect(pdf.headers.get("content-type")).toBe("application/pdf");
      expect(Buffer.from(await pdf.arrayBuffer()).equals(sealPdf(watch)!.pdf)).toBe(true);
    } finally {
      await portal.close();
    }
  });

  it("a seal issued after is published by the next run, and verify-seal says valid from the static host", async () => {
    serial = await issueWatchSeal();
    expect(fs.existsSync(path.join(folder, "s", serial, "credential"))).toBe(false);
    const report = (await publishArtefacts())!;
    expect(report.full).toBe(false);
    expect(report.seals).toBe(2); // the product's seals: the new one and its sibling (its answer may change)
    expect(report.tiles).toBeGreaterThan(0);
    expect(published(`/s/${serial}/credential`).toString()).toBe(
      db()
        .query.seals.findFirst({ where: (s, { eq: e }) => e(s.serial, serial) })
        .sync()!.credential,
    );
    const before = site.requests.length;
    const { code, out } = await verifyPdf(serial);
    expect(out.status).toBe("valid");
    expect(code).toBe(0);
    // It fetched the keys, both status lists and the seal's answer from the static host.
    expect(site.requests.slice(before)).toEqual(
      expect.arrayContaining([
        "/.well-known/jwks.json",
        "/status/revocation-1",
        "/status/suspension-1",
        `/api/v1/seals/${serial}`,
      ]),
    );
  }, 90_000);

  it("revoked, published again: verify-seal says revoked", async () => {
    changeSealStatus(asha(), {
      serial,
      action: "revoke",
      reason: "The certified firmware was withdrawn by the supplier.",
      confirmSerial: serial,
    });
    await publishArtefacts();
    const { code, out } = await verifyPdf(serial);
    expect(out.status).toBe("revoked");
    expect(code).toBe(1);
  }, 90_000);

  it("nothing changed: a run writes nothing", async () => {
    const report = (await publishArtefacts())!;
    expect(report.written).toBe(0);
    expect(report.seals).toBe(0);
  });

  it("a target emptied since (a new disk, a restore) is published whole again", async () => {
    const notTiles = (files: string[]) => files.filter((f) => !f.includes(`${path.sep}tile${path.sep}`)).sort();
    const before = listFiles(folder);
    fs.rmSync(folder, { recursive: true });
    const report = (await publishArtefacts())!;
    expect(report.full).toBe(true);
    const after = listFiles(folder);
    expect(notTiles(after)).toEqual(notTiles(before));
    // The tiles of the current checkpoint (older partial widths are not needed: clients fall back to full tiles).
    const w = report.logSize % 256;
    for (const t of [`log/tile/0/000.p/${w}`, `log/tile/entries/000.p/${w}`])
      expect(fs.existsSync(path.join(folder, t)), t).toBe(true);
  });

  it("a failing target fails only the run: the change stands, the cursor stays, the next run publishes it", async () => {
    const watch = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
    const cursor = publicationState()!.eventCursor;
    changeSealStatus(asha(), { serial: watch, action: "suspend", reason: "Suspended while a report is checked." });
    const broken: PublicationSink = {
      name: "broken",
      put: () => Promise.reject(new Error("disk full")),
      has: () => Promise.resolve(true),
      get: () => Promise.reject(new Error("disk full")),
      removeTree: () => Promise.reject(new Error("disk full")),
      remove: () => Promise.reject(new Error("disk full")),
    };
    await expect(publishArtefacts({ sink: broken })).rejects.toThrow("disk full");
    const state = publicationState()!;
    expect(state.eventCursor).toBe(cursor);
    expect(state.lastError).toBe("disk full");
    expect(state.failures).toBe(1);
    expect(state.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(leaseOf(`publication:${state.target}`)).toBeNull(); // released after the failed run
    await publishArtefacts();
    expect(JSON.parse(published(`/api/v1/seals/${watch}`).toString()).status).toBe("suspended");
    const after = db().select().from(publicationTargets).get()!;
    expect(after.failures).toBe(0);
    expect(after.lastError).toBeNull();
    const { code, out } = await verifyPdf(watch);
    expect(out.status).toBe("suspended");
    expect(code).toBe(1);
  }, 90_000);

  it("the folder sink replaces a file in one step and deletes superseded partial tiles", async () => {
    const sink = folderSink(path.join(work, "site"));
    await sink.put("log/tile/0/001.p/3", Buffer.from("old"), {});
    await sink.put("log/tile/0/001.p/3", Buffer.from("new"), {});
    expect(fs.readFileSync(path.join(work, "site/log/tile/0/001.p/3"), "utf8")).toBe("new");
    expect(fs.readdirSync(path.join(work, "site/log/tile/0/001.p"))).toEqual(["3"]); // no temporary file left
    await sink.removeTree("log/tile/0/001.p");
    expect(fs.existsSync(path.join(work, "site/log/tile/0/001.p"))).toBe(false);
    await expect(sink.put("../outside", Buffer.from("x"), {})).rejects.toThrow(/outside/);
  });

  it("the issuer the credentials name is the static host", () => {
    expect(getEnv().baseUrl).toBe(site.base);
  });
});
