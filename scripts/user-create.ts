// npm run user:create -- --email a@b.c --role assessor [--name "A B"] [--password ...] [--organization <id>]
// Creates a user (assessors and admins join the certification body unless an organisation is named).
import { closeDb } from "../db/connection";
import { ServiceError } from "../app/platform/errors.server";
import { fieldErrorsOf } from "../app/platform/forms";
import { createUser } from "../app/features/accounts/users.server";
import { createUserInput } from "../app/features/accounts/forms";
import { commandLine, runCli } from "./cli";

const USAGE =
  "Usage: npm run user:create -- --email <email> --role <supplier|assessor|retailer|admin> [--name <name>] [--password <pw>] [--organization <id>]";

/** The command-line option for a field of the form (organizationId is given as --organization). */
const option = (field: string) => `--${field === "organizationId" ? "organization" : field}`;

await runCli(async () => {
  const cli = commandLine(USAGE, {
    email: { type: "string" },
    role: { type: "string" },
    name: { type: "string" },
    password: { type: "string" },
    organization: { type: "string" },
  });
  if ("exit" in cli) return cli.exit;
  const { values } = cli;
  const parsed = createUserInput.safeParse({
    email: values.email,
    role: values.role,
    name: values.name ?? values.email,
    password: values.password,
    organizationId: values.organization,
  });
  if (!parsed.success) {
    for (const [field, message] of Object.entries(fieldErrorsOf(parsed.error)))
      console.error(`${option(field)}: ${message}`);
    return 2;
  }
  let result;
  try {
    result = await createUser({ system: "cli:user:create" }, parsed.data);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    console.error(`Error: ${error.message}`);
    for (const [field, message] of Object.entries(error.fieldErrors)) console.error(`  ${option(field)}: ${message}`);
    closeDb();
    return 2;
  }
  console.log(`Created ${parsed.data.role} ${parsed.data.email} (id ${result.userId}).`);
  if (result.generated) console.log(`Generated password (shown once): ${result.password}`);
  closeDb();
  return 0;
});
