// npm run verify-seal -- <seal.pdf | credential file> [options] — the offline verifier: checks a
// seal certificate (PDF) or a seal credential without the portal's database, and prints the
// verdict as JSON. It never opens DATA_DIR or the database: everything it trusts is either given
// on the command line or fetched from the issuer.
//
// Usage:
//   npm run verify-seal -- <file> [--jwks <jwks.json>] [--issuer <url>]
//                                 [--status <list.jwt>]... [--no-status] [--accept-stale-status]
//                                 [--now <ISO date>]
//
//   <file>            a seal PDF (starts with %PDF-: its attached seal.vc.jwt and log proof
//                     (seal.tlog-proof, C2SP tlog-proof@v1; seal.tlog-proof.json in PDFs issued
//                     before) and its page text are checked, and it must be in one
//                     revision: an incremental update appended after issue makes it forged), or a
//                     credential file: the compact JWS, or JSON {"credential": "<compact JWS>"}
//                     (whitespace inside the JWS, such as line breaks, is ignored: a JWS has none).
//   --jwks <file>     the issuer's keys, a JWKS {"keys": [...]} as served at /.well-known/jwks.json.
//   --issuer <url>    the issuer you trust (default: $IOTSEAL_ISSUER). Without --jwks its keys are
//                     fetched from <url>/.well-known/jwks.json; the credential must name it.
//   --status <file>   a status list credential (the JWS served at /status/<list-id>); repeat it
//                     for the revocation and the suspension list. Without it the lists the
//                     credential names are fetched, and the issuer is asked about supersession.
//   --no-status       skip the status lists and the issuer's API (the output says so):
//                     revocation, suspension and supersession are not checked.
//   --accept-stale-status
//                     use status lists past their validUntil (the output says since when);
//                     without it a seal checked against such lists is "unknown", never valid.
//   --now <date>      check as of this date instead of now (the status lists stay as given). A
//                     date before the seal's validFrom gives "not_yet_valid": the seal had not been
//                     issued then (without --now, a validFrom in the future is forged: the issuer
//                     cannot have signed it yet).
//
// Exit codes: 0 valid; 1 not valid (expired, suspended, revoked, superseded, forged, not_found,
// not_yet_valid: --now before the seal was issued, or unknown: the status lists are out of date);
// 2 bad input (a file missing or unreadable, not a PDF or JWS, a credential of the issuer's cut
// short when it was copied, a bad JWKS or status list, a status list the credential needs that
// was not given, a credential or status list signed by a key the --jwks file lacks, a network
// failure). Bad input prints one line on stderr and nothing on stdout.
//
// Whom to trust. A signature only means something against keys you trust, so the keys come from
// (in this order):
//   1. --jwks <file>: the keys you hold. Once the signature verifies under them, everything the
//      credential says (its issuer, its status list URLs) is the issuer's signed word, so the
//      status lists may be fetched from the URLs it names (they must verify under the same keys).
//      A file is a copy from one moment: a credential or status list signed by a key it lacks (a
//      key made by a rotation since it was saved) is bad input asking for the issuer's current
//      JWKS, never "forged": only the issuer's full key set can say a key was never published.
//   2. --issuer <url> or $IOTSEAL_ISSUER: a pinned issuer. Without --jwks its JWKS is fetched from
//      that origin (once more, with Cache-Control: no-cache, if the credential or a status list names
//      a key the first copy lacks: a cache may hold the set from before a key rotation); with or
//      without, a credential naming another issuer is reported forged.
//   3. Neither: the configured portal, as its credentials name it: $PUBLIC_URL, else
//      http://localhost:$PORT (port 3000 by default), pinned as in 2. Never the issuer the
//      credential names itself: anyone can put up a site, name it as issuer and sign with their
//      own keys. The output's "trust" says which issuer was trusted and how to trust another.
// The output names where the keys came from ("jwks") and what was trusted ("trust").
//
// Status. The revocation and suspension bits come from the issuer's signed status lists, each
// verified against the same keys. A list past its validUntil is "stale": it cannot show a change
// made since (a seal revoked after the list was saved still reads as in force), so a verdict that
// would be valid is "unknown" instead (exit 1), unless --accept-stale-status accepts the lists
// (the output then says they are stale and since when). If a purpose cannot be decided (its
// list not given, or not fetchable), the verdict cannot be "valid", so that is bad input (exit 2)
// naming the missing list; --no-status skips the lists deliberately. Supersession is not in the
// status lists: it is asked of the issuer's seal API (<issuer>/api/v1/seals/<serial>) only when
// the lists are fetched online; that answer can also be not_found (no record of the seal) or
// forged (the issuer recorded another credential; or, for a PDF, the file's SHA-256 is not the
// pdfSha256 it names: the certificate as issued, which the portal's upload check also demands).
// When that answer is revoked or suspended and the signed lists do not show it yet (they are
// re-signed every few minutes), the stricter status is reported (exit 1), with a note that the
// list lags the issuer's API.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { decodeProtectedHeader, type JWK } from "jose";
import { z } from "zod";
import { parseEnv } from "../app/platform/env";
import {
  FORGERY_MESSAGES,
  JWKS_PATH,
  sealVerdict,
  unverifiedPayload,
  type SealCredential,
  type SealVerdict,
} from "../app/features/trust/domain/credential";
import {
  statusFromLists,
  verifyStatusListCredential,
  type StatusListCheck,
} from "../app/features/trust/domain/status-credential";
import { NOT_YET_VALID_REASON } from "../app/features/trust/domain/verdict";
import {
  checkArtefacts,
  PDF_ISSUED_CHECK,
  type ArtefactCheck,
  type Artefacts,
} from "../app/features/trust/domain/verify";
import { pdfDigestDifference } from "../app/features/trust/domain/pdf-integrity";
import { logProofOfAttachments } from "../app/features/trust/domain/tlog-proof";
import { compactJwsOf, cutShortCredential, cutShortText } from "../app/features/trust/domain/pasted-credential";
import { runCli } from "./cli";

