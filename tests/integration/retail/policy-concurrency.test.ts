// Two buyers of one organisation editing one acceptance policy (retail/policies.server.ts savePolicy,
// and the policy page's action called directly with a real session): a save over a colleague's newer
// version is refused with a conflict (409), nothing written, the buyer's typed values kept; saving again
// over the version now shown goes through; a form without its version stamp is refused, not saved.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { acceptancePolicies } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { nowMs, testClock } from "../../../app/platform/clock.server";
import {
  getPolicy,
  policyChangedMeanwhile,
  policyFromForm,
  savePolicy,
  STALE_POLICY_FORM,
} from "../../../app/features/retail/policies.server";
import { action } from "../../../app/routes/retailer.policies.$policyId";
import { buyer } from "../../support/actors";
import { sessionCookie } from "../../support/http";

let cookie: string;

beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("buyer@demo.test", "192.0.2.42");
}, 180_000); // the demo seed, on a busy machine
afterEach(() => testClock.reset());

const row = (id: string) => db().select().from(acceptancePolicies).where(eq(acceptancePolicies.id, id)).get()!;

/** A small policy of the demo buyer's, as the service takes it. */
function newPolicy(name: string): string {
  return savePolicy(buyer(), {
    name,
    category: "any",
    accepted: [],
    requiredProvisions: [],
    minSupportMonths: null,
    blockingFindingSeverity: null,
    maxSealAgeMonths: null,
  });
}

/** The policy's edit form as the page fills it in (its version stamp included). */
function formOf(id: string): Record<string, string> {
  const p = row(id);
  return {
    updatedAt: String(p.updatedAt.getTime()),
    name: p.name,
    category: p.category,
    requiredProvisions: p.requiredProvisions.join("\n"),
    minSupport: "",
    minSupportUnit: "years",
    maxSealAgeMonths: p.maxSealAgeMonths === null ? "" : String(p.maxSealAgeMonths),
    blockingFindingSeverity: p.blockingFindingSeverity ?? "",
  };
}

/** The form's fields as the service's input. */
function inputOf(fields: Record<string, string>): unknown {
  const form = policyFromForm(fields);
  if (!form.ok) throw new Error(JSON.stringify(form.fieldErrors));
  return form.value;
}

interface Result {
  status: number;
  body: { ok: boolean; formError?: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };
}

/** Posts the policy page's form as the demo buyer; the action's status and body. */
async function postEdit(id: string, fields: Record<string, string>): Promise<Result> {
  const request = new Request(`http://localhost/retailer/policies/${id}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Cookie: cookie, "content-type": "application/x-www-form-urlencoded" },
  });
  const out = (await action({ request, params: { policyId: id }, context: {} } as never)) as unknown;
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Result["body"]; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Result["body"] };
}

describe("a save over a colleague's newer version of a policy", () => {
  it("is refused, naming when the other save was made; nothing is written; the version now shown saves", () => {
    const id = newPolicy("Smart speakers");
    const opened = getPolicy(buyer(), id).updatedAt.getTime(); // both buyers open the form
    savePolicy(buyer(), inputOf({ ...formOf(id), maxSealAgeMonths: "24" }), id, { updatedAt: opened });
    const saved = row(id);
    expect(() =>
      savePolicy(buyer(), inputOf({ ...formOf(id), maxSealAgeMonths: "12" }), id, { updatedAt: opened }),
    ).toThrow(policyChangedMeanwhile(saved.updatedAt));
    expect(policyChangedMeanwhile(saved.updatedAt)).toMatch(
      /^Someone else saved this policy at .+ UTC, after you opened it\. Your changes are not saved yet/,
    );
    expect(row(id)).toEqual(saved);
    savePolicy(buyer(), inputOf({ ...formOf(id), maxSealAgeMonths: "12" }), id, {
      updatedAt: saved.updatedAt.getTime(),
    });
    expect(row(id).maxSealAgeMonths).toBe(12);
  });

  it("two saves within one millisecond (a stopped clock) still get two versions", () => {
    const id = newPolicy("Cameras");
    testClock.set(nowMs());
    const v0 = row(id).updatedAt.getTime();
    savePolicy(buyer(), inputOf({ ...formOf(id), maxSealAgeMonths: "6" }), id, { updatedAt: v0 });
    const v1 = row(id).updatedAt.getTime();
    expect(v1).toBeGreaterThan(v0);
    expect(() => savePolicy(buyer(), inputOf({ ...formOf(id), maxSealAgeMonths: "7" }), id, { updatedAt: v0 })).toThrow(
      /Someone else saved this policy/,
    );
  });

  it("through the policy page: 409, the message over the form, and the buyer's input kept", async () => {
    const id = newPolicy("Hubs");
    const stale = formOf(id);
    const first = await postEdit(id, { ...formOf(id), maxSealAgeMonths: "24" });
    expect(first).toMatchObject({ status: 200, body: { ok: true } });
    const r = await postEdit(id, { ...stale, name: "Hubs and bridges", maxSealAgeMonths: "6" });
    expect(r.status).toBe(409);
    expect(r.body.formError).toMatch(/^Someone else saved this policy at /);
    expect(r.body.values).toMatchObject({ name: "Hubs and bridges", maxSealAgeMonths: "6" });
    expect(row(id)).toMatchObject({ name: "Hubs", maxSealAgeMonths: 24 });
  });

  it("a form without its version stamp (a page from before) is refused with a message, not saved", async () => {
    const id = newPolicy("Plugs");
    const { updatedAt: _, ...fields } = formOf(id);
    for (const bad of [fields, { ...fields, updatedAt: "yesterday" }]) {
      const r = await postEdit(id, { ...bad, name: "Plugs and sockets" });
      expect(r.status).toBe(400);
      expect(r.body.formError).toBe(STALE_POLICY_FORM);
      expect(r.body.values).toMatchObject({ name: "Plugs and sockets" });
    }
    expect(row(id).name).toBe("Plugs");
  });
});
