// Registering an organisation, confirmed by email (decision record 037), against a real database:
// /signup stores a request and mails a link; only the link with the password chosen creates the
// organisation and its user. The answer never says whether the address has an account.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mailOutbox, organizations, signupRequests, users } from "../../../db/schema";
import { login, resetRateLimits, userForSession } from "../../../app/features/accounts/auth.server";
import {
  confirmSignup,
  requestSignup,
  SIGNUP_LINK_PROBLEMS,
  SIGNUP_LINK_TTL_MS,
  SIGNUP_CONFIRM_MAX_FAILURES,
  SIGNUP_MAILS_PER_EMAIL,
  signupLinkState,
} from "../../../app/features/accounts/signup.server";
import {
  SIGNUP_ADDRESS_IN_USE_MAIL_KIND,
  SIGNUP_CONFIRM_MAIL_KIND,
} from "../../../app/features/notifications/domain/account-mail";
import { outboxMail, outboxPage } from "../../../app/features/notifications/outbox.server";
import { checkAuditChain, listAudit } from "../../../app/platform/audit.server";
import { testClock } from "../../../app/platform/clock.server";
import { db, transaction } from "../../../app/platform/db.server";
import { createOrganization } from "../../../app/features/accounts/users.server";
import { DEMO_PASSWORD } from "../../../app/demo/seed.server";
import { seedDemoData } from "../../support/demo-seed";
import { describeSweep, runLifecycleSweep } from "../../../app/system/sweep.server";
import { admin } from "../../support/actors";
import { confirmationTokenFor } from "../../support/signup";

beforeAll(async () => {
  await seedDemoData();
});
afterEach(() => {
  testClock.reset();
  resetRateLimits();
});

let n = 0;
const client = () => ({ ip: `198.51.100.${++n}`, userAgent: "vitest" });
const registration = (over: Partial<{ email: string; organizationName: string; password: string }> = {}) => ({
  kind: "supplier" as const,
  organizationName: over.organizationName ?? `Tiny Toys ${++n} Ltd`,
  name: "Tina Toy",
  email: over.email ?? `tina${n}@tinytoys.test`,
  password: over.password ?? "blocks and robots 2026",
});

const count = () => ({
  users: db().select().from(users).all().length,
  organizations: db().select().from(organizations).all().length,
});
/** The newest audit entry, its details read. */
function lastAudit() {
  const e = listAudit({ limit: 1 }).events[0];
  return { ...e, details: JSON.parse(String(e.details)) as Record<string, unknown> };
}
const mailsTo = (email: string) => db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, email)).all();