const USAGE = `Usage: npm run verify-seal -- <seal.pdf | credential file> [options]

Checks an IoT Seal certificate (PDF) or credential (compact JWS, or JSON {"credential": "..."})
and prints the verdict as JSON. Exit 0 valid, 1 not valid, 2 bad input (including a credential
or status list signed by a key the --jwks file does not have: fetch the issuer's current JWKS).

Options:
  --jwks <file>     the issuer's keys (JWKS JSON, as served at /.well-known/jwks.json)
  --issuer <url>    the issuer to trust (default $IOTSEAL_ISSUER); without --jwks its keys are
                    fetched from <url>/.well-known/jwks.json
  --status <file>   a signed status list (as served at /status/<id>); repeat for each list.
                    Without it, the lists the credential names are fetched from the issuer.
  --no-status       do not check revocation, suspension or supersession
  --accept-stale-status
                    use status lists past their validUntil (said in the output); without it,
                    a seal checked against out-of-date lists is "unknown" (exit 1), never valid
  --now <date>      check as of this ISO date instead of now; a date before the seal's
                    validFrom gives "not_yet_valid" (exit 1): it had not been issued then
  -h, --help        show this help

Without --jwks, --issuer or $IOTSEAL_ISSUER only the configured portal is trusted: $PUBLIC_URL,
else http://localhost:$PORT (3000). A credential naming another issuer is not valid.`;

/** Input that cannot be judged: one line on stderr, exit 2. */
class InputError extends Error {}

const FETCH_TIMEOUT_MS = 15_000;
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Header and payload only: a credential cut before its second dot, if the header is the issuer's (checked with the keys). */
const TWO_PARTS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const jwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });
const credentialJson = z.object({ credential: z.string() });
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

