/**
 * The trust module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";
import { areaText } from "../../platform/forms";

const PUBLIC_REASON = "Give the public reason (at least 10 characters): it is shown on the seal page and in the log.";

export const sealStatusInput = z.object({
  serial: z.string().trim().min(1, "Name the seal."),
  action: z.enum(["suspend", "reinstate", "revoke"], { message: "Choose suspend, reinstate or revoke." }),
  reason: areaText(500, "Keep the reason under 500 characters.", PUBLIC_REASON).min(10, PUBLIC_REASON),
  confirmSerial: z.string().trim().optional(),
});
