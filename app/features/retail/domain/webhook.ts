/**
 * Webhooks for retail buyers: one JSON event per seal status change, POSTed to an HTTPS endpoint the
 * buyer registers. This module is pure (no I/O besides node:crypto): signatures, the retry
 * schedule, and the checks that keep a webhook target from pointing into our own network (SSRF).
 * The sending itself (DNS resolution, pinning, timeouts) lives in adapters/webhook-sender.server.ts.
 *
 * ## Signature scheme (for receivers)
 *
 * Each delivery carries the header
 *
 *     IoTSeal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * where the HMAC key is the endpoint secret exactly as shown at registration, UTF-8 encoded,
 * *including* its "whsec_" prefix (do not base64-decode it), and the signed message is the
 * UTF-8 string `<t>.<raw request body>`: the timestamp digits, a full stop, then the body bytes
 * exactly as received (verify before parsing the JSON). The hex digest is lowercase, 64 characters.
 *
 * To verify: split the header on ",", then each part on the first "="; take `t` and every `v1`
 * (more than one `v1` may appear in future, e.g. during a secret rotation: accept if any matches);
 * recompute the HMAC; compare in constant time; and reject the event if |now - t| exceeds your
 * tolerance (we use 5 minutes) to limit replays. De-duplicate on the IoTSeal-Event-Id header,
 * because a delivery may be retried after the receiver already processed it (e.g. a timeout).
 *
 * ## Delivery and retries
 *
 * A delivery succeeds on any 2xx. Redirects are never followed (a 3xx is a failed attempt and is
 * not retried: see isRetryable). Network errors, timeouts, 408, 425, 429 and 5xx are retried with
 * exponential backoff (BACKOFF_SCHEDULE_MS, ±20 % jitter) until MAX_ATTEMPTS attempts have failed.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

export const WEBHOOK_SIGNATURE_HEADER = "IoTSeal-Signature";
export const WEBHOOK_EVENT_ID_HEADER = "IoTSeal-Event-Id";
export const WEBHOOK_USER_AGENT = "IoTSeal-Webhooks/1";
export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** Default replay window for verifyWebhookSignature, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** A fresh endpoint secret: "whsec_" + 32 random bytes, base64url (43 characters, no padding). */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString("base64url");
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/**
 * The IoTSeal-Signature header value for `body` sent at `timestamp` (unix seconds): one `v1=` per
 * secret (after a rotation, the new secret's then the previous one's, so a receiver with either
 * checks it: verifyWebhookSignature takes any of them).
 */
