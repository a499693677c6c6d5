// Names as they are kept (nameField: NFC, no invisible characters, single spaces, then the length
// rules) and when two organisation names are the same name (organizationNameKey).
import { describe, expect, it } from "vitest";
import { nameField, normalizeName } from "../../../app/platform/forms";
import { organizationNameKey, sameOrganizationName } from "../../../app/features/accounts/domain/organization-name";
import { signupInput } from "../../../app/features/accounts/forms";

const field = nameField("the organisation's name");

describe("nameField", () => {
  it.each([
    ["  Acme   Ltd  ", "Acme Ltd"],
    ["Acme\u200B Ltd", "Acme Ltd"],
    ["\u202EAcme Ltd", "Acme Ltd"],
    ["Acme\tLtd\n", "Acme Ltd"],
    ["Acme\u00A0Ltd", "Acme Ltd"],
    ["U\u0308ber GmbH", "\u00DCber GmbH"], // composed: one spelling of "Über"
  ])("keeps %j as %j", (input, out) => {
    expect(field.parse(input)).toBe(out);
    expect(normalizeName(input)).toBe(out);
  });

  it("applies the length rules to the name as kept: invisible characters and spaces do not count", () => {
    expect(field.safeParse("\u200B\u200B\u200B\u200B\u200B").error?.issues[0].message).toBe(
      "The organisation's name must be at least 2 characters.",
    );
    expect(field.safeParse(`A${" ".repeat(200)}B`).data).toBe("A B");
    expect(field.safeParse("A\u0001B").error?.issues[0].message).toBe(
      "The organisation's name must not contain control characters.",
    );
  });

  it("is what sign-up keeps, for the organisation and the person", () => {
    const parsed = signupInput.parse({
      kind: "supplier",
      organizationName: " Acme\u200B  Ltd ",
      name: "Ann\u202E  Example",
      email: "ann@acme.test",
      password: "a long enough password",
    });
    expect(parsed).toMatchObject({ organizationName: "Acme Ltd", name: "Ann Example" });
  });
});

describe("organisation names that are the same name", () => {
  it.each([
    ["Acme Ltd", "acme ltd"],
    ["Acme Ltd", "Acme\u200B Ltd"],
    ["Acme Ltd", "\u202EAcme  Ltd"],
    ["ÜBER GmbH", "über gmbh"],
    ["Über GmbH", "U\u0308ber GmbH"],
    ["Straße Ltd", "STRASSE LTD"],
    ["Acme Ltd", "\uFF21\uFF43\uFF4D\uFF45 Ltd"], // full-width letters
    ["Acme Ltd", "Ac\u00ADme Ltd"], // a soft hyphen shows nothing
  ])("%j and %j", (a, b) => {
    expect(organizationNameKey(a)).toBe(organizationNameKey(b));
  });

  it.each([
    ["Acme Ltd", "Acme Limited"],
    ["Über GmbH", "Uber GmbH"],
    ["Acme Ltd", "AcmeLtd"],
  ])("but not %j and %j", (a, b) => {
    expect(organizationNameKey(a)).not.toBe(organizationNameKey(b));
  });

  it("finds the existing organisation a new name clashes with", () => {
    const existing = [
      { id: "1", name: "Gator Wearables Ltd" },
      { id: "2", name: "Über Widgets" },
    ];
    expect(sameOrganizationName(existing, "ÜBER  WIDGETS")?.id).toBe("2");
    expect(sameOrganizationName(existing, "Gator Wearables")).toBeUndefined();
  });
});
