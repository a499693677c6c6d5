// /admin/conflicts as Remix calls its action: a declaration says whom it concerns by name, and one refused (already
// declared) keeps what the admin chose and typed, so the form is not emptied under them.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { organizations, users } from "../../../db/schema";
import { seedDemoData } from "../../support/demo-seed";
import { db } from "../../../app/platform/db.server";
import { action } from "../../../app/routes/admin.conflicts";
import { sessionCookie } from "../../support/http";

let cookie: string;
let bramId: string;
let gatorId: string;

beforeAll(async () => {
  await seedDemoData();
  cookie = await sessionCookie("admin@demo.test", "203.0.113.71");
  bramId = db().select().from(users).where(eq(users.email, "assessor2@demo.test")).get()!.id;
  gatorId = db().select().from(organizations).where(eq(organizations.name, "Gator Wearables Ltd")).get()!.id;
});

type Answer = { ok: boolean; notice?: string; formError?: string; values?: Record<string, string> };

async function declare(fields: Record<string, string>): Promise<{ status: number; body: Answer }> {
  const request = new Request("http://localhost/admin/conflicts", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams(fields),
  });
  const out = (await action({ request, params: {}, context: {} } as never)) as unknown;
  if (out && typeof out === "object" && "init" in out && "data" in out) {
    const d = out as { data: Answer; init: { status?: number } | null };
    return { status: d.init?.status ?? 200, body: d.data };
  }
  return { status: 200, body: out as Answer };
}

describe("declaring a conflict of interest", () => {
  it("names the assessor and the supplier; a second declaration is refused with the form as it was", async () => {
    const fields = { assessorId: bramId, organizationId: gatorId, reason: "Advised Gator on its app in 2025." };
    const first = await declare(fields);
    expect(first.body.notice).toMatch(
      /^Conflict of interest recorded: Bram Assessor can no longer review Gator Wearables Ltd's submissions/,
    );
    const again = await declare({ ...fields, reason: "Typed again by mistake." });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      ok: false,
      formError: "Bram Assessor is already declared conflicted with Gator Wearables Ltd.",
      values: { assessorId: bramId, organizationId: gatorId, reason: "Typed again by mistake." },
    });
  });
});