/** "https://seal.example.com/" and "https://seal.example.com" are the same issuer. */
function normalizeIssuer(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

type PinnedIssuer = { url: string; from: string; configured?: true };

/** A duration as people say it: "3 days", "5 hours", "12 minutes". */
function durationText(ms: number): string {
  const [n, unit] =
    ms >= 2 * 86_400_000
      ? [Math.floor(ms / 86_400_000), "day"]
      : ms >= 2 * 3_600_000
        ? [Math.floor(ms / 3_600_000), "hour"]
        : [Math.max(0, Math.floor(ms / 60_000)), "minute"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** What the output's "trust" says of a pinned issuer. */
function trustOf(p: PinnedIssuer): string {
  return p.configured
    ? `trusting issuer ${p.url} (the configured portal, ${p.from}); pass --issuer or --jwks to trust another`
    : `issuer pinned to ${p.url} (${p.from})`;
}

function readInputFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${what} ${file} does not exist.`);
    if (code === "EISDIR") throw new InputError(`${what} ${file} is a directory, not a file.`);
    throw new InputError(`${what} ${file} cannot be read (${code ?? (e as Error).message}).`);
  }
}

async function fetchText(
  url: string,
  what: string,
  accept: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, {
      headers: { Accept: accept, ...headers },
      redirect: "follow",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (e as Error).name === "TimeoutError"
        ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
        : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new InputError(`Could not fetch ${what} from ${url}: ${why}.`);
  }
}

/** The `kid` a compact JWS's protected header names, or null when it cannot be read. */
function kidOf(jws: string): string | null {
  try {
    const kid = decodeProtectedHeader(jws.trim()).kid;
    return typeof kid === "string" && kid ? kid : null;
  } catch {
    return null;
  }
}

function parseJwks(text: string, source: string): JWK[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`The JWKS from ${source} is not JSON.`);
  }
  const parsed = jwksSchema.safeParse(json);
  if (!parsed.success)
    throw new InputError(`The JWKS from ${source} is not a key set: expected {"keys": [{"kty": ...}, ...]}.`);
  if (parsed.data.keys.length === 0) throw new InputError(`The JWKS from ${source} has no keys.`);
  return parsed.data.keys as JWK[];
}

/**
 * The PDF reader, loaded only for a PDF: pdfjs is a megabyte of JavaScript, and under tsx its
 * loading costs more than everything else together. Node's source maps are off while it loads
 * (pdfjs ships a 2.4 MB map that would be parsed for nothing) and restored after.
 */
async function loadPdfReader() {
  const maps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    return await import("../app/features/trust/adapters/pdf-read.server");
  } finally {
    process.setSourceMapsEnabled(maps);
  }
}

/** The artefacts in the input file: a seal PDF's attachments and page, or a credential. */
async function readArtefacts(
  file: string,
): Promise<{ artefacts: Artefacts; kind: "pdf" | "credential"; noCredential?: true }> {
  const bytes = readInputFile(file, "The file");
  // An empty file (a download that did not finish, a copy that failed) is said to be empty, not "not a seal".
  if (!bytes.toString("utf8").trim())
    throw new InputError(`${file} is empty: give the seal's PDF or its credential (seal.vc.jwt).`);
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") {
    const { PdfReadError, readSealPdf } = await loadPdfReader();
    let pdf: Awaited<ReturnType<typeof readSealPdf>>;
    try {
      pdf = await readSealPdf(bytes);
    } catch (e) {
      if (e instanceof PdfReadError) throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
    const jws = pdf.attachments.get("seal.vc.jwt")?.toString("utf8").trim();
    if (!jws) return { artefacts: { jws: "" }, kind: "pdf", noCredential: true };
    const logProof = logProofOfAttachments(pdf.attachments); // seal.tlog-proof, or an older PDF's seal.tlog-proof.json
    return { artefacts: { jws, pageText: pdf.pageText, logProof, pdfBytes: bytes }, kind: "pdf" };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).trim();
  } catch {
    throw new InputError(`${file} is neither a PDF nor a text file with a seal credential.`);
  }
  if (text.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new InputError(`${file} is not valid JSON.`);
    }
    const body = credentialJson.safeParse(json);
    if (!body.success)
      throw new InputError(`${file} has no "credential" string: expected {"credential": "<compact JWS>"}.`);
    text = body.data.credential;
  }
  text = compactJwsOf(text);
  // Two parts may be one of the issuer's credentials cut short: told once the keys are known (main).
  if (!JWS_SHAPE.test(text) && !TWO_PARTS.test(text))
    throw new InputError(
      `${file} is not a seal PDF or a seal credential (a compact JWS: three base64url parts separated by dots).`,
    );
  return { artefacts: { jws: text }, kind: "credential" };
}

