// Pen test: a multipart upload whose Content-Type names no boundary (`multipart/form-data` alone, or
// `boundary=""`) made busboy throw from its constructor, and the upload answered 500 with a stack
// trace in the log. Every evidence upload (the uploader's JSON endpoint, the requirement page's form,
// the recurring-evidence form) answers it as any unreadable form: 400 "The form could not be read.",
// nothing stored, no stack trace.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Readable } from "node:stream";
import { seedDemoData } from "../../support/demo-seed";
import { demoSealSerials } from "../../../app/demo/seed-seals.server";
import { receiveMultipart, UploadError } from "../../../app/features/certification/adapters/multipart.server";
import { store } from "../../../app/features/certification/evidence.server";
import { action as requirementAction } from "../../../app/routes/supplier.submissions.$submissionId.requirements.$ref";
import { action as recurringAction } from "../../../app/routes/supplier.seals.$serial.recurring";
import { actorByEmail } from "../../support/actors";
import { sessionCookie, startFastRoutes, type TestServer } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

const UNREADABLE = "The form could not be read.";
const NO_BOUNDARY = ["multipart/form-data", 'multipart/form-data; boundary=""', "multipart/form-data; boundary="];

let server: TestServer;
let cookie: string;
let draft: string;
let serial: string; // the demo watch's seal: monitored, so its recurring form takes uploads

/** Everything written to the log while a test runs. */
const logged: string[] = [];

beforeAll(async () => {
  await seedDemoData();
  const grace = actorByEmail("supplier@demo.test");
  draft = openTestDraft(
    grace,
    addTestVersion(grace, createTestProduct(grace, { name: "Gator Bound", model: "GW-BND" })),
  );
  serial = demoSealSerials()["Gator Kids Watch 3 3.1.0"];
  cookie = await sessionCookie("supplier@demo.test", "203.0.113.31");
  server = await startFastRoutes();
});
afterAll(async () => {
  await server.close();
});

beforeAll(() => {
  for (const level of ["error", "warn", "log"] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? (a.stack ?? String(a)) : String(a))).join(" "));
    });
});
afterEach(() => {
  // One line per refusal at most, never a stack trace.
  for (const line of logged) expect(line).not.toMatch(/\n\s+at /);
  expect(logged.join("\n")).not.toContain("Boundary not found");
  logged.length = 0;
});
afterAll(() => vi.restoreAllMocks());

/** An action's answer as status and body (data(...) carries its status in init; a plain object is a 200). */
function answerOf(out: unknown): { status: number; body: { ok?: boolean; formError?: string } } {
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: { ok?: boolean; formError?: string }; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as { ok?: boolean; formError?: string } };
}

const post = (url: string, contentType: string) =>
  new Request(`http://localhost${url}`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": contentType },
    body: "x",
  });

describe("a multipart upload without a boundary is a 400 with a message, never a 500", () => {
  it("the parser refuses it before reading the body", async () => {
    for (const type of NO_BOUNDARY) {
      const error = await receiveMultipart(
        { headers: { "content-type": type }, body: Readable.from([Buffer.from("x")]) },
        { store: store(), maxFileBytes: 1024, maxFiles: 1 },
      ).catch((e: unknown) => e);
      expect(error, type).toBeInstanceOf(UploadError);
      expect({ type, status: (error as UploadError).status, message: (error as UploadError).message }).toEqual({
        type,
        status: 400,
        message: UNREADABLE,
      });
    }
  });

  it("the uploader's JSON endpoint (/supplier/submissions/<id>/evidence)", async () => {
    for (const type of NO_BOUNDARY) {
      const res = await fetch(`${server.base}/supplier/submissions/${draft}/evidence?ref=1`, {
        method: "POST",
        headers: { Cookie: cookie, "Content-Type": type },
        body: "x",
      });
      expect({ type, status: res.status, body: await res.json() }).toEqual({
        type,
        status: 400,
        body: { ok: false, status: 400, message: UNREADABLE },
      });
    }
  });

  it("the requirement page's form", async () => {
    for (const type of NO_BOUNDARY) {
      const r = answerOf(
        await requirementAction({
          request: post(`/supplier/submissions/${draft}/requirements/1`, type),
          params: { submissionId: draft, ref: "1" },
          context: {},
        } as never),
      );
      expect({ type, ...r }).toEqual({
        type,
        status: 400,
        body: { ok: false, formError: UNREADABLE, fieldErrors: {} },
      });
    }
  });

  it("the recurring-evidence form", async () => {
    for (const type of NO_BOUNDARY) {
      const r = answerOf(
        await recurringAction({
          request: post(`/supplier/seals/${serial}/recurring`, type),
          params: { serial },
          context: {},
        } as never),
      );
      expect({ type, ...r }).toEqual({
        type,
        status: 400,
        body: { ok: false, formError: UNREADABLE, fieldErrors: {}, values: {} },
      });
    }
  });
});
