// Users for the notification tests, written straight into the fresh test database (no demo seed:
// the notification core needs only users with addresses).
import crypto from "node:crypto";
import { organizations, users } from "../../../db/schema";
import type { Actor } from "../../../app/platform/actor";
import { transaction } from "../../../app/platform/db.server";
import type { Role } from "../../../app/platform/roles";

const KIND = { supplier: "supplier", retailer: "retailer", assessor: "certifier", admin: "certifier" } as const;

/** A user of a fresh organisation, as an Actor. */
export function makeUser(role: Role, name: string): Actor {
  const organizationId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${userId.slice(0, 6)}@example.test`;
  transaction((tx) => {
    tx.insert(organizations)
      .values({ id: organizationId, name: `${name}'s organisation ${userId.slice(0, 6)}`, kind: KIND[role] })
      .run();
    tx.insert(users).values({ id: userId, email, name, passwordHash: "x", role, organizationId }).run();
  });
  return { userId, email, name, role, organizationId, ip: null };
}