type VerifiedList = Extract<StatusListCheck, { ok: true }>;

interface Output {
  /**
   * "unknown": the status could not be decided (the status lists are out of date).
   * "not_yet_valid": --now is before the seal's validFrom (it had not been issued then).
   */
  status: SealVerdict | "unknown" | "not_yet_valid";
  reason?: string;
  serial?: string;
  subject?: SealCredential["credentialSubject"];
  validFrom?: string;
  validUntil?: string;
  issuer?: SealCredential["issuer"];
  kid?: string;
  jwks?: string;
  trust?: string;
  checks: ArtefactCheck[];
  statusLists: { url: string; purpose: string; validUntil: string; stale: boolean }[];
  notes: string[];
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      allowPositionals: true,
      strict: true,
      options: {
        jwks: { type: "string" },
        issuer: { type: "string" },
        status: { type: "string", multiple: true },
        "no-status": { type: "boolean" },
        "accept-stale-status": { type: "boolean" },
        now: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    args = parse(argv);
  } catch (e) {
    // Node's messages for an unknown option go on to explain positionals; the first sentence says it.
    throw new InputError(`${(e as Error).message.split(/\. To specify/)[0]} (see --help)`);
  }
  const opts = args.values;
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals.length !== 1)
    throw new InputError(
      args.positionals.length
        ? "Give one file to verify, not several (see --help)."
        : "Give the seal PDF or credential file to verify (see --help).",
    );
  if (opts["no-status"] && opts.status?.length)
    throw new InputError("--status and --no-status contradict each other; give one.");
  if (opts["no-status"] && opts["accept-stale-status"])
    throw new InputError("--accept-stale-status and --no-status contradict each other; give one.");

  let now = new Date();
  if (opts.now !== undefined) {
    if (!isoDate.safeParse(opts.now).success)
      throw new InputError(`--now must be an ISO date such as 2026-05-01 or 2026-05-01T12:00:00Z, not "${opts.now}".`);
    now = new Date(opts.now);
  }

  let pinnedIssuer: PinnedIssuer | undefined;
  const issuerArg = opts.issuer ?? (process.env.IOTSEAL_ISSUER || undefined);
  if (issuerArg !== undefined) {
    const from = opts.issuer !== undefined ? "--issuer" : "$IOTSEAL_ISSUER";
    if (!httpUrl.safeParse(issuerArg).success)
      throw new InputError(
        `${from} must be the issuer's http(s) URL, such as https://seal.example.com, not "${issuerArg}".`,
      );
    pinnedIssuer = { url: normalizeIssuer(issuerArg), from };
  } else if (opts.jwks === undefined) {
    // Neither keys nor an issuer given: the configured portal, by the rule that names it in its credentials.
    const env = parseEnv({ PUBLIC_URL: process.env.PUBLIC_URL, PORT: process.env.PORT });
    if (!env.ok) throw new InputError(`No issuer to trust: ${env.errors.join("; ")}. Pass --issuer or --jwks.`);
    pinnedIssuer = {
      url: normalizeIssuer(env.env.baseUrl),
      from: process.env.PUBLIC_URL ? "$PUBLIC_URL" : "the default, http://localhost:$PORT",
      configured: true,
    };
  }

  // Everything given on the command line is read before anything is fetched.
  const file = args.positionals[0];
  const input = await readArtefacts(file);
  const statusTexts = (opts.status ?? []).map((f) => ({
    file: f,
    text: readInputFile(f, "The status list file").toString("utf8"),
  }));
  const jwksText = opts.jwks !== undefined ? readInputFile(opts.jwks, "The JWKS file").toString("utf8") : undefined;

  const out: Output = { status: "forged", checks: [], statusLists: [], notes: [] };
  const finish = (): number => {
    const o = out;
    const ordered = {
      status: o.status,
      reason: o.reason,
      serial: o.serial,
      subject: o.subject,
      validFrom: o.validFrom,
      validUntil: o.validUntil,
      issuer: o.issuer,
      kid: o.kid,
      jwks: o.jwks,
      trust: o.trust,
      checks: o.checks,
      statusLists: o.statusLists,
      notes: o.notes,
    };
    console.log(JSON.stringify(ordered, null, 2)); // undefined fields are left out
    return o.status === "valid" ? 0 : 1;
  };
  // A PDF without a credential is not a genuine certificate, whoever the issuer is.
  if (input.noCredential) {
    out.reason =
      "This PDF carries no seal credential (seal.vc.jwt): it is not an IoT Seal certificate, or it was altered.";
    out.checks.push({ label: "Credential attached", ok: false });
    return finish();
  }

  // A credential naming another issuer than the one trusted is not worth fetching keys for.
  if (pinnedIssuer) {
    const claimed = (unverifiedPayload(input.artefacts.jws) as { issuer?: { id?: unknown } } | null)?.issuer?.id;
    if (
      typeof claimed === "string" &&
      (!httpUrl.safeParse(claimed).success || normalizeIssuer(claimed) !== pinnedIssuer.url)
    ) {
      out.trust = trustOf(pinnedIssuer);
      out.reason = `The credential names the issuer ${claimed}, not the trusted issuer ${pinnedIssuer.url} (${pinnedIssuer.from}): it is not valid here. To trust ${claimed}, pass --issuer or --jwks with its keys.`;
      out.checks.push({ label: "Issued by the pinned issuer", ok: false, detail: out.reason });
      return finish();
    }
  }

  // The keys.
  let keys: JWK[];
  /** Fetches the issuer's JWKS again past any cache (only when the keys were fetched, not given). */
  let refetchKeys: (() => Promise<JWK[]>) | null = null;
  let keyRefetched = false;
  let jwksSource: string;
  let trust: string;
  if (jwksText !== undefined) {
    keys = parseJwks(jwksText, opts.jwks!);
    jwksSource = opts.jwks!;
    trust = pinnedIssuer
      ? `keys from the file ${opts.jwks}; issuer pinned to ${pinnedIssuer.url} (${pinnedIssuer.from})`
      : `keys from the file ${opts.jwks}`;
  } else {
    if (!pinnedIssuer) throw new Error("unreachable: without --jwks an issuer is always pinned");
    trust = trustOf(pinnedIssuer);
    const source = `${pinnedIssuer.url}/.well-known/jwks.json`;
    jwksSource = source;
    const fetchKeys = async (headers?: Record<string, string>) => {
      const res = await fetchText(source, "the issuer's keys", "application/json", headers);
      if (res.status !== 200)
        throw new InputError(`Could not fetch the issuer's keys from ${source}: HTTP ${res.status}.`);
      return parseJwks(res.text, source);
    };
    keys = await fetchKeys();
    refetchKeys = () => fetchKeys({ "Cache-Control": "no-cache", Pragma: "no-cache" });
  }

  out.jwks = jwksSource;
  out.trust = trust;

  /**
   * A key the fetched JWKS does not hold (a credential or status list signed by a key published
   * since: a rotation, with a cache between us and the issuer still serving the older set) gets
   * the JWKS fetched once more, asking every cache to go back to the issuer. A kid still unknown
   * after that is what the signature check says it is: the verifier holds the issuer's full key
   * set. Keys from a --jwks file are not fetched again: see missingFromFile.
   */
  const holdKeyOf = async (jws: string) => {
    if (!refetchKeys || keyRefetched) return;
    const kid = kidOf(jws);
    if (!kid || keys.some((k) => k.kid === kid)) return;
    keyRefetched = true;
    keys = await refetchKeys();
    out.notes.push(
      `the issuer's keys were fetched again (the first copy, from ${jwksSource}, did not have the key ${kid}: a cache may have held an older one)`,
    );
  };

  /**
   * Bad input when `jws` names a key the --jwks file lacks: the file is a copy from one moment
   * (saved before a rotation, it lacks the newer keys), so it cannot say the issuer never published
   * the key. Null with fetched keys, or when the file has the key.
   */
  const missingFromFile = (jws: string, what: string): InputError | null => {
    if (jwksText === undefined) return null;
    const kid = kidOf(jws);
    if (!kid || keys.some((k) => k.kid === kid)) return null;
    const current = `${pinnedIssuer?.url ?? ""}${JWKS_PATH}`;
    return new InputError(
      `${what} is signed with the key ${kid}, which is not in ${opts.jwks}: fetch the issuer's current ${current} (a key set saved before a key rotation lacks the newer keys) and check again.`,
    );
  };

  // The artefacts: signature, page, log proof.
  if (input.kind === "pdf") out.checks.push({ label: "Credential attached", ok: true });
  await holdKeyOf(input.artefacts.jws);
  if (input.kind === "credential") {
    // One of the issuer's credentials with its end missing was cut short when copied: bad input, not a forgery.
    const cut = cutShortCredential(input.artefacts.jws, keys);
    if (cut)
      throw new InputError(
        `${file}: this credential is cut short: ${cutShortText(cut)}. Download it whole from the seal page (/s/<serial>/credential), or check the seal PDF.`,
      );
    if (!JWS_SHAPE.test(input.artefacts.jws))
      throw new InputError(
        `${file} is not a seal PDF or a seal credential (a compact JWS: three base64url parts separated by dots).`,
      );
  }
  const result = await checkArtefacts(input.artefacts, keys);
  out.checks.push(...result.checks);
  const shown = result.credential;
  if (shown) {
    Object.assign(out, {
      serial: shown.credentialSubject.serial,
      subject: shown.credentialSubject,
      validFrom: shown.validFrom,
      validUntil: shown.validUntil,
      issuer: shown.issuer,
    });
  }
  if (!result.ok) {
    if (result.reason === FORGERY_MESSAGES.unknown_kid) {
      const missing = missingFromFile(input.artefacts.jws, `${file}: the credential`);
      if (missing) throw missing;
    }
    out.reason = result.reason;
    return finish();
  }
  const credential = result.credential;
  out.kid = result.kid;
  const issuerId =
    typeof credential.issuer?.id === "string" && httpUrl.safeParse(credential.issuer.id).success
      ? normalizeIssuer(credential.issuer.id)
      : null;
  if (!issuerId) {
    out.reason = "The signed credential does not name its issuer as an http(s) URL.";
    return finish();
  }
  if (pinnedIssuer) {
    if (issuerId !== pinnedIssuer.url) {
      out.reason = `The credential names the issuer ${credential.issuer.id}, not the pinned issuer ${pinnedIssuer.url}.`;
      out.checks.push({ label: "Issued by the pinned issuer", ok: false, detail: out.reason });
      return finish();
    }
    out.checks.push({ label: "Issued by the pinned issuer", ok: true, detail: pinnedIssuer.url });
  }

  // Status: revocation and suspension from the signed lists; supersession from the issuer.
  let revoked = false;
  let suspended = false;
  let superseded = false;
  /** The issuer's seal API reported a revocation or suspension its signed list does not show yet. */
  let apiSays: { status: string; reason: string } | null = null;
  /** The lists the credential names that were past their validUntil at `now`, for the answer. */
  const staleLists: string[] = [];
  const online = !opts["no-status"] && statusTexts.length === 0;
  if (opts["no-status"]) {
    out.notes.push("status not checked (--no-status): a revoked, suspended or superseded seal shows here as valid");
  } else {
    const lists: VerifiedList[] = [];
    if (online) {
      const urls = [...new Set(credential.credentialStatus.map((e) => e.statusListCredential))];
      for (const url of urls) {
        if (!httpUrl.safeParse(url).success)
          throw new InputError(`The credential names a status list that is not an http(s) URL: ${url}.`);
        const res = await fetchText(url, "the status list", "application/vc+jwt");
        if (res.status !== 200) throw new InputError(`Could not fetch the status list ${url}: HTTP ${res.status}.`);
        await holdKeyOf(res.text); // lists are re-signed by the active key: after a rotation, by the new one
        const list = await verifyStatusListCredential(res.text, keys);
        if (!list.ok)
          throw (
            missingFromFile(res.text, `The status list fetched from ${url}`) ??
            new InputError(`The status list fetched from ${url} does not verify: ${list.message}`)
          );
        lists.push(list);
      }
    } else {
      for (const s of statusTexts) {
        await holdKeyOf(s.text); // a saved list may be signed by a key newer than a cached JWKS
        const list = await verifyStatusListCredential(s.text, keys);
        if (!list.ok)
          throw (
            missingFromFile(s.text, `The status list file ${s.file}`) ??
            new InputError(`The status list file ${s.file} does not verify: ${list.message}`)
          );
        lists.push(list);
      }
    }
    for (const list of lists) {
      const stale = !(Date.parse(list.validUntil) > now.getTime());
      out.statusLists.push({ url: list.url, purpose: list.purpose, validUntil: list.validUntil, stale });
      if (
        !credential.credentialStatus.some(
          (e) => e.statusListCredential === list.url && e.statusPurpose === list.purpose,
        )
      ) {
        out.notes.push(`the ${list.purpose} list ${list.url} is not one this credential names; it was ignored`);
      } else if (stale) {
        const which = `the ${list.purpose} list ${list.url} was valid until ${list.validUntil}`;
        staleLists.push(which);
        const since = `out of date for ${durationText(now.getTime() - Date.parse(list.validUntil))}, so it cannot show a change made since`;
        out.notes.push(
          `${which}: ${since}${opts["accept-stale-status"] ? "; used anyway (--accept-stale-status)" : ""}`,
        );
      }
    }
    const bits = statusFromLists(credential, lists);
    for (const purpose of ["revocation", "suspension"] as const) {
      const entry = credential.credentialStatus.find((e) => e.statusPurpose === purpose);
      if (!entry) {
        out.notes.push(
          `the credential names no ${purpose} list, so it cannot be ${purpose === "revocation" ? "revoked" : "suspended"}`,
        );
        continue;
      }
      const set = purpose === "revocation" ? bits.revoked : bits.suspended;
      if (set === null) {
        // statusFromLists says "unknown" both for a list not given and for an index outside it.
        const list = lists.find((l) => l.purpose === purpose && l.url === entry.statusListCredential);
        if (!list)
          throw new InputError(
            `The ${purpose} status is unknown: give the ${purpose} list ${entry.statusListCredential} with --status (or use --no-status to skip the status lists).`,
          );
        throw new InputError(
          `The credential's ${purpose} index ${entry.statusListIndex} is outside the list ${list.url} (${list.bits.size} entries).`,
        );
      }
      if (purpose === "revocation") revoked = set;
      else suspended = set;
      const label = purpose === "revocation" ? "Not revoked" : "Not suspended";
      out.checks.push({
        label,
        ok: !set,
        detail: `${purpose} list ${entry.statusListCredential}, entry ${entry.statusListIndex}${set ? ": set" : ""}`,
      });
    }

    if (online) {
      const url = `${issuerId}/api/v1/seals/${encodeURIComponent(credential.credentialSubject.serial)}`;
      const res = await fetchText(url, "the seal's record", "application/json");
      if (res.status === 404) {
        out.status = "not_found";
        out.reason = "The signature is the issuer's, but the issuer has no record of this seal.";
        out.checks.push({ label: "Recorded by the issuer", ok: false, detail: url });
        return finish();
      }
      let record: { status?: unknown; reason?: unknown; credential?: unknown; pdfSha256?: unknown } | null;
      try {
        record = res.status === 200 ? JSON.parse(res.text) : null;
      } catch {
        record = null;
      }
      if (!record || typeof record !== "object")
        throw new InputError(`Could not read the seal's record from ${url}: HTTP ${res.status}.`);
      if (typeof record.credential === "string" && record.credential.trim() !== input.artefacts.jws.trim()) {
        out.reason = "This credential is not the one the issuer recorded for this seal.";
        out.checks.push({ label: "Recorded by the issuer", ok: false, detail: out.reason });
        return finish();
      }
      // A PDF must be the file the issuer issued, as the portal's upload check demands: the issuer's record names its
      // SHA-256. Without it (the bytes are not at hand) a PDF rewritten whole in one revision, a QR code redrawn to
      // open another website, would pass on its page text alone.
      const pdfBytes = input.artefacts.pdfBytes;
      if (pdfBytes && typeof record.pdfSha256 === "string" && /^[0-9a-f]{64}$/i.test(record.pdfSha256)) {
        const serial = credential.credentialSubject.serial;
        const differs = pdfDigestDifference(serial, record.pdfSha256, pdfBytes);
        if (differs) {
          out.reason = differs;
          out.checks.push({
            label: PDF_ISSUED_CHECK,
            ok: false,
            detail: pdfDigestDifference(serial, record.pdfSha256, pdfBytes, true)!,
          });
          if (typeof record.status === "string")
            out.notes.push(
              `the credential inside this file is the issuer's own record of seal ${serial}, which the issuer says is ${record.status} now: if the file was only saved again (by a mail program or a PDF viewer), rely on ${url}, not on this file`,
            );
          return finish();
        }
        out.checks.push({
          label: PDF_ISSUED_CHECK,
          ok: true,
          detail: `SHA-256 ${record.pdfSha256.slice(0, 16).toLowerCase()}…, as the issuer recorded it`,
        });
      }
      superseded = record.status === "superseded";
      out.checks.push({ label: "Not superseded", ok: !superseded, detail: url });
      // A list is re-signed every few minutes (and cached until then): it may lag the issuer's live
      // answer. A revocation or suspension the API already reports counts: the stricter status wins.
      const lagging =
        record.status === "revoked" && !revoked
          ? ("revocation" as const)
          : record.status === "suspended" && !revoked && !suspended
            ? ("suspension" as const)
            : null;
      if (lagging) {
        if (lagging === "revocation") revoked = true;
        else suspended = true;
        const said = record.status as string;
        apiSays = {
          status: said,
          reason: `The issuer's seal API says this seal is ${said}${typeof record.reason === "string" && record.reason ? ` (${record.reason.replace(/\.$/, "")})` : ""}; its signed ${lagging} list does not show it yet.`,
        };
        out.checks.push({ label: `Not ${said} (the issuer's seal API)`, ok: false, detail: url });
        out.notes.push(
          `the signed ${lagging} list lags the issuer's seal API, which says ${said}: the list shows it from its next update`,
        );
      }
    } else {
      out.notes.push(
        "supersession is not part of the status lists; checked offline, so supersession was not checked (run without --status to ask the issuer)",
      );
    }
  }

  const v = sealVerdict(credential, { now, revoked, suspended, superseded });
  out.status = v.verdict;
  // A validFrom after --now is a question about a date before the seal was issued, not a forgery,
  // as long as the issuer can have signed it by the real clock (the same rule, asked of now).
  const notYetIssued =
    opts.now !== undefined &&
    v.verdict === "forged" &&
    v.reason === NOT_YET_VALID_REASON &&
    sealVerdict(credential, { now: new Date(), revoked: false, suspended: false }).reason !== NOT_YET_VALID_REASON;
  if (notYetIssued) out.status = "not_yet_valid";
  const reason =
    (notYetIssued ? `Not valid yet as of ${now.toISOString()}: issued ${credential.validFrom}.` : undefined) ??
    v.reason ??
    (apiSays?.status === v.verdict ? apiSays.reason : undefined) ??
    (v.verdict === "revoked"
      ? "The issuer's signed revocation list marks this seal as revoked."
      : v.verdict === "suspended"
        ? "The issuer's signed suspension list marks this seal as suspended."
        : undefined);
  if (reason) out.reason = reason;
  // Lists past their validUntil cannot say the seal is still in force: it may have been revoked since.
  if (staleLists.length && out.status === "valid" && !opts["accept-stale-status"]) {
    out.status = "unknown";
    out.reason = `status unknown: the lists are out of date (${staleLists.join("; ")}). Check again with fresh lists (from the issuer's /status/<list> URLs, or run without --status to fetch them), or pass --accept-stale-status to accept these.`;
    out.checks.push({ label: "Status lists up to date", ok: false, detail: staleLists.join("; ") });
  }
  if (opts.now !== undefined)
    out.notes.push(`checked as of ${now.toISOString()}; the status lists say what they said when signed`);
  return finish();
}

const run = async (): Promise<number> => {
  try {
    return await main(process.argv.slice(2));
  } catch (e) {
    if (e instanceof InputError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
};
await runCli(run, { dataDir: "none", wire: false }); // never opens DATA_DIR, never changes anything
