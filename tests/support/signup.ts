// Registering an organisation as a person does (decision record 037): /signup's service, then the
// confirmation link read from the mail it queued (kept in the outbox: tests run without SMTP_URL),
// then the confirmation with the password. The tests that need a fresh supplier or retailer use it.
import { and, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import { mailOutbox } from "../../db/schema";
import type { ClientInfo, LoginResult } from "../../app/features/accounts/auth.server";
import type { signupInput } from "../../app/features/accounts/forms";
import { confirmSignup, requestSignup } from "../../app/features/accounts/signup.server";
import { SIGNUP_CONFIRM_MAIL_KIND } from "../../app/features/notifications/domain/account-mail";
import { db } from "../../app/platform/db.server";

/** The token of the newest confirmation link mailed to `email`, or null when none was mailed. */
export function confirmationTokenFor(email: string): string | null {
  const mail = db()
    .select({ text: mailOutbox.text })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.kind, SIGNUP_CONFIRM_MAIL_KIND), eq(mailOutbox.toAddress, email)))
    .orderBy(desc(mailOutbox.createdAt))
    .limit(1)
    .get();
  return mail ? (/\/signup\/confirm\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? null) : null;
}

/** Registers, confirms from the mailed link and returns the session, as a person clicking through would. */
export async function signUpConfirmed(input: z.infer<typeof signupInput>, client: ClientInfo): Promise<LoginResult> {
  await requestSignup(input, client);
  const token = confirmationTokenFor(input.email);
  if (!token) throw new Error(`no confirmation link was mailed to ${input.email}`);
  return confirmSignup(token, { password: input.password }, client);
}