export function signWebhook(secret: string | readonly string[], timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError("timestamp must be a non-negative integer of unix seconds");
  const secrets = typeof secret === "string" ? [secret] : secret;
  if (!secrets.length || secrets.some((s) => !s)) throw new RangeError("secret must not be empty");
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, body)}`)].join(",");
}

/** After a rotation, deliveries are signed with the previous secret too for this long (receivers switch over). */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** Whether the secret before a rotation still signs at `nowMs` (until the overlap it was given ends). */
export function previousSecretSigns(until: Date | null, nowMs: number): until is Date {
  return until !== null && until.getTime() > nowMs;
}

/**
 * Whether `header` is a valid signature of `body` under `secret`, made within `toleranceSeconds`
 * of `nowSeconds` (either side, so a receiver with a slow clock is not locked out). Never throws:
 * a malformed header is simply invalid.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  if (!secret || typeof header !== "string" || header.length > 4096) return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined || !/^\d{1,15}$/.test(value)) return false; // duplicate or not a plain integer
      timestamp = Number(value);
    } else if (key === "v1") {
      candidates.push(value);
    }
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (!Number.isFinite(nowSeconds) || !(toleranceSeconds >= 0)) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;

  const expected = Buffer.from(hmacHex(secret, timestamp, body), "hex");
  let ok = false;
  for (const c of candidates) {
    if (!/^[0-9a-fA-F]{64}$/.test(c)) continue;
    // Keep comparing after a match so the time taken does not depend on which candidate matched.
    if (timingSafeEqual(expected, Buffer.from(c, "hex"))) ok = true;
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

/** After this many failed attempts the delivery is failed for good. */
export const MAX_ATTEMPTS = 8;
export const MAX_BACKOFF_MS = 12 * 60 * 60 * 1000;
export const BACKOFF_JITTER = 0.2;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * Nominal wait before the next attempt, indexed by the number of failed attempts so far (1-based,
 * entry 0 is after the first failure). Roughly ×4 per step, capped at 12 h. With MAX_ATTEMPTS = 8
 * there are 7 waits, so the last attempt happens about 22 h 40 min after the first.
 */
export const BACKOFF_SCHEDULE_MS: readonly number[] = [
  30_000,
  2 * MINUTE,
  8 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  8 * HOUR,
  MAX_BACKOFF_MS,
];

/**
 * How long to wait before the next attempt, after `attempt` failed attempts (1-based): the
 * schedule's entry with ±20 % jitter (`random` returns [0, 1), e.g. Math.random), never above
 * MAX_BACKOFF_MS. Attempts beyond the schedule get the cap; whether to retry at all is the
 * caller's (or retryDecision's) business.
 */
export function nextAttemptDelayMs(attempt: number, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError("attempt must be an integer >= 1");
  const base = BACKOFF_SCHEDULE_MS[Math.min(attempt, BACKOFF_SCHEDULE_MS.length) - 1];
  let r = random();
  if (!Number.isFinite(r)) r = 0.5;
  r = Math.min(1, Math.max(0, r));
  const factor = 1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * r;
  return Math.min(MAX_BACKOFF_MS, Math.round(base * factor));
}

/** The waits between attempts in words, e.g. "30 s, 2 min, 8 min, 30 min, 2 h, 8 h and 12 h" (the webhooks page). */
export function retryWaitsInWords(): string {
  const words = BACKOFF_SCHEDULE_MS.map((ms) =>
    ms < MINUTE ? `${ms / 1000} s` : ms < HOUR ? `${ms / MINUTE} min` : `${ms / HOUR} h`,
  );
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** Roughly how long after the first attempt the last one is made (without jitter), in hours. */
export function retryWindowHours(): number {
  const waits = BACKOFF_SCHEDULE_MS.slice(0, MAX_ATTEMPTS - 1).reduce((a, b) => a + b, 0);
  return Math.round(waits / HOUR);
}

/** A 2xx answer: the delivery succeeded. */
export function isSuccessStatus(status: number | null): boolean {
  return status !== null && status >= 200 && status <= 299;
}

/**
 * Whether a failed attempt is worth retrying. `status` is the HTTP status, or null for a network
 * error, refused connection or timeout.
 *
 * - null (network error / timeout), 408 Request Timeout, 425 Too Early, 429 Too Many Requests and
 *   every 5xx: yes, the receiver may recover.
 * - Other 4xx: no; the receiver rejected the request and will do so again.
 * - 3xx: no. We never follow redirects (a redirect could point anywhere, including our own
 *   network, and re-checking every hop adds little), so a redirecting endpoint is a configuration
 *   problem the buyer must fix by registering the final URL; the attempt is recorded with its 3xx
 *   code so they can see why.
 * - 1xx/2xx and anything else: no (2xx is success, not a failure).
 */
export function isRetryable(status: number | null): boolean {
  if (status === null) return true;
  if (status === 408 || status === 425 || status === 429) return true;
  return status >= 500 && status <= 599;
}

export type RetryDecision =
  | { outcome: "delivered" }
  | { outcome: "retry"; delayMs: number }
  | { outcome: "failed"; reason: "not_retryable" | "max_attempts" };

/** What to do after attempt number `attempt` (1-based) ended with `status`. */
export function retryDecision(attempt: number, status: number | null, random: () => number): RetryDecision {
  if (isSuccessStatus(status)) return { outcome: "delivered" };
  if (!isRetryable(status)) return { outcome: "failed", reason: "not_retryable" };
  if (attempt >= MAX_ATTEMPTS) return { outcome: "failed", reason: "max_attempts" };
  return { outcome: "retry", delayMs: nextAttemptDelayMs(attempt, random) };
}

// ---------------------------------------------------------------------------------------------
// Target checks (SSRF)
// ---------------------------------------------------------------------------------------------

export const MAX_WEBHOOK_URL_LENGTH = 2048;

type Cidr4 = readonly [a: number, b: number, c: number, d: number, prefix: number];

/** IPv4 ranges that are never a webhook target (IANA special-purpose registry, plus metadata IPs). */
const BLOCKED_V4: readonly Cidr4[] = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8], // private
  [100, 64, 0, 0, 10], // CGNAT (also Alibaba Cloud metadata 100.100.100.200)
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local (AWS/GCP/Azure metadata 169.254.169.254)
  [172, 16, 0, 0, 12], // private
  [192, 0, 0, 0, 24], // IETF protocol assignments (Oracle Cloud metadata 192.0.0.192)
  [192, 0, 2, 0, 24], // TEST-NET-1
  [192, 88, 99, 0, 24], // deprecated 6to4 relay anycast
  [192, 168, 0, 0, 16], // private
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // TEST-NET-2
  [203, 0, 113, 0, 24], // TEST-NET-3
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, including 255.255.255.255 broadcast
  [168, 63, 129, 16, 32], // Azure host/WireServer address: publicly numbered but answered by the host
];

function v4ToInt(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function inCidr4(addr: number, [a, b, c, d, prefix]: Cidr4): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (addr & mask) >>> 0 === (v4ToInt(a, b, c, d) & mask) >>> 0;
}

function isPublicV4Int(addr: number): boolean {
  return !BLOCKED_V4.some((cidr) => inCidr4(addr, cidr));
}

function parseV4(ip: string): number | null {
  if (isIP(ip) !== 4) return null; // strict dotted quad: no octal/hex/short forms
  const [a, b, c, d] = ip.split(".").map(Number);
  return v4ToInt(a, b, c, d);
}

/** The eight 16-bit groups of an IPv6 address (no zone id), or null. */
function parseV6(ip: string): number[] | null {
  if (ip.includes("%") || isIP(ip) !== 6) return null;
  let s = ip.toLowerCase();
  const tail: number[] = [];
  if (s.includes(".")) {
    const cut = s.lastIndexOf(":");
    const v4 = parseV4(s.slice(cut + 1));
    if (v4 === null) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    s = s.slice(0, cut + 1);
    // "::1.2.3.4" leaves "::", "::ffff:1.2.3.4" leaves "::ffff:"; a single trailing ":" is not "::".
    if (s.endsWith(":") && !s.endsWith("::")) s = s.slice(0, -1);
  }
  const groups = (part: string): number[] => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  let out: number[];
  const dbl = s.indexOf("::");
  if (dbl >= 0) {
    const head = groups(s.slice(0, dbl));
    const rest = groups(s.slice(dbl + 2));
    const fill = 8 - tail.length - head.length - rest.length;
    if (fill < 0) return null;
    out = [...head, ...new Array<number>(fill).fill(0), ...rest, ...tail];
  } else {
    out = [...groups(s), ...tail];
  }
  if (out.length !== 8 || out.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  return out;
}

function embeddedV4(hi: number, lo: number): number {
  return ((hi << 16) | lo) >>> 0;
}

function isPublicV6(g: number[]): boolean {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // ::ffff:0:0/96 IPv4-mapped: as public as the IPv4 address it carries.
  if (zeroUpTo(5) && g[5] === 0xffff) return isPublicV4Int(embeddedV4(g[6], g[7]));
  // ::/96: unspecified (::), loopback (::1) and the deprecated IPv4-compatible form (::a.b.c.d).
  if (zeroUpTo(6)) return false;
  // 64:ff9b::/96 well-known NAT64 prefix: the gateway would connect to the embedded IPv4 address.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) {
    return isPublicV4Int(embeddedV4(g[6], g[7]));
  }
  // 2002::/16 6to4: the IPv4 address is in bits 16..47.
  if (g[0] === 0x2002) return isPublicV4Int(embeddedV4(g[1], g[2]));
  // Everything else must be global unicast, 2000::/3. This refuses in one go 64:ff9b:1::/48
  // (local NAT64), 100::/64 (discard), fc00::/7 (unique local, incl. AWS metadata fd00:ec2::254),
  // fe80::/10 (link-local), fec0::/10 (old site-local), ff00::/8 (multicast), 5f00::/16 (SRv6)
  // and all unallocated space.
  if ((g[0] & 0xe000) !== 0x2000) return false;
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false; // 2001:db8::/32 documentation
  if (g[0] === 0x2001 && g[1] < 0x0200) return false; // 2001::/23 IETF protocol assignments (Teredo, ORCHID, benchmarking…)
  if (g[0] === 0x3fff && g[1] < 0x1000) return false; // 3fff::/20 documentation (RFC 9637)
  return true;
}

/**
 * Whether `ip` (a bare IPv4 dotted quad or IPv6 address, no brackets) is a public unicast address
 * we may deliver to. Anything that is not a strictly formatted address (including IPv6 with a
 * zone id like "fe80::1%eth0", and the octal/hex/short IPv4 spellings that URL parsers rewrite)
 * is not public.
 */
export function isPublicAddress(ip: string): boolean {
  if (typeof ip !== "string") return false;
  const v4 = parseV4(ip);
  if (v4 !== null) return isPublicV4Int(v4);
  const v6 = parseV6(ip);
  if (v6 !== null) return isPublicV6(v6);
  return false;
}

/** 127.0.0.0/8 or ::1: the only non-public targets allowed, and only with allowLoopbackHttp. */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = parseV4(ip);
  if (v4 !== null) return v4 >>> 24 === 127;
  const v6 = parseV6(ip);
  return v6 !== null && v6.slice(0, 7).every((x) => x === 0) && v6[7] === 1;
}

/** Whether a webhook may go to `ip` under these options. */
export function isAllowedTargetAddress(ip: string, opts: { allowLoopbackHttp: boolean }): boolean {
  return isPublicAddress(ip) || (opts.allowLoopbackHttp && isLoopbackAddress(ip));
}

/** Special-use names that never lead to a public endpoint (RFC 6761, 6762, 7686, 8375; ICANN .internal). */
const SPECIAL_USE_SUFFIXES = ["localhost", "local", "internal", "home.arpa", "onion", "invalid", "test", "example"];

export interface WebhookUrlOptions {
  /** Development and test mode only: allow http:// (and https://) to localhost, 127.0.0.0/8 and [::1]. */
  allowLoopbackHttp: boolean;
}

/** The bare IP address if `hostname` (as normalised by `new URL`) is an IP literal, else null. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : null;
}

/**
 * What is wrong with `raw` as a webhook URL, or null when it is acceptable. Syntactic checks only:
 * a name still has to resolve to public addresses at send time (see resolvePublicTarget).
 *
 * All host checks run on the hostname as normalised by the WHATWG URL parser, which is also what
 * the sender connects to: so "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/" and
 * "http://127.1/" are all seen as 127.0.0.1, and "[::FFFF:7F00:1]" as "[::ffff:7f00:1]".
 */
export function webhookUrlProblem(raw: string, opts: WebhookUrlOptions): string | null {
  if (typeof raw !== "string" || raw === "") return "Enter the endpoint URL.";
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `The URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.`;
  // The URL parser silently drops tabs/newlines and trims spaces/control characters: refuse them
  // rather than store something other than what the buyer typed.

  if (/[\u0000-\u0020\u007f]/.test(raw)) return "The URL must not contain spaces or control characters.";
  if (raw.includes("\\")) return "The URL must not contain backslashes.";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "That is not a valid URL.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "The URL must start with https://.";
  if (!/^https?:\/\/[^/]/i.test(raw)) return "The URL must start with https:// followed by a host name.";
  if (url.username || url.password || /^https?:\/\/[^/?#]*@/i.test(raw))
    return "The URL must not contain a user name or password.";
  if (raw.includes("#")) return "The URL must not contain a fragment (#…).";

  const hostname = url.hostname.toLowerCase();
  if (!hostname) return "The URL needs a host name.";
  const ip = ipLiteralOf(hostname);
  const name = hostname.replace(/\.$/, "");
  const loopbackName = name === "localhost";
  const loopbackHost = loopbackName || (ip !== null && isLoopbackAddress(ip));

  if (url.protocol === "http:" && !(opts.allowLoopbackHttp && loopbackHost)) return "The URL must use https://.";

  if (ip !== null) {
    if (!isAllowedTargetAddress(ip, opts)) return "The URL points at a private, local or reserved address.";
    return null;
  }
  if (loopbackName && opts.allowLoopbackHttp) return null;
  if (!name || name.split(".").some((label) => label === "")) return "The host name is not valid.";
  if (SPECIAL_USE_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`))) {
    return "The URL points at a local or reserved host name.";
  }
  if (!name.includes(".")) return "The host must be a fully qualified public domain name.";
  return null;
}

/**
 * The form a webhook URL is stored and compared in: as the WHATWG URL parser writes it (what the
 * sender connects to), so "https://Example.com:443/hook" and "https://example.com/hook" are one
 * endpoint. A URL that does not parse (webhookUrlProblem refuses it) is returned as it is.
 */
export function normalizedWebhookUrl(raw: string): string {
  try {
    return new URL(raw).href;
  } catch {
    return raw;
  }
}
