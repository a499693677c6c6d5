/**
 * Sends one webhook delivery attempt. The SSRF defences, in order:
 *
 * 1. webhookUrlProblem: https only (loopback http only with allowLoopbackHttp, i.e. development
 *    and test), no credentials or fragments, IP literals must be public.
 * 2. resolvePublicTarget: resolve the host now, at send time (never trust a check made when the
 *    URL was registered), and refuse if ANY of its addresses is not public, so an answer mixing a
 *    public and a private address cannot slip through.
 * 3. Pinning: the request connects to the addresses just checked (a `lookup` override that
 *    answers with them), not to whatever the name resolves to a millisecond later (DNS
 *    rebinding). The URL's host name is still used for the Host header and for TLS (SNI and
 *    certificate validation), so pinning does not weaken HTTPS.
 * 4. Redirects are never followed: a 3xx is recorded as a failed attempt with the error
 *    "redirects are not followed" (and isRetryable says not to retry it).
 * 5. A hard deadline (timeoutMs) covers resolution, connection, request and response; at most
 *    64 KiB of the response body is read, and only its first 200 characters are kept.
 *
 * Proxies from the environment are not used (node:http ignores HTTP(S)_PROXY), and each attempt
 * gets its own connection (agent: false), so nothing is shared between deliveries.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { nowMs } from "../../../platform/clock.server";
import {
  ipLiteralOf,
  isAllowedTargetAddress,
  signWebhook,
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_USER_AGENT,
  webhookUrlProblem,
} from "../domain/webhook";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (like dns.promises.lookup with all: true). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface TargetOptions {
  allowLoopbackHttp: boolean;
  lookup?: HostLookup;
}

export type ResolvedTarget =
  | {
      ok: true;
      url: URL;
      /** The address to connect to (the first one resolved). */
      address: string;
      family: 4 | 6;
      /** Every resolved address, all checked; the connection may use any of them (happy eyeballs). */
      addresses: { address: string; family: 4 | 6 }[];
    }
  | { ok: false; message: string };

const defaultLookup: HostLookup = (hostname) => dns.promises.lookup(hostname, { all: true });

/** Checks `url` and resolves its host, refusing it unless every address is an allowed target. */
export async function resolvePublicTarget(url: string, opts: TargetOptions): Promise<ResolvedTarget> {
  const problem = webhookUrlProblem(url, opts);
  if (problem) return { ok: false, message: problem };
  const parsed = new URL(url);
  const literal = ipLiteralOf(parsed.hostname);
  if (literal !== null) {
    const family = isIP(literal) as 4 | 6;
    // webhookUrlProblem has already checked the literal.
    return { ok: true, url: parsed, address: literal, family, addresses: [{ address: literal, family }] };
  }

  const hostname = parsed.hostname.replace(/\.$/, "");
  let answers: ResolvedAddress[];
  try {
    answers = await (opts.lookup ?? defaultLookup)(hostname);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    return { ok: false, message: `Could not resolve the host name${code ? ` (${code})` : ""}.` };
  }
  if (!Array.isArray(answers) || answers.length === 0) return { ok: false, message: "The host name has no addresses." };

  const addresses: { address: string; family: 4 | 6 }[] = [];
  for (const a of answers) {
    const address = typeof a?.address === "string" ? a.address : "";
    const family = isIP(address);
    // Do not echo the address: that would turn this check into an oracle for our internal DNS.
    if (family === 0 || !isAllowedTargetAddress(address, opts)) {
      return { ok: false, message: "The host name resolves to a private, local or reserved address." };
    }
    if (!addresses.some((x) => x.address === address)) addresses.push({ address, family: family as 4 | 6 });
  }
  return { ok: true, url: parsed, address: addresses[0].address, family: addresses[0].family, addresses };
}

export interface DeliverWebhookInput {
  url: string;
  /** The endpoint's secret, or its secrets (new, then previous) while a rotation overlaps: one signature each. */
  secret: string | readonly string[];
  /** The JSON body, sent and signed byte for byte. */
  body: string;
  /** Sent as IoTSeal-Event-Id so receivers can de-duplicate retries. */
  eventId: string;
  timeoutMs?: number;
  allowLoopbackHttp: boolean;
  lookup?: HostLookup;
  /** Signature timestamp in unix seconds; defaults to the app clock. */
  timestamp?: number;
}

export interface DeliveryResult {
  /** The HTTP status, or null when none was received (refused target, network error, timeout). */
  status: number | null;
  error?: string;
  durationMs: number;
  /** The first 200 characters of the response body, if any. */
  responseSnippet?: string;
  /** True when the target was refused before connecting (bad URL, non-public address, DNS failure). */
  refused?: boolean;
}