describe("registering a new address", () => {
  it("creates nothing but the request, and mails the address a link to confirm it", async () => {
    const before = count();
    const r = registration();
    await requestSignup(r, client());
    expect(count()).toEqual(before);
    const [mail] = mailsTo(r.email);
    expect(mail).toMatchObject({ kind: SIGNUP_CONFIRM_MAIL_KIND, userId: null, status: "kept" });
    expect(mail.subject).toBe("Confirm your registration with IoT Seal");
    expect(mail.text).toContain("registered an organisation with IoT Seal as a supplier");
    // Nothing the registrant typed is mailed (the page of the link shows it).
    expect(mail.text).not.toContain(r.organizationName);
    expect(mail.text).not.toContain(r.name);
    expect(mail.text).toMatch(/^Confirm your registration: http:\/\/\S+\/signup\/confirm\/[\w-]{43}$/m);
    // Only the token's hash is kept.
    const token = confirmationTokenFor(r.email)!;
    const stored = db().select().from(signupRequests).where(eq(signupRequests.email, r.email)).get()!;
    expect(stored.tokenHash).not.toBe(token);
    expect(stored.passwordHash).not.toContain(r.password);
    expect(lastAudit()).toMatchObject({
      action: "user.signup_requested",
      details: expect.objectContaining({ email: r.email, outcome: "confirmation link sent" }),
    });
    expect(signupLinkState(token)).toMatchObject({
      ok: true,
      email: r.email,
      organizationName: r.organizationName,
      kind: "supplier",
    });
  });

  it("creates the organisation and its user from the link and the password chosen, and signs them in", async () => {
    const r = registration();
    await requestSignup(r, client());
    const token = confirmationTokenFor(r.email)!;
    const before = count();
    // The link alone is not enough: the password chosen when registering is asked again.
    await expect(confirmSignup(token, { password: "not the one chosen" }, client())).rejects.toMatchObject({
      fieldErrors: { password: expect.stringMatching(/not the password chosen/) },
    });
    expect(count()).toEqual(before);
    const done = await confirmSignup(token, { password: r.password }, client());
    expect(done.user).toMatchObject({
      email: r.email,
      role: "supplier",
      organizationName: r.organizationName,
      organizationKind: "supplier",
    });
    expect(userForSession(done.token)?.email).toBe(r.email);
    expect(count()).toEqual({ users: before.users + 1, organizations: before.organizations + 1 });
    expect(
      listAudit({ limit: 2 })
        .events.map((e) => e.action)
        .reverse(),
    ).toEqual(["organization.created", "user.signed_up"]);
    // The link works once; the account logs in with the password chosen.
    expect(signupLinkState(token)).toEqual({ ok: false, problem: "used" });
    await expect(confirmSignup(token, { password: r.password }, client())).toBeRefused(
      "invalid",
      SIGNUP_LINK_PROBLEMS.used,
    );
    await expect(login({ email: r.email, password: r.password }, client())).resolves.toBeTruthy();
  });

  it("gives a link 24 hours", async () => {
    const r = registration();
    await requestSignup(r, client());
    const token = confirmationTokenFor(r.email)!;
    testClock.advance(24 * 60 * 60_000 + 1000);
    expect(signupLinkState(token)).toEqual({ ok: false, problem: "expired" });
    await expect(confirmSignup(token, { password: r.password }, client())).toBeRefused(
      "invalid",
      SIGNUP_LINK_PROBLEMS.expired,
    );
    expect(db().select().from(users).where(eq(users.email, r.email)).get()).toBeUndefined();
  });

  it("of two registrations of one address, the first confirmed wins and the other link says so", async () => {
    const email = `twice${++n}@tinytoys.test`;
    const first = registration({ email, organizationName: `First ${n} Ltd` });
    const second = registration({ email, organizationName: `Second ${n} Ltd`, password: "another good password" });
    await requestSignup(first, client());
    const firstToken = confirmationTokenFor(email)!;
    await requestSignup(second, client());
    const secondToken = confirmationTokenFor(email)!;
    expect(secondToken).not.toBe(firstToken);
    await confirmSignup(secondToken, { password: second.password }, client());
    expect(signupLinkState(firstToken)).toEqual({ ok: false, problem: "taken" });
    await expect(confirmSignup(firstToken, { password: first.password }, client())).toBeRefused(
      "invalid",
      SIGNUP_LINK_PROBLEMS.taken,
    );
    expect(
      db().select().from(organizations).where(eq(organizations.name, first.organizationName)).get(),
    ).toBeUndefined();
  });

  it("refuses at confirmation a name registered since, and creates nothing", async () => {
    const r = registration();
    await requestSignup(r, client());
    transaction((tx) => createOrganization(tx, { system: "test" }, { name: r.organizationName, kind: "retailer" }));
    const before = count();
    const token = confirmationTokenFor(r.email)!;
    // The link's page says so before the password is typed...
    expect(signupLinkState(token)).toEqual({ ok: false, problem: "nameTaken" });
    // ...and the confirmation is refused.
    await expect(confirmSignup(token, { password: r.password }, client())).toBeRefused(
      "invalid",
      SIGNUP_LINK_PROBLEMS.nameTaken,
    );
    expect(count()).toEqual(before);
  });
});

describe("an address that already has an account", () => {
  it("gets the same answer as a new one; its owner is warned by mail and nothing is created", async () => {
    const before = count();
    const r = registration({ email: "supplier@demo.test" });
    await expect(requestSignup(r, client())).resolves.toBeUndefined();
    expect(count()).toEqual(before);
    expect(db().select().from(signupRequests).where(eq(signupRequests.email, r.email)).all()).toEqual([]);
    const mails = mailsTo("supplier@demo.test").filter((m) => m.kind === SIGNUP_ADDRESS_IN_USE_MAIL_KIND);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe("Someone tried to register with your address at IoT Seal");
    expect(mails[0].text).toContain("It already has an account, so nothing was created.");
    expect(mails[0].text).toMatch(/\/forgot-password$/m);
    expect(mails[0].text).not.toMatch(/signup\/confirm/);
    expect(lastAudit()).toMatchObject({
      action: "user.signup_requested",
      details: expect.objectContaining({ outcome: "address in use: owner warned" }),
    });
    // The account is as it was.
    await expect(login({ email: "supplier@demo.test", password: DEMO_PASSWORD }, client())).resolves.toBeTruthy();
  });

  it("refuses an organisation name already registered, naming the field, whatever the address", async () => {
    const before = count();
    const mailsBefore = mailsTo("supplier@demo.test").length;
    const attempt = requestSignup(
      registration({ email: "supplier@demo.test", organizationName: "gator wearables ltd" }),
      client(),
    );
    await expect(attempt).toBeRefused("conflict");
    await expect(attempt).rejects.toMatchObject({
      fieldErrors: { organizationName: expect.stringMatching(/already registered/) },
    });
    await expect(attempt).rejects.not.toMatchObject({ fieldErrors: { email: expect.anything() } });
    expect(count()).toEqual(before);
    expect(mailsTo("supplier@demo.test")).toHaveLength(mailsBefore);
  });
});

