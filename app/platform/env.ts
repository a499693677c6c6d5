/**
 * The environment, parsed by one zod schema at start-up. `parseEnv` is pure so that tests can
 * feed it any map; `describeEnvErrors` turns zod issues into one clear line per bad variable.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { parseReplicaUrl, replicaUrlSchema } from "./replica-url";
import { ROLES, type Role } from "./roles";

/** Whether `child` is `parent` or a path below it (both absolute). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** PUBLISH_TO, parsed: a folder, a bucket and key prefix, or nothing (publication off). */
export type PublishTarget =
  { kind: "folder"; dir: string } | { kind: "s3"; bucket: string; prefix: string } | { kind: "none" };

/** Parses PUBLISH_TO: none, an absolute or relative path, file:///abs/path or s3://bucket/prefix; a string says what is wrong. */
export function parsePublishTo(raw: string): PublishTarget | string {
  const v = raw.trim();
  if (v === "none") return { kind: "none" };
  if (/^[a-z][a-z0-9+.-]*:/i.test(v) && !/^[a-z]:[\\/]/i.test(v)) {
    if (!/^(file|s3):/i.test(v))
      return `must be a folder, file:///<absolute path>, s3://<bucket>/<prefix> or none, not ${v}`;
    const parsed = parseReplicaUrl(v);
    if (typeof parsed === "string") return parsed;
    return parsed.kind === "file"
      ? { kind: "folder", dir: parsed.dir }
      : { kind: "s3", bucket: parsed.bucket, prefix: parsed.prefix };
  }
  const dir = path.resolve(v);
  if (dir === path.parse(dir).root) return "must be a folder, not the file system's root";
  return { kind: "folder", dir };
}

/** EVIDENCE_STORE, parsed: the local disk, or a bucket and a key prefix on an S3-compatible store. */
export type EvidenceStoreTarget = { kind: "file" } | { kind: "s3"; bucket: string; prefix: string };

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** A whole number from 1 to `max` (`max` said in words too when `unit` is given: "8760 (a year)"). */
const positiveInt = (name: string, max: number, unit?: string) =>
  z
    .string()
    .regex(/^\d+$/, { error: `${name} must be a whole number` })
    .transform(Number)
    .pipe(
      z
        .number()
        .positive({ error: `${name} must be greater than zero` })
        // abort: a number too large to count exactly is told only this, not also that it is not exact
        .max(max, { error: `${name} must be at most ${max}${unit ? ` (${unit})` : ""}`, abort: true })
        .int(),
    );

/** The most a rate or a count of rows may be set to: far beyond any real need, well within exact arithmetic. */
const MAX_RATE = 1_000_000_000;

export interface LogWitness {
  /** The witness's verifier key as configured: `<name>+<hex key id>+<base64(0x04 || Ed25519 key)>`. */
  vkey: string;
  /** Its key name (the name on its cosignature lines). */
  name: string;
  /** Where add-checkpoint is POSTed: `<its submission prefix>/add-checkpoint`. */
  url: string;
}

/**
 * LOG_WITNESSES: entries separated by ";" or newlines, each a witness's note verifier key (a
 * cosignature/v1 key: type byte 0x04, Ed25519) and its add-checkpoint URL, separated by
 * whitespace:
 *   witness.example/w1+1a2b3c4d+BFq…= https://witness.example/add-checkpoint; other.example+…+…= https://…
 * The key ID must be SHA-256(name || "\n" || 0x04 || key)[:4], as the spec computes it. A message
 * naming the bad entry otherwise.
 */
