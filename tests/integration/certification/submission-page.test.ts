// The supplier's submission page (its route's action, called directly with a real session): a refused
// action from a stale page (409) makes the page load again, so the retry is not refused the same way;
// the conflict says it may be another tab; withdrawing asks first and says what follows. A product
// whose support period has ended is refused at submission, with its end date and how to extend it,
// and its draft says so as soon as it is opened.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { submissions } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { testClock } from "../../../app/platform/clock.server";
import { db } from "../../../app/platform/db.server";
import type { Actor } from "../../../app/platform/actor";
import { saveAnswer, submissionView, submitSubmission } from "../../../app/features/certification/submissions.server";
import { action, shouldRevalidate } from "../../../app/routes/supplier.submissions.$submissionId._index";
import { shouldRevalidate as reviewShouldRevalidate } from "../../../app/routes/assessor.submissions.$submissionId._index";
import { actorByEmail } from "../../support/actors";
import { sessionCookie } from "../../support/http";
import { addTestVersion, createTestProduct, openTestDraft, submissionVersion } from "../../support/submissions";

let grace: Actor;
let cookie: string;

interface Result {
  status: number;
  body: { ok: boolean; formError?: string; fieldErrors?: Record<string, string>; notice?: string };
}

/** Posts the submission page's form as the demo supplier; the action's answer as status and body. */
async function post(id: string, fields: Record<string, string>): Promise<Result> {
  const request = new Request(`http://localhost/supplier/submissions/${id}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
  });
  const out = (await action({ request, params: { submissionId: id }, context: {} } as never)) as unknown;
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Result["body"]; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Result["body"] };
}

/** A PSTI draft of a new product of Grace's, every requirement answered (no evidence file possible, said why). */
function readyDraft(name: string, model: string, supportPeriodEnd = "2030-01-31"): string {
  const id = openTestDraft(grace, addTestVersion(grace, createTestProduct(grace, { name, model, supportPeriodEnd })));
  for (const ref of ["1", "2", "3"])
    saveAnswer(grace, id, ref, {
      claim: "implemented",
      justification: `How requirement ${ref} is met.`,
      noEvidenceReason: "Shown to the assessor in a live session.",
    });
  return id;
}

const status = (id: string) => db().select().from(submissions).where(eq(submissions.id, id)).get()!.status;

const revalidates = (fn: typeof shouldRevalidate, actionStatus: number) =>
  fn({ actionStatus, defaultShouldRevalidate: false } as Parameters<typeof shouldRevalidate>[0]);

beforeAll(async () => {
  await seedDemoData();
  grace = actorByEmail("supplier@demo.test");
  cookie = await sessionCookie("supplier@demo.test", "203.0.113.22");
});
afterEach(() => testClock.reset());

describe("a stale page", () => {
  it("is refused with a 409 that does not blame someone else, and the page loads again so the retry works", async () => {
    const id = readyDraft("Gator Tab Tracker", "GW-TT1");
    const opened = submissionVersion(id);
    saveAnswer(grace, id, "1", {
      claim: "implemented",
      justification: "Edited in another tab.",
      noEvidenceReason: "Shown to the assessor in a live session.",
    });
    const r = await post(id, { intent: "submit", version: String(opened) });
    expect(r.status).toBe(409);
    expect(r.body.formError).toBe(
      "This submission changed since you opened it (in another tab, or by a colleague or an assessor). The page now shows its current state; check it and try again.",
    );
    expect(r.body.formError).not.toMatch(/someone else acted/);
    // Single fetch does not load the page again after a 4xx by itself: this page asks for it, so the
    // form then carries the current version.
    expect(revalidates(shouldRevalidate, 409)).toBe(true);
    expect(revalidates(shouldRevalidate, 400)).toBe(false);
    expect(revalidates(reviewShouldRevalidate, 409)).toBe(true);
    const retry = await post(id, { intent: "submit", version: String(submissionVersion(id)) });
    expect(retry.body).toMatchObject({
      ok: true,
      notice: "Submitted for assessment. Answers and evidence are now frozen.",
    });
    expect(status(id)).toBe("submitted");
  });
});

describe("withdrawing", () => {
  it("asks first (the tick box), then says it cannot be resubmitted and what to do instead", async () => {
    const id = readyDraft("Gator Clip Tracker", "GW-CT1");
    submitSubmission(grace, id, submissionVersion(id));
    const refused = await post(id, { intent: "withdraw", version: String(submissionVersion(id)) });
    expect(refused.status).toBe(400);
    expect(refused.body.formError).toBe(
      "Tick the box to confirm that the submission is withdrawn for good and cannot be resubmitted.",
    );
    expect(refused.body.fieldErrors?.confirm).toBe(refused.body.formError);
    expect(status(id)).toBe("submitted");
    const done = await post(id, { intent: "withdraw", version: String(submissionVersion(id)), confirm: "yes" });
    expect(done.body.ok).toBe(true);
    expect(done.body.notice).toMatch(
      /^Submission withdrawn\. It cannot be resubmitted: to have this firmware assessed, open a new submission for it\./,
    );
    expect(status(id)).toBe("withdrawn");
  });
});

describe("a product whose security support period has ended", () => {
  it("is warned on its draft and refused at submission, with the end date and how to extend it", async () => {
    const id = readyDraft("Gator Old Tracker", "GW-OT1", "2030-01-31");
    expect(submissionView(grace, id).supportEnded).toBeNull();
    testClock.set(Date.parse("2030-02-15T12:00:00Z"));
    const message =
      "The security support period of Gator Old Tracker ended on 31 Jan 2030, so no seal can be issued for it. " +
      "Extend the support period first: on the product's page, under Product details, set a later end date for " +
      "security updates (a support period can be extended, never shortened), then submit.";
    expect(submissionView(grace, id).supportEnded).toBe(message);
    expect(() => submitSubmission(grace, id, submissionVersion(id))).toThrow(message);
    expect(status(id)).toBe("draft");
  });
});

describe("a mandatory requirement claimed not implemented", () => {
  it("keeps the submission submittable, and the draft warns that as answered it cannot be approved at this level", async () => {
    const id = readyDraft("Gator Honest Tracker", "GW-HT1");
    expect(submissionView(grace, id).notImplemented).toBeNull();
    saveAnswer(grace, id, "2", {
      claim: "not_implemented",
      justification: "No vulnerability disclosure policy is published yet.",
      noEvidenceReason: "",
    });
    const view = submissionView(grace, id);
    expect(view.progress.blockers).toEqual([]);
    expect(view.notImplemented).toEqual({
      refs: ["2"],
      warning:
        "Mandatory requirement 2 is claimed not implemented. Approval at this level (Baseline) needs every mandatory " +
        "requirement met, so as answered the assessment cannot approve this submission (unless the assessor finds it " +
        "met after all). You can still submit it as it is.",
    });
    const done = await post(id, { intent: "submit", version: String(submissionVersion(id)) });
    expect(done.body.ok).toBe(true);
    expect(status(id)).toBe("submitted");
    expect(submissionView(grace, id).notImplemented).toBeNull(); // frozen: nothing left to decide before submitting
  });
});
