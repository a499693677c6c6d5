/**
 * The manifest of a backup (`manifest.json` at its root): what it holds, each file's SHA-256,
 * size and mode, the database's migration level, the time, and the audit chain's head. Restore
 * parses it with this schema and checks every file against it before writing anything.
 */
import { z } from "zod";

export const BACKUP_FORMAT = "iot-seal-backup";

/** A relative path inside a backup or a data directory: no "..", no absolute path, no odd characters. */
export function safeRelativePath(p: string): boolean {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(p)) return false;
  return p.split("/").every((seg) => seg !== "." && seg !== "..");
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a SHA-256 (64 lowercase hex digits)" });

export const backupFileSchema = z.object({
  path: z.string().refine(safeRelativePath, { error: "must be a plain relative path inside the backup" }),
  sha256: hex64,
  size: z.number().int().nonnegative(),
  mode: z.number().int().min(0).max(0o777),
});

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT, { error: `is not "${BACKUP_FORMAT}": this is not an IoT Seal backup` }),
  formatVersion: z.literal(1, { error: "is not 1: this backup was made by another version of IoT Seal" }),
  createdAt: z.iso.datetime(),
  source: z.object({ dataDir: z.string(), host: z.string() }),
  schema: z.object({ migrations: z.number().int().nonnegative(), lastMigration: z.string().nullable() }),
  auditChain: z.object({ events: z.number().int().nonnegative(), head: z.string(), intact: z.boolean() }),
  counts: z.object({
    seals: z.number().int().nonnegative(),
    evidenceFiles: z.number().int().nonnegative(),
    signingKeys: z.number().int().nonnegative(),
  }),
  sessionSecret: z.enum(["included", "absent"]),
  files: z.array(backupFileSchema).min(1),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;
export type BackupFile = z.infer<typeof backupFileSchema>;

/** The mode a restored file gets: private keys and the session secret 0600, evidence read-only, the rest 0644/0600. */
export function restoredMode(p: string): number {
  // keys/*.private.*: the signing keys (.pem), the CSAF OpenPGP key (.asc), the keys of secrets kept in the database (.key).
  if (p === "session-secret" || (p.startsWith("keys/") && p.includes(".private."))) return 0o600;
  if (p.startsWith("evidence/")) return 0o400;
  if (p === "iot-seal.db") return 0o600;
  return 0o644;
}