export function parseLogWitnesses(raw: string): LogWitness[] | string {
  const entries = raw
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean);
  const out: LogWitness[] = [];
  for (const [i, entry] of entries.entries()) {
    const where = `witness ${i + 1}`;
    const parts = entry.split(/\s+/);
    if (parts.length !== 2) return `${where}: expected "<verifier key> <add-checkpoint URL>"`;
    const [vkey, url] = parts;
    const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(vkey);
    const key = m ? Buffer.from(m[3], "base64") : null;
    if (!m || !key || key.length !== 33 || key.toString("base64") !== m[3])
      return `${where}: the verifier key must be <name>+<8 hex digits>+<base64 of 0x04 and a 32-byte Ed25519 key>`;
    if (key[0] !== 0x04) return `${where}: the verifier key is not a cosignature/v1 key (type byte 0x04)`;
    const id = createHash("sha256")
      .update(Buffer.concat([Buffer.from(m[1], "utf8"), Buffer.from([0x0a]), key]))
      .digest()
      .subarray(0, 4)
      .toString("hex");
    if (id !== m[2]) return `${where}: the key ID ${m[2]} does not match the name and key (expected ${id})`;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `${where}: "${url}" is not a URL`;
    }
    if (u.protocol !== "https:" && u.protocol !== "http:") return `${where}: the URL must be http(s)`;
    if (out.some((w) => w.name === m[1])) return `${where}: the witness ${m[1]} is configured twice`;
    out.push({ vkey, name: m[1], url: u.toString() });
  }
  return out;
}

/** The least scrypt cost (log2 N) accepted in production: 32 MiB of memory per guess. */
const MIN_PRODUCTION_HASH_COST = 15;

/** The demo's placeholder contact: refused in production when DEMO_MODE=false. */
const DEFAULT_SECURITY_CONTACT = "mailto:security@iotseal.local";

