import { describe, expect, it } from "vitest";
import {
  can,
  DASHBOARD_PATH,
  navFor,
  PERMISSIONS,
  roleFitsOrganization,
  roleForSignupKind,
  ROLES,
  rolesWith,
} from "../../../app/platform/roles";

describe("role permissions", () => {
  // The whole matrix, written out: a change to any grant must change this table.
  const expected: Record<string, string[]> = {
    "supplier.workspace": ["supplier"],
    "assessor.workspace": ["assessor"],
    "retailer.workspace": ["retailer"],
    "admin.workspace": ["admin"],
    "admin.users.manage": ["admin"],
    "admin.audit.read": ["admin"],
    "checklists.read": ["supplier", "assessor", "retailer", "admin"],
    "seals.manage": ["assessor", "admin"],
    "seals.verify": ["retailer"],
  };
  it.each(PERMISSIONS.map((p) => [p]))("%s is held by exactly the expected roles", (permission) => {
    expect(rolesWith(permission)).toEqual(expected[permission]);
    for (const role of ROLES) expect(can(role, permission)).toBe(expected[permission].includes(role));
  });

  it("every role has its own dashboard, and its navigation starts there", () => {
    expect(new Set(Object.values(DASHBOARD_PATH)).size).toBe(ROLES.length);
    for (const role of ROLES) expect(navFor(role)[0].to).toBe(DASHBOARD_PATH[role]);
  });

  it("navigation shows only what the role may use", () => {
    for (const role of ROLES) {
      const links = navFor(role).map((n) => n.to);
      if (role !== "admin") expect(links.some((l) => l.startsWith("/admin"))).toBe(false);
      for (const other of ROLES) if (other !== role) expect(links).not.toContain(DASHBOARD_PATH[other]);
    }
  });
});

describe("roles and organisations", () => {
  it("each role fits exactly one organisation kind", () => {
    expect(roleFitsOrganization("supplier", "supplier")).toBe(true);
    expect(roleFitsOrganization("supplier", "retailer")).toBe(false);
    expect(roleFitsOrganization("assessor", "certifier")).toBe(true);
    expect(roleFitsOrganization("assessor", "supplier")).toBe(false);
    expect(roleFitsOrganization("admin", "certifier")).toBe(true);
    expect(roleFitsOrganization("retailer", "retailer")).toBe(true);
    expect(roleFitsOrganization("retailer", "certifier")).toBe(false);
  });
  it("sign-up makes suppliers and retailers only", () => {
    expect(roleForSignupKind("supplier")).toBe("supplier");
    expect(roleForSignupKind("retailer")).toBe("retailer");
  });
});
