// The actors tests act as: a user of the (demo-seeded) database, looked up by email, as the services
// see them. Built afresh on each call, after seeding, so a test always sees the user's current row.
import { eq } from "drizzle-orm";
import { organizations, users } from "../../db/schema";
import type { Actor } from "../../app/platform/actor";
import { db } from "../../app/platform/db.server";

/** The user with this email as an Actor; throws if there is none (seed the demo data first). */
export function actorByEmail(email: string): Actor {
  const row = db()
    .select({ u: users, org: organizations })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.email, email))
    .get();
  if (!row) throw new Error(`test user ${email} is missing: seed the demo data first`);
  const { id: userId, name, role } = row.u;
  return { userId, email: row.u.email, name, role, organizationId: row.org.id, ip: null };
}

/** The demo users (app/demo/seed.server.ts), by the names the tests call them. */
export const DEMO_EMAILS = {
  grace: "supplier@demo.test", // supplier, Gator Wearables Ltd
  sam: "supplier2@demo.test", // supplier, Brightnest
  asha: "assessor1@demo.test", // assessor
  bram: "assessor2@demo.test", // assessor, confirms approvals (four eyes)
  buyer: "buyer@demo.test", // retail buyer
  admin: "admin@demo.test", // administrator
} as const;

export const grace = () => actorByEmail(DEMO_EMAILS.grace);
export const sam = () => actorByEmail(DEMO_EMAILS.sam);
export const asha = () => actorByEmail(DEMO_EMAILS.asha);
export const bram = () => actorByEmail(DEMO_EMAILS.bram);
export const buyer = () => actorByEmail(DEMO_EMAILS.buyer);
export const admin = () => actorByEmail(DEMO_EMAILS.admin);