export const envSchema = z
  .object({
    NODE_ENV: z
      .enum(["development", "production", "test"], { error: "must be development, production or test" })
      .default("production"),
    PORT: positiveInt("PORT", 65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATA_DIR: z.string().min(1, { error: "must not be empty" }).default("./data"),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://seal.example.com" })
      .optional(),
    SESSION_SECRET: z.string().min(32, { error: "must be at least 32 characters" }).optional(),
    SESSION_TTL_HOURS: positiveInt("SESSION_TTL_HOURS", 8760, "a year").default(12),
    /**
     * scrypt's cost for new password hashes, as log2 of N (15: 32 MiB and about 0.1-0.2 s a hash).
     * Stored with each hash: a login with a cheaper one stores it again at this cost.
     */
    PASSWORD_HASH_COST: positiveInt("PASSWORD_HASH_COST", 18, "256 MiB a hash")
      .pipe(z.number().min(10, { error: "PASSWORD_HASH_COST must be at least 10" }))
      .default(15),
    DEMO_MODE: bool.optional(),
    RATE_LIMIT_PER_MINUTE: positiveInt("RATE_LIMIT_PER_MINUTE", MAX_RATE).default(10),
    PUBLIC_API_PER_MINUTE: positiveInt("PUBLIC_API_PER_MINUTE", MAX_RATE).default(600),
    PUBLIC_PAGE_PER_MINUTE: positiveInt("PUBLIC_PAGE_PER_MINUTE", MAX_RATE).default(120),
    /** Rows of bulk checks an hour, per retail organisation (the page, API tokens) or per client address (the anonymous API). */
    BULK_ROWS_PER_HOUR: positiveInt("BULK_ROWS_PER_HOUR", MAX_RATE).default(200_000),
    /**
     * How many proxies you run in front of the portal (each appends the address it saw to
     * X-Forwarded-For): the client is the entry that many from the right. true = 1, false = 0.
     * Never the leftmost entry: the client writes that one itself.
     */
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|yes|no|\d{1,2})$/, {
        error: "must be true, false or the number of proxies you run in front of the portal",
      })
      .transform((v) => (v === "true" || v === "yes" ? 1 : v === "false" || v === "no" ? 0 : Number(v)))
      .default(0),
    EVIDENCE_MAX_FILE_MB: positiveInt("EVIDENCE_MAX_FILE_MB", 10240).default(100),
    EVIDENCE_MAX_FILES_PER_SUBMISSION: positiveInt("EVIDENCE_MAX_FILES_PER_SUBMISSION", 100_000).default(300),
    EVIDENCE_QUOTA_MB_PER_ORG: positiveInt("EVIDENCE_QUOTA_MB_PER_ORG", 10_485_760, "10 TiB").default(10240),
    /** Files larger than this go through the resumable (tus) upload in the browser (decision 032). */
    EVIDENCE_RESUMABLE_THRESHOLD_MB: positiveInt("EVIDENCE_RESUMABLE_THRESHOLD_MB", 10240).default(64),
    /** Worker processes serving HTTP (node:cluster, decision 031); 1: one process, no cluster. */
    WEB_CONCURRENCY: positiveInt("WEB_CONCURRENCY", 64).default(1),
    LOG_REQUESTS: bool.default(true),
    /**
     * The roles whose users must use two-step login (decision record 039), comma-separated, e.g.
     * "assessor,admin": one without it is sent to set it up before any other page. Empty: nobody.
     */
    TWO_STEP_REQUIRED_FOR: z
      .string()
      .default("")
      .transform((s, ctx) => {
        const roles = s
          .split(",")
          .map((r) => r.trim().toLowerCase())
          .filter(Boolean);
        const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
        if (unknown.length)
          ctx.addIssue({
            code: "custom",
            message: `names no role: ${unknown.join(", ")} (the roles are ${ROLES.join(", ")}, comma-separated)`,
          });
        return [...new Set(roles)] as Role[];
      }),
    WEBHOOKS_ALLOW_LOOPBACK: bool.optional(),
    /** The admins are told once the active signing key is older than this (then: npm run keys:rotate). */
    KEY_ROTATION_DAYS: positiveInt("KEY_ROTATION_DAYS", 3650, "ten years").default(365),
    /** Where mail goes (nodemailer): smtp://user:pass@host:587 or smtps://…; unset: mails are kept in the outbox, not sent. */
    SMTP_URL: z
      .url({
        protocol: /^smtps?$/,
        error: "must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587",
      })
      .optional(),
    MAIL_FROM: z
      .string()
      .regex(/^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, {
        error: 'must be an address such as no-reply@example.com or "IoT Seal <no-reply@example.com>"',
      })
      .default("IoT Seal <no-reply@iotseal.local>"),
    /**
     * The transparency log's witnesses (C2SP tlog-witness): entries separated by ";" or newlines, each
     * "<witness verifier key> <add-checkpoint URL>" (see parseLogWitnesses).
     */
    LOG_WITNESSES: z
      .string()
      .transform((v, ctx) => {
        const parsed = parseLogWitnesses(v);
        if (typeof parsed === "string") {
          ctx.addIssue({ code: "custom", message: parsed });
          return z.NEVER;
        }
        return parsed;
      })
      .default([]),
    /** The certification body's security contact (RFC 9116 Contact: mailto:, https: or tel:), in security.txt and the CSAF documents. */
    SECURITY_CONTACT: z
      .url({
        protocol: /^(mailto|https|tel)$/,
        error: "must be a mailto:, https: or tel: URI such as mailto:security@example.com",
      })
      .default(DEFAULT_SECURITY_CONTACT),
    /** Where Litestream replicates the database (decision 029): file:///abs/path or s3://bucket/path; unset: no replication. */
    DB_REPLICA: replicaUrlSchema.optional(),
    /** Where evidence bytes are kept (decision 027): `file` (DATA_DIR/evidence, the default) or s3://bucket/prefix. */
    EVIDENCE_STORE: z
      .string()
      .transform((v, ctx): EvidenceStoreTarget => {
        if (v.trim() === "file") return { kind: "file" };
        const parsed = v.trim().startsWith("s3:") ? parseReplicaUrl(v) : "must be file or s3://<bucket>/<prefix>";
        if (typeof parsed === "string" || parsed.kind !== "s3") {
          ctx.addIssue({
            code: "custom",
            message: typeof parsed === "string" ? parsed : "must be file or s3://<bucket>/<prefix>",
          });
          return z.NEVER;
        }
        return { kind: "s3", bucket: parsed.bucket, prefix: parsed.prefix };
      })
      .default({ kind: "file" }),
    /** The S3 API's URL for a non-AWS store (MinIO, Ceph, …); unset: AWS in S3_REGION. */
    S3_ENDPOINT: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://minio.example.com:9000" })
      .optional(),
    S3_REGION: z
      .string()
      .regex(/^[a-z0-9-]+$/, { error: "must be a region name such as eu-west-2" })
      .default("us-east-1"),
    /** Bucket in the path (http://host/bucket/key) rather than the host name: MinIO and most self-hosted stores. */
    S3_FORCE_PATH_STYLE: bool.default(false),
    /**
     * Where the public artefacts are published for verifiers (decision 028): a folder (a path or
     * file:///abs/path), s3://bucket/prefix, or none; unset: DATA_DIR/public-artefacts.
     */
    PUBLISH_TO: z
      .string()
      .transform((v, ctx): PublishTarget => {
        const parsed = parsePublishTo(v);
        if (typeof parsed === "string") {
          ctx.addIssue({ code: "custom", message: parsed });
          return z.NEVER;
        }
        return parsed;
      })
      .optional(),
  })
  .transform((e) => {
    const demoMode = e.DEMO_MODE ?? true;
    const baseUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
    return {
      nodeEnv: e.NODE_ENV,
      port: e.PORT,
      host: e.HOST,
      dataDir: e.DATA_DIR,
      baseUrl,
      /** Whether PUBLIC_URL was given (else baseUrl is this machine's localhost address). */
      publicUrlSet: e.PUBLIC_URL !== undefined,
      cookieSecure: baseUrl.startsWith("https:"),
      sessionSecret: e.SESSION_SECRET,
      sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
      /** log2 of scrypt's N for new password hashes (and older, cheaper ones at their next login). */
      passwordHashCost: e.PASSWORD_HASH_COST,
      demoMode,
      /** Whether DEMO_MODE was given (else demoMode is the default, true: see demoModeProblem). */
      demoModeSet: e.DEMO_MODE !== undefined,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      publicApiPerMinute: e.PUBLIC_API_PER_MINUTE,
      publicPagePerMinute: e.PUBLIC_PAGE_PER_MINUTE,
      bulkRowsPerHour: e.BULK_ROWS_PER_HOUR,
      /** Proxy hops to trust in X-Forwarded-For (0: none; the socket's address is the client). */
      trustProxy: e.TRUST_PROXY,
      evidenceMaxFileBytes: e.EVIDENCE_MAX_FILE_MB * 1024 * 1024,
      evidenceMaxFilesPerSubmission: e.EVIDENCE_MAX_FILES_PER_SUBMISSION,
      evidenceQuotaBytesPerOrg: e.EVIDENCE_QUOTA_MB_PER_ORG * 1024 * 1024,
      evidenceResumableThresholdBytes: e.EVIDENCE_RESUMABLE_THRESHOLD_MB * 1024 * 1024,
      logRequests: e.LOG_REQUESTS,
      /** Roles whose users must have two-step login on before using the portal (empty: none). */
      twoStepRequiredFor: e.TWO_STEP_REQUIRED_FOR,
      /** HTTP worker processes (1: no cluster); background workers run in one of them at a time (leases). */
      webConcurrency: e.WEB_CONCURRENCY,
      /** Webhooks to http://127.0.0.1 / localhost (the e2e receiver, a local dev listener): outside production only. */
      webhooksAllowLoopback: e.WEBHOOKS_ALLOW_LOOPBACK ?? e.NODE_ENV !== "production",
      /** Days after which the active signing key is due for rotation (a reminder to the admins). */
      keyRotationDays: e.KEY_ROTATION_DAYS,
      /** The SMTP server mail is sent through; undefined: mails are kept in the outbox (readable at /admin/outbox). */
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      /** The witnesses asked to cosign each new checkpoint (empty: none). */
      logWitnesses: e.LOG_WITNESSES,
      /** The security contact published in /.well-known/security.txt and the CSAF documents. */
      securityContact: e.SECURITY_CONTACT,
      /** The Litestream replica of the database (undefined: not replicated). */
      dbReplica: e.DB_REPLICA,
      /** Where evidence bytes are kept, and how the S3 API is reached (credentials: the AWS SDK's default chain). */
      evidenceStore: e.EVIDENCE_STORE,
      s3: { endpoint: e.S3_ENDPOINT, region: e.S3_REGION, forcePathStyle: e.S3_FORCE_PATH_STYLE },
      /** Where the public artefacts are published (decision 028); default: a folder in DATA_DIR. */
      publishTo:
        e.PUBLISH_TO ?? ({ kind: "folder", dir: path.resolve(e.DATA_DIR, "public-artefacts") } as PublishTarget),
    };
  })
  .superRefine((e, ctx) => {
    if (e.dbReplica?.kind === "file") {
      if (isInside(e.dbReplica.dir, path.resolve(e.dataDir)))
        ctx.addIssue({
          code: "custom",
          path: ["DB_REPLICA"],
          message: `is inside DATA_DIR (${e.dataDir}): a replica there is lost with the disk it protects; put it on another disk or in S3`,
        });
    }
    if (e.nodeEnv === "production" && e.webhooksAllowLoopback) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOKS_ALLOW_LOOPBACK"],
        message:
          "is refused when NODE_ENV=production: webhooks go only to public https addresses there (loopback http is for development and tests); unset it",
      });
    }
    if (e.nodeEnv === "production" && e.smtpUrl && !e.publicUrlSet) {
      ctx.addIssue({
        code: "custom",
        path: ["PUBLIC_URL"],
        message: `is required in production when SMTP_URL is set: every mail links to the portal, and without it the links would point at ${e.baseUrl}`,
      });
    }
    if (e.nodeEnv === "production" && e.passwordHashCost < MIN_PRODUCTION_HASH_COST) {
      ctx.addIssue({
        code: "custom",
        path: ["PASSWORD_HASH_COST"],
        message: `must be at least ${MIN_PRODUCTION_HASH_COST} when NODE_ENV=production: cheaper hashes are for the tests, and a stolen database's passwords would be guessed ${2 ** (MIN_PRODUCTION_HASH_COST - e.passwordHashCost)} times faster`,
      });
    }
    if (e.nodeEnv === "production" && !e.demoMode && !e.sessionSecret) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: "is required in production when DEMO_MODE=false (at least 32 random characters)",
      });
    }
    // A real certification body: every credential, status list, CSAF document and QR code names the
    // portal's address, and security.txt and the CSAF publisher name its contact. Signed with this
    // machine's localhost address or the placeholder contact, they would mislead every verifier.
    if (e.nodeEnv === "production" && !e.demoMode && !e.publicUrlSet) {
      ctx.addIssue({
        code: "custom",
        path: ["PUBLIC_URL"],
        message: `is required in production when DEMO_MODE=false: seals, status lists, CSAF documents and QR codes carry it, and without it they would name ${e.baseUrl}`,
      });
    }
    if (e.nodeEnv === "production" && !e.demoMode && e.securityContact === DEFAULT_SECURITY_CONTACT) {
      ctx.addIssue({
        code: "custom",
        path: ["SECURITY_CONTACT"],
        message: `is required in production when DEMO_MODE=false: security.txt and every CSAF document name it, and ${DEFAULT_SECURITY_CONTACT} is the demo's placeholder (give a mailto:, https: or tel: URI that reaches you)`,
      });
    }
  });

