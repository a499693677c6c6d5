/**
 * The demo data, in one place, idempotent: running it again creates only what is missing.
 * Started on first start in demo mode (DEMO_MODE, default true) and by `npm run seed`.
 * Checklists are imported before it (start-up); products and submissions are in seed-products.server.ts.
 */
import { eq, sql } from "drizzle-orm";
import { organizations, users } from "../../db/schema";
import type { OrganizationKind, Role } from "../platform/roles";
import type { SystemActor } from "../platform/actor";
import { db, transaction } from "../platform/db.server";
import { importShippedChecklists } from "../features/catalogue/checklists.server";
import { seedDemoAdvisories, seedDemoUpdateRequired } from "./seed-advisories.server";
import { seedDemoPolicies } from "./seed-policies.server";
import { seedDemoProducts } from "./seed-products.server";
import { seedDemoRecurring } from "./seed-recurring.server";
import { seedDemoSeals, seedDemoWatchlist } from "./seed-seals.server";
import { CERTIFICATION_BODY_NAME, createOrganization, createUser } from "../features/accounts/users.server";

export const DEMO_PASSWORD = "demo-password-2026";

export const DEMO_ORGANIZATIONS: { name: string; kind: OrganizationKind }[] = [
  { name: CERTIFICATION_BODY_NAME, kind: "certifier" },
  { name: "Gator Wearables Ltd", kind: "supplier" },
  { name: "Brightnest Smart Home Ltd", kind: "supplier" },
  { name: "High Street Retail", kind: "retailer" },
];

export const DEMO_USERS: { email: string; name: string; role: Role; organization: string; about: string }[] = [
  {
    email: "admin@demo.test",
    name: "Ada Admin",
    role: "admin",
    organization: CERTIFICATION_BODY_NAME,
    about: "runs the portal: users, organisations, checklists, keys",
  },
  {
    email: "assessor1@demo.test",
    name: "Asha Assessor",
    role: "assessor",
    organization: CERTIFICATION_BODY_NAME,
    about: "reviews submissions",
  },
  {
    email: "assessor2@demo.test",
    name: "Bram Assessor",
    role: "assessor",
    organization: CERTIFICATION_BODY_NAME,
    about: "confirms approvals (four eyes)",
  },
  {
    email: "supplier@demo.test",
    name: "Grace Gator",
    role: "supplier",
    organization: "Gator Wearables Ltd",
    about: "makes a children's smartwatch",
  },
  {
    email: "supplier2@demo.test",
    name: "Sam Brightnest",
    role: "supplier",
    organization: "Brightnest Smart Home Ltd",
    about: "makes home cameras",
  },
  {
    email: "buyer@demo.test",
    name: "Ravi Buyer",
    role: "retailer",
    organization: "High Street Retail",
    about: "checks seals before stocking",
  },
];

export interface SeedReport {
  created: string[];
}

/** The whole demo; `{ seals: false }` leaves out the issued demo seals (for tests that count seals from zero). */
export async function seedDemoData(opts: { seals?: boolean } = {}): Promise<SeedReport> {
  const actor: SystemActor = { system: "seed" };
  const created: string[] = [];
  importShippedChecklists(actor); // the demo submissions need them; a no-op once imported
  for (const org of DEMO_ORGANIZATIONS) {
    const exists = db()
      .select({ id: organizations.id })
      .from(organizations)
      .where(sql`lower(${organizations.name}) = lower(${org.name})`)
      .get();
    if (!exists) {
      transaction((tx) => createOrganization(tx, actor, org));
      created.push(`organisation ${org.name}`);
    }
  }
  for (const u of DEMO_USERS) {
    if (db().select({ id: users.id }).from(users).where(eq(users.email, u.email)).get()) continue;
    const org = db()
      .select()
      .from(organizations)
      .where(sql`lower(${organizations.name}) = lower(${u.organization})`)
      .get()!;
    await createUser(actor, {
      email: u.email,
      name: u.name,
      role: u.role,
      organizationId: org.id,
      password: DEMO_PASSWORD,
    });
    created.push(`user ${u.email}`);
  }
  await seedDemoProducts(created);
  if (opts.seals ?? true) {
    await seedDemoSeals(created);
    seedDemoWatchlist(created);
    await seedDemoRecurring(created); // the demo watch's recurring evidence: 5.2-3 due in 10 days, 5.2-1 waiting for an assessor
    seedDemoPolicies(created); // the buyer's "Children's wearables" policy: one demo watch meets it, one misses it
    await seedDemoAdvisories(created); // a fixed and disclosed advisory on the demo watch
    await seedDemoUpdateRequired(created); // the demo speaker: valid, update required (fixed in 1.0.4)
  }
  return { created };
}