describe("mail to one address", () => {
  it(`sends at most ${SIGNUP_MAILS_PER_EMAIL} in 15 minutes for one client, answering the same past that; others' requests still go`, async () => {
    const email = `flood${++n}@tinytoys.test`;
    const flooder = { ip: "198.51.100.250" };
    for (let i = 0; i < SIGNUP_MAILS_PER_EMAIL + 2; i++)
      await expect(requestSignup(registration({ email }), flooder)).resolves.toBeUndefined();
    expect(mailsTo(email)).toHaveLength(SIGNUP_MAILS_PER_EMAIL);
    // The address's owner, from elsewhere, still gets a link: a stranger cannot keep them from registering.
    await requestSignup(registration({ email }), { ip: "203.0.113.251" });
    expect(mailsTo(email)).toHaveLength(SIGNUP_MAILS_PER_EMAIL + 1);
    testClock.advance(15 * 60_000 + 1000);
    await requestSignup(registration({ email }), flooder);
    expect(mailsTo(email)).toHaveLength(SIGNUP_MAILS_PER_EMAIL + 2);
  });

  it(`ends a link after ${SIGNUP_CONFIRM_MAX_FAILURES} wrong passwords, from any client, and audits each`, async () => {
    const r = registration();
    await requestSignup(r, client());
    const token = confirmationTokenFor(r.email)!;
    for (let i = 1; i < SIGNUP_CONFIRM_MAX_FAILURES; i++)
      await expect(confirmSignup(token, { password: `guess number ${i}` }, client())).rejects.toMatchObject({
        fieldErrors: { password: expect.stringMatching(/not the password chosen/) },
      });
    expect(lastAudit()).toMatchObject({ action: "user.signup_confirm_failed" });
    await expect(confirmSignup(token, { password: "the last guess" }, client())).toBeRefused(
      "invalid",
      SIGNUP_LINK_PROBLEMS.guessed,
    );
    // Ended: even the right password no longer confirms it.
    await expect(confirmSignup(token, { password: r.password }, client())).toBeRefused("invalid");
    expect(db().select().from(users).where(eq(users.email, r.email)).get()).toBeUndefined();
  });

  it("shows admins the link of a kept confirmation mail at /admin/outbox (the demo's way to hand it over)", async () => {
    const r = registration();
    await requestSignup(r, client());
    const row = outboxPage(admin(), { page: 1, status: "kept" }).mails.find((m) => m.toAddress === r.email);
    expect(row).toMatchObject({ kind: SIGNUP_CONFIRM_MAIL_KIND, subject: "Confirm your registration with IoT Seal" });
    const shown = outboxMail(admin(), row!.id);
    expect(shown.resetLink).toBe("shown");
    expect(shown.mail.text).toContain(`/signup/confirm/${confirmationTokenFor(r.email)}`);
  });
});

describe("requests past their use", () => {
  it("are forgotten by the lifecycle sweep a week after their link expired or was used, not before", async () => {
    const t0 = Date.UTC(2031, 2, 1, 9, 0);
    testClock.set(t0);
    runLifecycleSweep(); // the requests of the tests above, years old by this clock, are forgotten first
    const unused = registration();
    const used = registration();
    const fresh = registration();
    await requestSignup(unused, client());
    await requestSignup(used, client());
    await confirmSignup(confirmationTokenFor(used.email)!, { password: used.password }, client());
    const stored = (email: string) => db().select().from(signupRequests).where(eq(signupRequests.email, email)).get();

    // Six days after the unused link expired: both kept (their pages still say why they do not work).
    testClock.set(t0 + SIGNUP_LINK_TTL_MS + 6 * 24 * 60 * 60_000);
    await requestSignup(fresh, client());
    expect(runLifecycleSweep().signupRequestsForgotten).toBe(0);
    expect(stored(unused.email)).toBeDefined();
    expect(signupLinkState(confirmationTokenFor(unused.email)!)).toEqual({ ok: false, problem: "expired" });

    // A week and a day after: the unused and the used one are gone; the fresh one stays.
    testClock.set(t0 + SIGNUP_LINK_TTL_MS + 8 * 24 * 60 * 60_000);
    const report = runLifecycleSweep();
    expect(report.signupRequestsForgotten).toBe(2);
    expect(describeSweep(report)).toContain("forgot 2 registration requests past their use");
    expect(stored(unused.email)).toBeUndefined();
    expect(stored(used.email)).toBeUndefined();
    expect(signupLinkState(confirmationTokenFor(unused.email)!)).toEqual({ ok: false, problem: "unknown" });
    // The account made from the used one is untouched.
    await expect(login({ email: used.email, password: used.password }, client())).resolves.toBeTruthy();
  });
});

it("leaves an intact audit chain behind everything above", () => {
  expect(checkAuditChain()).toMatchObject({ ok: true });
});