export type Env = z.output<typeof envSchema>;

/** Whether a URL's host is this machine's loopback (localhost, *.localhost, 127.0.0.0/8, [::1]). */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(host) || host === "[::1]";
}

/**
 * The demo is the default (DEMO_MODE unset: true), and it seeds accounts whose password the README
 * publishes. A portal given a public address (PUBLIC_URL, not this machine's loopback) without a
 * word about DEMO_MODE is taken for a real deployment that forgot it: the server refuses to start
 * (startup.server.ts), saying so; scripts and the verifier CLI, which parse the same variables, are
 * not concerned. A line for describeEnvErrors' list ("DEMO_MODE: …"), or undefined.
 */
export function demoModeProblem(env: Pick<Env, "demoModeSet" | "publicUrlSet" | "baseUrl">): string | undefined {
  if (env.demoModeSet || !env.publicUrlSet || isLoopbackUrl(env.baseUrl)) return undefined;
  return `DEMO_MODE: must be set when PUBLIC_URL (${env.baseUrl}) is not this machine: set DEMO_MODE=false for a real deployment, or DEMO_MODE=true to seed demo accounts with the published password`;
}

export type EnvResult = { ok: true; env: Env } | { ok: false; errors: string[] };

export function parseEnv(raw: Record<string, string | undefined>): EnvResult {
  // An empty variable counts as unset.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return { ok: true, env: result.data };
  return { ok: false, errors: describeEnvErrors(result.error) };
}

export function describeEnvErrors(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const name = issue.path.join(".") || "environment";
    return `${name}: ${issue.message}`;
  });
}
