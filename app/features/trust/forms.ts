/**
 * The trust module's form schemas: pure zod (no server imports), so the services, the routes and
 * the browser parse a form with the same rules and messages.
 */
import { z } from "zod";

export const sealStatusInput = z.object({
  serial: z.string().trim().min(1, "Name the seal."),
  action: z.enum(["suspend", "reinstate", "revoke"], { message: "Choose suspend, reinstate or revoke." }),
  reason: z
    .string()
    .trim()
    .min(10, "Give the public reason (at least 10 characters): it is shown on the seal page and in the log.")
    .max(500, "Keep the reason under 500 characters."),
  confirmSerial: z.string().trim().optional(),
});