export const MAX_RESPONSE_BYTES = 64 * 1024;
export const RESPONSE_SNIPPET_CHARS = 200;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A lookup override for net/tls that always answers with the pre-checked addresses. */
function pinnedLookup(addresses: { address: string; family: 4 | 6 }[]): LookupFunction {
  return ((_hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const wanted =
      options?.family === 4 || options?.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (wanted.length === 0) {
      const err: NodeJS.ErrnoException = new Error("no pre-checked address of the requested family");
      err.code = "ENOTFOUND";
      callback(err);
      return;
    }
    if (options?.all)
      callback(
        null,
        wanted.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, wanted[0].address, wanted[0].family);
  }) as unknown as LookupFunction;
}

/** Makes one delivery attempt. Never throws: every failure ends up in the result. */
export async function deliverWebhook(input: DeliverWebhookInput): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    deadlineTimer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const timedOut = () => `timed out after ${timeoutMs} ms`;

  try {
    const target = await Promise.race([resolvePublicTarget(input.url, input), deadline]);
    if (target === "timeout") return { status: null, error: timedOut(), durationMs: elapsed() };
    if (!target.ok) return { status: null, error: target.message, durationMs: elapsed(), refused: true };

    let signature: string;
    try {
      const timestamp = input.timestamp ?? Math.floor(nowMs() / 1000);
      signature = signWebhook(input.secret, timestamp, input.body);
    } catch (e) {
      return { status: null, error: `could not sign: ${(e as Error).message}`, durationMs: elapsed(), refused: true };
    }

    const { url } = target;
    const isHttps = url.protocol === "https:";
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const literal = isIP(hostname) !== 0;
    const bodyBytes = Buffer.from(input.body, "utf8");

    const options: https.RequestOptions = {
      method: "POST",
      protocol: url.protocol,
      hostname,
      port: url.port ? Number(url.port) : undefined,
      path: `${url.pathname}${url.search}`,
      agent: false,
      lookup: pinnedLookup(target.addresses),
      headers: {
        "Content-Type": "application/json",
        "Content-Length": String(bodyBytes.length),
        "User-Agent": WEBHOOK_USER_AGENT,
        Accept: "*/*",
        "Accept-Encoding": "identity",
        [WEBHOOK_SIGNATURE_HEADER]: signature,
        [WEBHOOK_EVENT_ID_HEADER]: input.eventId,
      },
    };
    // TLS: SNI and certificate validation against the name, not the pinned address. No SNI for IP literals.
    if (isHttps && !literal) options.servername = hostname.replace(/\.$/, "");

    const exchange = new Promise<DeliveryResult>((resolve) => {
      let settled = false;
      const finish = (r: Omit<DeliveryResult, "durationMs">) => {
        if (settled) return;
        settled = true;
        resolve({ ...r, durationMs: elapsed() });
      };

      let req: http.ClientRequest;
      try {
        req = (isHttps ? https : http).request(options);
      } catch (e) {
        finish({ status: null, error: (e as Error).message });
        return;
      }

      req.on("error", (e: NodeJS.ErrnoException) =>
        finish({ status: null, error: e.code ? `${e.code}: ${e.message}` : e.message }),
      );
      let onDeadline = () => {
        finish({ status: null, error: timedOut() });
        req.destroy();
      };
      deadline.then(() => {
        if (!settled) onDeadline();
      });

      req.on("response", (res) => {
        const status = res.statusCode ?? null;
        const redirect = status !== null && status >= 300 && status <= 399;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const snippet = text.slice(0, RESPONSE_SNIPPET_CHARS);
          finish({
            status,
            ...(redirect ? { error: "redirects are not followed" } : {}),
            ...(snippet ? { responseSnippet: snippet } : {}),
          });
          res.destroy();
          req.destroy();
        };
        res.on("data", (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          const room = MAX_RESPONSE_BYTES - size;
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(piece);
          size += piece.length;
          if (size >= MAX_RESPONSE_BYTES) done(); // enough: stop reading and drop the connection
        });
        res.on("end", done);
        res.on("error", done); // an aborted body still leaves us a status
        res.on("close", done);
        onDeadline = done; // a body that trickles past the deadline: keep the status we already have
      });

      req.end(bodyBytes);
    });

    return await exchange;
  } catch (e) {
    return { status: null, error: (e as Error)?.message ?? String(e), durationMs: elapsed() };
  } finally {
    clearTimeout(deadlineTimer);
  }
}
