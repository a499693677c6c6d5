// The audit log in the integration tests.
import { desc, eq } from "drizzle-orm";
import { auditEvents } from "../../db/schema";
import { db } from "../../app/platform/db.server";

/** The newest audit entry with `action`, or undefined. */
export const lastAudit = (action: string) =>
  db().select().from(auditEvents).where(eq(auditEvents.action, action)).orderBy(desc(auditEvents.seq)).get();
