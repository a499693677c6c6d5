// The vulnerability report's page and the CSAF import page, their actions called directly with a
// real session (what a browser without JavaScript gets back): each problem is on its own field in
// plain words (a post without the report's hidden version is the form's problem, not the deadline's;
// a missing fixed-in version is on its field), a refused CSAF paste comes back in its field, and the
// supplier whose fix is in an unregistered firmware is the one the page asks to act.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findings } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { recordFinding } from "../../../app/features/findings/findings.server";
import { action as findingAction, loader as findingLoader } from "../../../app/routes/findings.$findingId";
import { action as csafAction } from "../../../app/routes/assessor.advisories._index";
import { action as newFindingAction } from "../../../app/routes/findings.new";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct } from "../../support/submissions";

let supplier: string; // session cookies
let assessor: string;
let id: string; // a high report on a product of Gator's, under embargo

interface Answer {
  status: number;
  body: { ok: boolean; formError?: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };
}

/** What an action returned, as status and body (a plain object is a 200; data(...) carries its status). */
function answer(out: unknown): Answer {
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Answer["body"]; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Answer["body"] };
}

async function post(cookie: string, fields: Record<string, string>): Promise<Answer> {
  const request = new Request(`http://localhost/findings/${id}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
  });
  return answer(await findingAction({ request, params: { findingId: id }, context: {} } as never));
}

const version = () => String(db().select().from(findings).where(eq(findings.id, id)).get()!.version);

beforeAll(async () => {
  await seedDemoData();
  const grace = actorByEmail("supplier@demo.test");
  const productId = createTestProduct(grace, { name: "Gator Form Tracker", model: "GW-FT1" });
  const versionId = addTestVersion(grace, productId, "1.0.0");
  id = recordFinding(actorByEmail("assessor1@demo.test"), {
    productId,
    versionIds: [versionId],
    title: "Tracker answers unauthenticated BLE reads",
    description: "The tracker's location characteristic is readable without pairing.",
    severity: "high",
    reporter: "A researcher",
    reportedOn: new Date().toISOString().slice(0, 10),
  });
  supplier = await sessionCookie("supplier@demo.test", "203.0.113.71");
  assessor = await sessionCookie("assessor1@demo.test", "203.0.113.72");
}, 60_000); // the demo seed and two logins, under a loaded machine

describe("the deadline extension form", () => {
  it("a post without the report's version: the form is told to reload, no field blamed, never zod's words", async () => {
    const r = await post(assessor, { intent: "extend", deadline: "2099-01-01", reason: "The fix ships next month." });
    expect(r.status).toBe(400);
    expect(r.body.formError).toBe("The form is missing the report's version; reload the page and try again.");
    expect(r.body.fieldErrors).toEqual({});
    expect(JSON.stringify(r.body)).not.toMatch(/Invalid input|NaN/);
  });

  it("each problem on its own field: a bad date on the deadline, a missing or short reason on the reason", async () => {
    const missing = await post(assessor, { intent: "extend", version: version() });
    expect(missing.body.fieldErrors).toEqual({
      deadline: "Enter the new deadline.",
      reason: "Explain why the deadline is extended (at least 10 characters).",
    });
    const short = await post(assessor, {
      intent: "extend",
      deadline: "2099-01-01",
      reason: "soon",
      version: version(),
    });
    expect(short.body.fieldErrors).toEqual({
      reason: "Explain why the deadline is extended (at least 10 characters).",
    });
    expect(JSON.stringify([missing.body, short.body])).not.toMatch(/Invalid input|NaN/);
  });
});

describe("the report's actions", () => {
  it("'fixed in' without a version: the message is on the version field", async () => {
    const r = await post(supplier, { action: "mark_fixed", note: "", fixedInVersion: "", version: version() });
    expect(r.status).toBe(400);
    expect(r.body.fieldErrors).toEqual({ fixedInVersion: "Enter the firmware version that contains the fix." });
    expect(r.body.values).toMatchObject({ action: "mark_fixed" }); // the page knows which form's field it is
  });

  it("a post without the report's version names the form, not zod's words", async () => {
    const r = await post(supplier, { action: "acknowledge", note: "" });
    expect(r.body.formError).toBe("The form is missing the report's version; reload the page and try again.");
    expect(r.body.fieldErrors).toEqual({});
  });

  it("a rejection without a reason: the message is on the note", async () => {
    await post(supplier, { action: "mark_fixed", note: "", fixedInVersion: "1.0.1", version: version() });
    const r = await post(assessor, { action: "reject_fix", note: "no", version: version() });
    expect(r.body.fieldErrors).toEqual({ note: "Say why (at least 10 characters)." });
  });

  it("fixed in an unregistered firmware: the supplier's page knows it is the supplier's turn", async () => {
    // (The fix claimed in the previous test is 1.0.1, which the product does not have.)
    const load = async (cookie: string) =>
      (await findingLoader({
        request: new Request(`http://localhost/findings/${id}`, { headers: { Cookie: cookie } }),
        params: { findingId: id },
        context: {},
      } as never)) as { fix: unknown; viewerIsSupplier: boolean; fixSeal: string | null };
    expect(await load(supplier)).toMatchObject({
      fix: { state: "announced", version: "1.0.1", registered: false },
      viewerIsSupplier: true,
      fixSeal: null,
    });
    expect((await load(assessor)).viewerIsSupplier).toBe(false);
  });
});

describe("the CSAF import", () => {
  it("a refused paste comes back in its field, as posted", async () => {
    const pasted = '{"document": {"csaf_version": "2.1"}, "note": "' + "x".repeat(5000) + '"}';
    const form = new FormData();
    form.set("document", pasted);
    const request = new Request("http://localhost/assessor/advisories", {
      method: "POST",
      body: form,
      headers: { Cookie: assessor },
    });
    const r = answer(await csafAction({ request, params: {}, context: {} } as never));
    expect(r.body.ok).toBe(false);
    expect(r.body.formError).toBeTruthy();
    expect(r.body.values).toEqual({ document: pasted });
    const broken = new FormData();
    broken.set("document", "{ not json");
    const again = answer(
      await csafAction({
        request: new Request("http://localhost/assessor/advisories", {
          method: "POST",
          body: broken,
          headers: { Cookie: assessor },
        }),
        params: {},
        context: {},
      } as never),
    );
    expect(again.body.values).toEqual({ document: "{ not json" });
  });
});

describe("recording a report: every problem in one round", () => {
  it("a bad title, a purl, a CVSS vector and a future date are all named at once, nothing recorded", async () => {
    const before = db().select().from(findings).all().length;
    const request = new Request("http://localhost/findings/new", {
      method: "POST",
      body: new URLSearchParams({
        productId: "x",
        versionIds: "y",
        title: "T".repeat(400),
        description: "The stream answers without credentials on the LAN.",
        severity: "medium",
        cvssVector: "CVSS:3.1/AV:X",
        affectedPurls: "not a purl",
        reporter: "A researcher",
        reportedOn: "2999-06-01",
      }),
      headers: { Cookie: assessor, "content-type": "application/x-www-form-urlencoded" },
    });
    const r = answer(await newFindingAction({ request, params: {}, context: {} } as never));
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.fieldErrors ?? {}).sort()).toEqual(
      ["affectedPurls", "cvssVector", "reportedOn", "title"].sort(),
    );
    expect(r.body.fieldErrors!.reportedOn).toBe("The report date cannot be in the future.");
    expect(r.body.fieldErrors!.cvssVector).toMatch(/AV \(Attack Vector\) must be one of/);
    expect(db().select().from(findings).all()).toHaveLength(before);
  });
});
