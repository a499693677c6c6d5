// The supplier's answer form (its route's action, called directly with a real session): a post without the
// revision it was opened at, a save over an answer changed in another tab, and over-long text are each refused
// with a message naming the field, and the stored answer stays as it was.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { answers } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { saveAnswer } from "../../../app/features/certification/submissions.server";
import { JUSTIFICATION_MAX, NO_EVIDENCE_REASON_MAX } from "../../../app/features/certification/domain/answers";
import { action } from "../../../app/routes/supplier.submissions.$submissionId.requirements.$ref";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft } from "../../support/submissions";

let cookie: string;
let draft: string; // a draft against UK PSTI 2023 (requirements 1, 2, 3)

interface Result {
  status: number;
  body: {
    ok: boolean;
    formError?: string;
    fieldErrors?: Record<string, string>;
    values?: Record<string, string>;
    unsaved?: { claim: string; justification: string; noEvidenceReason: string };
    notice?: string;
    incomplete?: { ref: string; problems: string[]; next: string };
  };
}

/** Posts the answer form of requirement `ref` as the demo supplier; the action's answer as status and body. */
async function post(ref: string, fields: Record<string, string>): Promise<Result> {
  const request = new Request(`http://localhost/supplier/submissions/${draft}/requirements/${ref}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
  });
  const out = (await action({ request, params: { submissionId: draft, ref }, context: {} } as never)) as unknown;
  // A plain object is a 200; data(...) carries its status in init.
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Result["body"]; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Result["body"] };
}

const stored = (ref: string) =>
  db()
    .select()
    .from(answers)
    .where(and(eq(answers.submissionId, draft), eq(answers.requirementRef, ref)))
    .get();

beforeAll(async () => {
  await seedDemoData();
  const grace = actorByEmail("supplier@demo.test");
  draft = openTestDraft(
    grace,
    addTestVersion(grace, createTestProduct(grace, { name: "Gator Form", model: "GW-FRM" })),
  );
  cookie = await sessionCookie("supplier@demo.test", "203.0.113.21");
});

describe("the answer form's route", () => {
  it("requires the revision: a post without one changes nothing and says so", async () => {
    saveAnswer(actorByEmail("supplier@demo.test"), draft, "1", {
      claim: "implemented",
      justification: "Stored.",
      noEvidenceReason: "",
    });
    for (const revision of [undefined, "", "abc"]) {
      const r = await post("1", {
        claim: "not_implemented",
        justification: "Overwrite?",
        ...(revision === undefined ? {} : { revision }),
      });
      expect(r.status).toBe(400);
      expect(r.body.fieldErrors?.revision).toMatch(/did not say which revision/);
      expect(r.body.formError).toMatch(/^Not saved\. Revision: The form did not say which revision/);
    }
    expect(stored("1")).toMatchObject({ justification: "Stored.", claim: "implemented", revision: 1 });
  });

  it("refuses a save over an answer changed since the form was opened, and sends back the unsaved text", async () => {
    // Tab B saves the unanswered requirement 2 first; tab A, opened at revision 0, saves after it.
    expect((await post("2", { claim: "implemented", justification: "Tab B.", revision: "0" })).body).toMatchObject({
      ok: true,
      notice: "Answer saved.",
    });
    const r = await post("2", {
      claim: "not_implemented",
      justification: "Tab A's text.",
      noEvidenceReason: "Tab A's reason.",
      revision: "0",
    });
    expect(r.status).toBe(409);
    expect(r.body.formError).toBe(
      "The answer to requirement 2 was changed (in another tab or by a colleague) after you opened it, so your change " +
        "was not saved. The saved answer is shown now; your text is below so you can copy it.",
    );
    expect(r.body.formError).not.toMatch(/someone else/i);
    // No form values to refill the form with (it shows the stored answer); the user's text, to copy.
    expect(r.body.values).toBeUndefined();
    expect(r.body.unsaved).toEqual({
      claim: "not_implemented",
      justification: "Tab A's text.",
      noEvidenceReason: "Tab A's reason.",
    });
    expect(stored("2")).toMatchObject({ justification: "Tab B.", claim: "implemented", revision: 1 });
    // Saving again from the form as it is now shown (the current revision) works.
    expect((await post("2", { claim: "implemented", justification: "Tab B, then A.", revision: "1" })).status).toBe(
      200,
    );
    expect(stored("2")).toMatchObject({ justification: "Tab B, then A.", revision: 2 });
  });

  it("names the over-long field at the top and gives the field its message; nothing is saved", async () => {
    const long = await post("3", {
      claim: "implemented",
      justification: "x".repeat(JUSTIFICATION_MAX + 1),
      revision: "0",
    });
    expect(long.status).toBe(400);
    expect(long.body.formError).toBe("Not saved. Justification: At most 10,000 characters.");
    expect(long.body.fieldErrors).toEqual({ justification: "At most 10,000 characters." });
    expect(long.body.values?.justification).toHaveLength(JUSTIFICATION_MAX + 1); // kept in the form

    const reason = await post("3", {
      claim: "implemented",
      justification: "Fine.",
      noEvidenceReason: "y".repeat(NO_EVIDENCE_REASON_MAX + 1),
      revision: "0",
    });
    expect(reason.status).toBe(400);
    expect(reason.body.formError).toBe("Not saved. If no evidence file is possible, why: At most 5,000 characters.");
    expect(reason.body.fieldErrors).toEqual({ noEvidenceReason: "At most 5,000 characters." });
    expect(stored("3")).toBeUndefined();

    // At the limits exactly, it saves.
    const atLimit = await post("3", {
      claim: "implemented",
      justification: "x".repeat(JUSTIFICATION_MAX),
      noEvidenceReason: "y".repeat(NO_EVIDENCE_REASON_MAX),
      revision: "0",
    });
    expect(atLimit.status).toBe(200);
    expect(stored("3")?.revision).toBe(1);
  });

  it('"save and go to next open" stays on an incomplete answer, saved, naming what it lacks and the way on', async () => {
    const incomplete = await post("1", { claim: "not_implemented", justification: "", revision: "1", next: "2" });
    expect(incomplete.status).toBe(200);
    expect(incomplete.body).toMatchObject({
      ok: true,
      incomplete: { ref: "1", problems: ['"Not implemented" needs a justification.'], next: "2" },
    });
    expect(stored("1")).toMatchObject({ claim: "not_implemented", justification: "", revision: 2 });

    // A complete answer goes on to the next open requirement.
    const request = new Request(`http://localhost/supplier/submissions/${draft}/requirements/1`, {
      method: "POST",
      body: new URLSearchParams({
        claim: "not_implemented",
        justification: "No updates yet.",
        revision: "2",
        next: "2",
      }),
      headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    const complete = (await action({
      request,
      params: { submissionId: draft, ref: "1" },
      context: {},
    } as never)) as Response;
    expect(complete.status).toBe(302);
    expect(complete.headers.get("Location")).toBe(`/supplier/submissions/${draft}/requirements/2`);
  });
});
