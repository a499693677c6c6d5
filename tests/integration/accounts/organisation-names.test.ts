// Organisation names are kept normalised (NFC, no invisible characters, single spaces) and are
// unique on one key (organizationNameKey: case folded in full, compatibility forms folded), whether
// an organisation signs up or is created by an admin or the seed. Against a real database.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { organizations } from "../../../db/schema";
import { db, transaction } from "../../../app/platform/db.server";
import { resetRateLimits } from "../../../app/features/accounts/auth.server";
import { signUpConfirmed } from "../../support/signup";
import { signupInput } from "../../../app/features/accounts/forms";
import { createOrganization } from "../../../app/features/accounts/users.server";

beforeAll(() => {
  transaction((tx) => createOrganization(tx, { system: "test" }, { name: "Gator Wearables Ltd", kind: "supplier" }));
});
afterEach(() => resetRateLimits());

let n = 0;
/** Signs up through the form's rules, as /signup does, and confirms from the mailed link. */
const signUp = (organizationName: string) =>
  signUpConfirmed(
    signupInput.parse({
      kind: "supplier",
      organizationName,
      name: "Pat Example",
      email: `pat${++n}@names.test`,
      password: "a long enough password",
    }),
    { ip: `198.51.100.${n}` },
  );

const TAKEN =
  "An organisation with this name is already registered. To join it, ask the IoT Seal administrators to add you to it.";

describe("organisation names", () => {
  it.each([
    ["Gator Wearables\u200B Ltd"],
    ["\u202EGator Wearables Ltd"],
    ["Gator  Wearables   Ltd"],
    ["GATOR WEARABLES LTD"],
    ["\uFF27ator Wearables Ltd"], // a full-width G
  ])("a sign-up as %j is refused: Gator Wearables Ltd has that name", async (name) => {
    await expect(signUp(name)).toBeRefused("conflict", "Some details are already in use.");
    await expect(signUp(name)).rejects.toMatchObject({ fieldErrors: { organizationName: TAKEN } });
  });

  it("non-ASCII names clash whatever their case or composition, at sign-up and for an admin", async () => {
    const { user } = await signUp("ÜBER Widgets Straße");
    expect(user.organizationName).toBe("ÜBER Widgets Straße");
    await expect(signUp("über widgets strasse")).rejects.toMatchObject({
      fieldErrors: { organizationName: TAKEN },
    });
    await expect(signUp("U\u0308ber  Widgets Straße")).rejects.toMatchObject({
      fieldErrors: { organizationName: TAKEN },
    });
    await expect(() =>
      transaction((tx) =>
        createOrganization(tx, { system: "test" }, { name: "über WIDGETS STRASSE", kind: "retailer" }),
      ),
    ).toBeRefused("conflict", 'An organisation named "ÜBER Widgets Straße" already exists.');
  });

  it("keeps the name normalised: what is signed into seals is what was shown", async () => {
    const { user } = await signUp("  Kite\u200B  Toys\u2066 Ltd ");
    expect(user.organizationName).toBe("Kite Toys Ltd");
    const org = transaction((tx) =>
      createOrganization(tx, { system: "test" }, { name: " Corner\u00A0 Shop\u200D Ltd", kind: "retailer" }),
    );
    expect(db().select().from(organizations).where(eq(organizations.id, org.id)).get()!.name).toBe("Corner Shop Ltd");
  });
});
