// npm run user:reset-password -- --email a@b.c [--generate-password]
// For an operator without mail: prints a single-use password reset link (valid one hour) to pass on,
// or, with --generate-password, sets a generated password at once (printed once) and ends every session.
import { closeDb } from "../db/connection";
import { fieldErrorsOf } from "../app/platform/forms";
import { getEnv } from "../app/platform/env.server";
import { forgotPasswordInput } from "../app/features/accounts/forms";
import { createPasswordResetLink, setGeneratedPassword } from "../app/features/accounts/password-reset.server";
import { commandLine, runCli } from "./cli";

const USAGE =
  "Usage: npm run user:reset-password -- --email <email> [--generate-password]\n" +
  "  Prints a single-use link (valid one hour) that lets the user set a new password; no mail is sent.\n" +
  "  --generate-password: set a generated password now instead (printed once); every session of the user ends.";

await runCli(async () => {
  const cli = commandLine(USAGE, { email: { type: "string" }, "generate-password": { type: "boolean" } });
  if ("exit" in cli) return cli.exit;
  const { values } = cli;
  const parsed = forgotPasswordInput.safeParse({ email: values.email });
  if (!parsed.success) {
    for (const [field, message] of Object.entries(fieldErrorsOf(parsed.error))) console.error(`--${field}: ${message}`);
    return 2;
  }
  const actor = { system: "cli:user:reset-password" };
  if (values["generate-password"]) {
    const r = await setGeneratedPassword(actor, parsed.data.email);
    console.log(`New password for ${parsed.data.email} (shown once): ${r.password}`);
    console.log(`Sessions ended: ${r.sessionsEnded}.`);
    if (r.disabled)
      console.log(
        `The account is disabled: it cannot log in with this password until an administrator enables it again (/admin/users).`,
      );
  } else {
    const r = createPasswordResetLink(actor, parsed.data.email);
    console.log(
      `Password reset link for ${parsed.data.email} (shown once; works once, until ${new Date(r.expiresAt).toISOString()}):`,
    );
    console.log(r.url);
    const env = getEnv();
    if (!env.publicUrlSet)
      console.warn(
        `PUBLIC_URL is not set here, so the link names ${env.baseUrl}: if the portal runs elsewhere, run this with its PUBLIC_URL (or PORT).`,
      );
  }
  closeDb();
  return 0;
});
