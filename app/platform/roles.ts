/**
 * Who may do what. Pure rules: the roles, which organisation kind each belongs to, the
 * permissions of each role, the dashboard each lands on and the navigation each sees.
 * Routes and services ask `can(role, permission)`; nobody repeats these rules.
 */

export const ROLES = ["supplier", "assessor", "retailer", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ORGANIZATION_KINDS = ["supplier", "retailer", "certifier"] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export const ROLE_LABELS: Record<Role, string> = {
  supplier: "Supplier",
  assessor: "Assessor",
  retailer: "Retail buyer",
  admin: "Administrator",
};

export const ORGANIZATION_KIND_LABELS: Record<OrganizationKind, string> = {
  supplier: "Supplier",
  retailer: "Retailer",
  certifier: "Certification body",
};

/** The organisation kind a member of each role belongs to. */
export const ORGANIZATION_KIND_OF_ROLE: Record<Role, OrganizationKind> = {
  supplier: "supplier",
  retailer: "retailer",
  assessor: "certifier",
  admin: "certifier",
};

/** Organisation kinds anyone may sign up for; assessors and admins are made by an admin. */
export const SELF_SIGNUP_KINDS = ["supplier", "retailer"] as const satisfies readonly OrganizationKind[];
export type SelfSignupKind = (typeof SELF_SIGNUP_KINDS)[number];

export function roleForSignupKind(kind: SelfSignupKind): Role {
  return kind === "supplier" ? "supplier" : "retailer";
}

export function roleFitsOrganization(role: Role, kind: OrganizationKind): boolean {
  return ORGANIZATION_KIND_OF_ROLE[role] === kind;
}

export const PERMISSIONS = [
  "supplier.workspace",
  "assessor.workspace",
  "retailer.workspace",
  "admin.workspace",
  "admin.users.manage",
  "admin.audit.read",
  "checklists.read",
  "seals.manage",
  "seals.verify",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  supplier: ["supplier.workspace", "checklists.read"],
  assessor: ["assessor.workspace", "checklists.read", "seals.manage"],
  retailer: ["retailer.workspace", "checklists.read", "seals.verify"],
  admin: ["admin.workspace", "admin.users.manage", "admin.audit.read", "checklists.read", "seals.manage"],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** The roles that hold a permission (for messages such as "this page is for assessors"). */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((r) => can(r, permission));
}

export const DASHBOARD_PATH: Record<Role, string> = {
  supplier: "/supplier",
  assessor: "/assessor",
  retailer: "/retailer",
  admin: "/admin",
};

export interface NavItem {
  to: string;
  label: string;
}

export function navFor(role: Role): NavItem[] {
  const home: NavItem = { to: DASHBOARD_PATH[role], label: "Dashboard" };
  const checklists: NavItem = { to: "/checklists", label: "Checklists" };
  switch (role) {
    case "supplier":
      return [
        home,
        { to: "/supplier/products", label: "Products" },
        { to: "/supplier/submissions", label: "Submissions" },
        { to: "/supplier/seals", label: "Seals" },
        { to: "/findings", label: "Vulnerabilities" },
        checklists,
      ];
    case "assessor":
      return [
        home,
        { to: "/assessor/queue", label: "Review queue" },
        { to: "/assessor/recurring", label: "Recurring" },
        { to: "/seals", label: "Seals" },
        { to: "/findings", label: "Vulnerabilities" },
        { to: "/assessor/advisories", label: "Advisories" },
        checklists,
      ];
    case "retailer":
      return [
        home,
        { to: "/retailer/watchlist", label: "Watchlist" },
        { to: "/verify", label: "Verify a seal" },
        { to: "/retailer/verify/bulk", label: "Bulk check" },
        { to: "/retailer/policies", label: "Policies" },
        { to: "/retailer/api", label: "API tokens" },
        { to: "/retailer/webhooks", label: "Webhooks" },
        checklists,
      ];
    case "admin":
      return [
        home,
        checklists,
        { to: "/seals", label: "Seals" },
        { to: "/findings", label: "Vulnerabilities" },
        { to: "/assessor/advisories", label: "Advisories" },
        { to: "/admin/users", label: "Users" },
        { to: "/admin/organizations", label: "Organisations" },
        { to: "/admin/conflicts", label: "Conflicts" },
        { to: "/admin/audit", label: "Audit log" },
        { to: "/admin/outbox", label: "Mail outbox" },
      ];
  }
}
