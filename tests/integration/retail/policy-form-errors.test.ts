// The policy form names every problem at once: a seal age the form cannot read ("1e9") no longer
// hides an over-long name and an out-of-range support period until the next round.
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../support/demo-seed";
import { policyFromForm } from "../../../app/features/retail/policies.server";

beforeAll(async () => {
  await seedDemoData();
}, 120_000);

describe("the policy form's problems, all at once", () => {
  it("an unreadable field and the policy's own rules are reported together", () => {
    const r = policyFromForm({
      name: "N".repeat(3000),
      category: "any",
      minSupport: "99999999999",
      minSupportUnit: "months",
      maxSealAgeMonths: "1e9",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors.maxSealAgeMonths).toMatch(/maximum seal age/);
    expect(r.fieldErrors.name).toBe("The policy name must be at most 100 characters.");
    expect(r.fieldErrors.minSupport).toMatch(/at most 240 months/);
  });

  it("a form without problems is read as before", () => {
    const r = policyFromForm({ name: "Shop floor", category: "any", minSupport: "2", minSupportUnit: "years" });
    expect(r).toMatchObject({ ok: true, value: { name: "Shop floor", minSupportMonths: 24 } });
  });
});
