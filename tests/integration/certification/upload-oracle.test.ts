// Issue 13.7: no cross-organisation "already stored" oracle. Evidence is stored once by its SHA-256,
// whoever uploads it, but the upload's answer (the requirement page's form and the uploader's JSON
// endpoint alike) must not depend on other organisations' files: supplier B uploading exactly the
// bytes supplier A uploaded gets the same answer as for bytes nobody ever sent.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evidenceFiles } from "../../../db/schema";
import { handleEvidenceUpload } from "../../../app/features/certification/evidence-upload.server";
import type { Actor } from "../../../app/platform/actor";
import { db } from "../../../app/platform/db.server";
import { actorByEmail } from "../../support/actors";
import { seedDemoData } from "../../support/demo-seed";
import { sessionCookie, startFastRoutes, type TestServer } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

let grace: Actor; // supplier A (Gator Wearables)
let sam: Actor; // supplier B (Brightnest)
let graceDraft: string;
let samDrafts: string[]; // four UK PSTI drafts of B's, to upload to the same requirement "1" of each
let server: TestServer;
let base: string;

const unique = (label: string) => `${label} ${crypto.randomUUID()}\n`; // bytes nobody sent before, sniffed as text

function multipart(files: { filename: string; body: string }[]): { body: Buffer; contentType: string } {
  const boundary = "----iotseal" + crypto.randomUUID();
  const parts = files.map(
    (f) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.filename}"\r\nContent-Type: text/plain\r\n\r\n${f.body}\r\n`,
  );
  return {
    body: Buffer.from(parts.join("") + `--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function uploadRequest(files: { filename: string; body: string }[]): Request {
  const { body, contentType } = multipart(files);
  return new Request("http://localhost/upload", {
    method: "POST",
    headers: { "Content-Type": contentType, "Content-Length": String(body.length) },
    body: new Uint8Array(body),
  });
}

function draftOf(actor: Actor, product: { name: string; model: string; url: string }, firmware: string[]): string[] {
  const productId = createTestProduct(actor, {
    name: product.name,
    model: product.model,
    category: "appliance",
    disclosurePolicyUrl: product.url,
  });
  return firmware.map((fw) => openTestDraft(actor, addTestVersion(actor, productId, fw)));
}

beforeAll(async () => {
  await seedDemoData();
  grace = actorByEmail("supplier@demo.test");
  sam = actorByEmail("supplier2@demo.test");
  [graceDraft] = draftOf(
    grace,
    { name: "Gator Oracle Tracker", model: "GW-OT1", url: "https://gatorwearables.example/security" },
    ["1.0.0"],
  );
  samDrafts = draftOf(
    sam,
    { name: "Brightnest Oracle Plug", model: "BN-OP1", url: "https://brightnest.example/security" },
    ["1.0.0", "1.0.1", "1.0.2", "1.0.3"],
  );
  server = await startFastRoutes();
  base = server.base;
});
afterAll(async () => {
  await server.close();
});

describe("issue 13.7: the upload answer does not reveal another organisation's files", () => {
  it("supplier B uploading the same bytes as supplier A gets exactly the same answer as for new bytes (the form's service)", async () => {
    const shared = unique("A's test report");
    expect(
      await handleEvidenceUpload(grace, uploadRequest([{ filename: "report.txt", body: shared }]), graceDraft, "1"),
    ).toMatchObject({ ok: true });
    const sameBytes = await handleEvidenceUpload(
      sam,
      uploadRequest([{ filename: "report.txt", body: shared }]),
      samDrafts[0],
      "1",
    );
    const newBytes = await handleEvidenceUpload(
      sam,
      uploadRequest([{ filename: "report.txt", body: unique("B's own report") }]),
      samDrafts[1],
      "1",
    );
    expect(sameBytes).toEqual(newBytes);
    expect(sameBytes).toEqual({ ok: true, count: 1, message: "Attached 1 file to requirement 1." });
    // Stored once all the same.
    const sha = crypto.createHash("sha256").update(shared).digest("hex");
    expect(db().select().from(evidenceFiles).where(eq(evidenceFiles.sha256, sha)).all()).toHaveLength(1);
  });

  it("and the same JSON from the uploader's endpoint", async () => {
    const cookie = await sessionCookie("supplier2@demo.test", "127.0.0.1");
    const post = async (draft: string, body: string) => {
      const m = multipart([{ filename: "scan.txt", body }]);
      const res = await fetch(`${base}/supplier/submissions/${draft}/evidence?ref=1`, {
        method: "POST",
        headers: { Cookie: cookie, "Content-Type": m.contentType },
        body: new Uint8Array(m.body),
      });
      return { status: res.status, json: await res.json() };
    };
    const shared = unique("A's scan");
    await handleEvidenceUpload(grace, uploadRequest([{ filename: "scan.txt", body: shared }]), graceDraft, "2");
    const sameBytes = await post(samDrafts[2], shared);
    const newBytes = await post(samDrafts[3], unique("B's scan"));
    expect(sameBytes).toEqual(newBytes);
    expect(sameBytes).toEqual({
      status: 200,
      json: { ok: true, count: 1, message: "Attached 1 file to requirement 1." },
    });
  });

  it("what it may say comes from the submission's own links: a file already attached to this requirement", async () => {
    const mine = unique("Grace's policy");
    await handleEvidenceUpload(grace, uploadRequest([{ filename: "policy.txt", body: mine }]), graceDraft, "3");
    expect(
      await handleEvidenceUpload(grace, uploadRequest([{ filename: "policy-again.txt", body: mine }]), graceDraft, "3"),
    ).toEqual({
      ok: true,
      count: 1,
      message: "That file was already attached to requirement 3: nothing changed.",
    });
    // With new files beside it, each is counted.
    const fresh = [unique("Grace's scan"), unique("Grace's log")];
    expect(
      await handleEvidenceUpload(
        grace,
        uploadRequest([
          { filename: "policy.txt", body: mine },
          { filename: "scan.txt", body: fresh[0] },
          { filename: "log.txt", body: fresh[1] },
        ]),
        graceDraft,
        "3",
      ),
    ).toEqual({
      ok: true,
      count: 3,
      message: "Attached 2 files to requirement 3; 1 other was already attached there and did not change.",
    });
  });
});
