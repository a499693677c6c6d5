/**
 * The static publication of the public artefacts (decision record 028): everything a verifier
 * fetches from the issuer, written to PUBLISH_TO with the portal's URL paths, so that a static web
 * server or CDN serving that folder (or bucket) at the issuer's origin answers those paths as the
 * portal does, with the portal down.
 *
 * Driven by the outbox: a run publishes what the domain events since the target's cursor touched
 * (a seal issued or changed status, an advisory, a report, a product), then moves the cursor; it
 * is idempotent (a file whose version the target already holds is not written again) and a failed
 * run moves nothing, so the next one does it again. The server runs it after each seal change (an
 * after-commit subscriber that only wakes the worker: a publication never fails nor delays the
 * change), at start-up (catching up), and every minute (the status lists are re-signed every five
 * minutes and go stale after ten; the checkpoint gains witness cosignatures). The lease
 * `publication:<target>` (leases, decision record 031) keeps two processes from publishing to one
 * target at once; the server's worker itself runs in one process at a time (its own lease).
 *
 * Order of writes (each file replaced atomically): the `_headers` manifest; the keys (a new key
 * before anything it signed); each credential and PDF; the log's new tiles and entry bundles, then
 * the checkpoint that covers them; the status lists (after the credentials they speak of); the seal
 * answers and linksets; the CSAF documents, then their indexes and the provider metadata.
 */
import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";
import { and, eq, gt, inArray, lte, max } from "drizzle-orm";
import { domainEvents, products, productVersions, publicationTargets, publishedFiles, seals } from "../../../db/schema";
import { nowMs } from "../../platform/clock.server";
import { db, transaction, type Tx } from "../../platform/db.server";
import { acquireLease, releaseLease } from "../../platform/leases.server";
import { holderName, mayAct, renewEveryMs } from "../../platform/lease";
import { getEnv } from "../../platform/env.server";
import type { PublishTarget } from "../../platform/env";
import { inBackground } from "../../platform/background.server";
import { CERTIFICATION_BODY_NAME } from "../accounts/users.server";
import { signingKeys } from "../trust/adapters/signing-keys.server";
import { issuerMetadata, JWKS_PATH } from "../trust/domain/credential";
import { SEAL_CONTEXT_DOCUMENT, SEAL_CONTEXT_PATH } from "../trust/domain/seal-context";
import { tilePath } from "../trust/domain/tiles";
import { currentLogOrigin, logSize, logTile, serverAddressSettings } from "../trust/transparency-log.server";
import { treeRoot } from "../trust/log-tree.server";
import { verifyCheckpoint, type VerifiedCheckpoint } from "../trust/domain/tlog";
import { parseCheckpointBody, parseSignatureLines } from "../trust/domain/merkle";
import { latestCosignedCheckpoint } from "../trust/witnesses.server";
import { lostSealsRecordedSince, STATUS_LIST_IDS, statusListCredential } from "../trust/seal-status.server";
import { gtin14Of } from "../catalogue/domain/gtin";
import { sealApiView, sealBySerial, sealPdf } from "../certification/seals.server";
import { CSAF_BASE_PATH, CSAF_WHITE_PATH, SECURITY_TXT_PATH } from "../findings/domain/csaf-directory";
import {
  CHECKPOINT_HEADERS,
  CREDENTIAL_HEADERS,
  csafHeaders,
  GS1_RESOLVER_HEADERS,
  ISSUER_METADATA_HEADERS,
  JWKS_HEADERS,
  LOG_KEYS_HEADERS,
  publishedStatusListHeaders,
  SEAL_API_HEADERS,
  SEAL_CONTEXT_HEADERS,
  SEAL_PDF_HEADERS,
  TILE_HEADERS,
  type ArtefactHeaders,
} from "./domain/artefact-headers";
import { headersManifest, newTiles, publicationBackoffMs, storedPathOf, type HeaderRule } from "./domain/publication";
import { resolverDescription } from "./domain/gs1-resolver";
import { linksetHeaders, resolveDigitalLink } from "./gs1-resolver.server";
import { logVerifierKeysText, sealApiBody } from "./public-api.server";
import { csafFile, csafPaths } from "./csaf-api.server";
import { folderSink, s3Sink, type PublicationSink } from "./adapters/publication-sinks.server";
import { createS3Client } from "../certification/adapters/s3-evidence-store.server";

/** How often the worker publishes when nothing asks it to (the status lists' refresh). */
export const PUBLISH_EVERY_MS = 60_000;
/**
 * A run's lease lasts this long unless renewed; the run renews it every third of that while it
 * runs (a slow or stuck write to the target keeps it), so it is taken over only from a run that
 * stopped renewing (its process died or stalled), and such a run writes nothing more once it notices.
 */
const LEASE_MS = 10 * 60_000;
/** Retries after failures back off from 15 s to this (under the status lists' five-minute refresh). */
const BACKOFF_CAP_MS = 5 * 60_000;
/** The domain events whose artefacts a run publishes (their facts name a serial or a product); each wakes the publisher (wiring). */
export const PUBLISHED_EVENT_TYPES = [
  "seal.changed",
  "seal.certificate_stored",
  "advisory.published",
  "finding.changed",
  "product.changed",
] as const;

/** A target's key in publication_targets: the folder, or s3://bucket/prefix. */
export function publicationTargetKey(t: Exclude<PublishTarget, { kind: "none" }>): string {
  return t.kind === "folder" ? `folder:${t.dir}` : `s3://${t.bucket}/${t.prefix}`;
}

/** A target as messages name it: the folder, s3://bucket/prefix, or none. */
export function publicationTargetName(t: PublishTarget): string {
  return t.kind === "folder" ? t.dir : t.kind === "s3" ? `s3://${t.bucket}/${t.prefix}` : "none";
}

let s3: { key: string; sink: PublicationSink } | undefined;

/** The sink of a publication target (one S3 client per target, kept). */
export function sinkFor(t: Exclude<PublishTarget, { kind: "none" }>): PublicationSink {
  if (t.kind === "folder") return folderSink(t.dir);
  const key = publicationTargetKey(t);
  if (s3?.key !== key) s3 = { key, sink: s3Sink(createS3Client(getEnv().s3), t.bucket, t.prefix) };
  return s3.sink;
}

/** The `_headers` rules: one per family of paths, none overlapping (tests/unit/public/publication.test.ts). */
export function publicationHeaderRules(): HeaderRule[] {
  return [
    { pattern: JWKS_PATH, headers: JWKS_HEADERS },
    { pattern: "/.well-known/jwt-vc-issuer", headers: ISSUER_METADATA_HEADERS },
    { pattern: "/.well-known/gs1resolver", headers: GS1_RESOLVER_HEADERS },
    { pattern: SEAL_CONTEXT_PATH, headers: SEAL_CONTEXT_HEADERS },
    { pattern: "/s/:serial/credential", headers: CREDENTIAL_HEADERS },
    { pattern: "/s/:serial/seal.pdf", headers: SEAL_PDF_HEADERS },
    { pattern: "/api/v1/seals/:serial", headers: SEAL_API_HEADERS },
    { pattern: "/01/:gtin", headers: linksetHeaders() },
    { pattern: "/status/:list", headers: publishedStatusListHeaders(PUBLISH_EVERY_MS) },
    { pattern: "/log/checkpoint", headers: CHECKPOINT_HEADERS },
    { pattern: "/log/keys", headers: LOG_KEYS_HEADERS },
    { pattern: "/log/tile/*", headers: TILE_HEADERS },
    { pattern: SECURITY_TXT_PATH, headers: csafHeaders("text/plain; charset=utf-8", "public, max-age=3600") },
    { pattern: `${CSAF_BASE_PATH}/provider-metadata.json`, headers: csafHeaders("application/json") },
    { pattern: `${CSAF_BASE_PATH}/openpgp/:key`, headers: csafHeaders("application/pgp-keys", "public, max-age=3600") },
    { pattern: `${CSAF_WHITE_PATH}/index.txt`, headers: csafHeaders("text/plain; charset=utf-8") },
    { pattern: `${CSAF_WHITE_PATH}/changes.csv`, headers: csafHeaders("text/csv; charset=utf-8") },
    { pattern: `${CSAF_WHITE_PATH}/*.json`, headers: csafHeaders("application/json") },
    { pattern: `${CSAF_WHITE_PATH}/*.json.sha256`, headers: csafHeaders("text/plain; charset=utf-8") },
    { pattern: `${CSAF_WHITE_PATH}/*.json.asc`, headers: csafHeaders("application/pgp-signature") },
  ];
}

export interface PublicationReport {
  target: string;
  /** Everything was published (the target's first run), not only what events touched. */
  full: boolean;
  written: number;
  unchanged: number;
  seals: number;
  linksets: number;
  tiles: number;
  logSize: number;
  eventCursor: number;
}

type Touched = {
  serials: string[];
  products: { id: string; gtin: string | null }[];
  /** GTINs (as written) that products gave up since (product.changed): their published linksets are settled again. */
  formerGtins: string[];
};

/**
 * Every seal and product with a seal (the first run), or those the events in (from, to] touched,
 * and the seals whose validUntil fell in `expired` (since the last successful run): an expiry is
 * an event only when the lifecycle sweep notes it (every 15 minutes), and until then the
 * published answers and linksets would still say valid.
 */
function touched(full: boolean, from: number, to: number, expired: { after: Date; upTo: Date } | null): Touched {
  const d = db();
  let productIds: string[] | null = null;
  const formerGtins = new Set<string>();
  if (!full) {
    const serials = new Set<string>();
    const ids = new Set<string>();
    const rows = d
      .select({ type: domainEvents.type, payload: domainEvents.payload })
      .from(domainEvents)
      .where(
        and(
          gt(domainEvents.id, from),
          lte(domainEvents.id, to),
          inArray(domainEvents.type, [...PUBLISHED_EVENT_TYPES]),
        ),
      )
      .all();
    for (const r of rows) {
      const facts = JSON.parse(r.payload) as { serial?: unknown; productId?: unknown; previousGtin?: unknown };
      if (typeof facts.serial === "string") serials.add(facts.serial);
      if (typeof facts.productId === "string") ids.add(facts.productId);
      if (r.type === "product.changed" && typeof facts.previousGtin === "string") formerGtins.add(facts.previousGtin);
    }
    if (expired)
      for (const r of d
        .select({ serial: seals.serial })
        .from(seals)
        .where(and(gt(seals.validUntil, expired.after), lte(seals.validUntil, expired.upTo)))
        .all())
        serials.add(r.serial);
    // A seal's change can change its siblings' answers (supersession, "update required", the current seal).
    for (let i = 0; i < serials.size; i += 500)
      for (const r of d
        .select({ productId: productVersions.productId })
        .from(seals)
        .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
        .where(inArray(seals.serial, [...serials].slice(i, i + 500)))
        .all())
        ids.add(r.productId);
    productIds = [...ids];
    if (productIds.length === 0) return { serials: [], products: [], formerGtins: [...formerGtins] };
  }
  const rows: { serial: string; productId: string; gtin: string | null }[] = [];
  const chunks = productIds ? Array.from({ length: Math.ceil(productIds.length / 500) }, (_, i) => i) : [0];
  for (const i of chunks)
    rows.push(
      ...d
        .select({ serial: seals.serial, productId: productVersions.productId, gtin: products.gtin })
        .from(seals)
        .innerJoin(productVersions, eq(productVersions.id, seals.productVersionId))
        .innerJoin(products, eq(products.id, productVersions.productId))
        .where(productIds ? inArray(productVersions.productId, productIds.slice(i * 500, i * 500 + 500)) : undefined)
        .orderBy(seals.issuedAt)
        .all(),
    );
  const byProduct = new Map<string, string | null>();
  for (const r of rows) byProduct.set(r.productId, r.gtin);
  return {
    serials: rows.map((r) => r.serial),
    products: [...byProduct].map(([id, gtin]) => ({ id, gtin })),
    formerGtins: [...formerGtins],
  };
}

/**
 * Makes the next run to `target` a full one that compares nothing with what this database thinks
 * it published: for a database restored from a point behind the publication (log:recover), whose
 * record of the published files is older than the files themselves (a linkset written after the
 * restored point and matching an older version here would be skipped, and stay as it was).
 */
export function forgetPublishedState(tx: Tx, target: Exclude<PublishTarget, { kind: "none" }>): void {
  const key = publicationTargetKey(target);
  tx.delete(publishedFiles).where(eq(publishedFiles.target, key)).run();
  tx.update(publicationTargets).set({ lastSuccessAt: null }).where(eq(publicationTargets.target, key)).run();
}

/** The products with one of these GTINs that `already` does not list (a lost seal's product). */
function productsWithGtins(gtins: (string | null)[], already: Touched["products"]): Touched["products"] {
  const wanted = [...new Set(gtins.filter((g): g is string => !!g))];
  if (!wanted.length) return [];
  const have = new Set(already.map((p) => p.id));
  return db()
    .select({ id: products.id, gtin: products.gtin })
    .from(products)
    .where(inArray(products.gtin, wanted))
    .all()
    .filter((p) => !have.has(p.id));
}

/** The lease of a publication run to `target` (a target key). */
const leaseName = (target: string) => `publication:${target}`;

/** A run that lost its lease (another run holds it now): it stops writing, and is not a failure of the target. */
export class PublicationLeaseLost extends Error {}

/**
 * A run's hold on its target's lease: renewed every third of `ttlMs` while the run awaits the
 * target, and before a write when the last renewal is older than that. `check()` throws
 * PublicationLeaseLost once the lease is no longer this run's without a break: another holder took
 * it (after it expired: this process stalled or could not renew), or it expired (even if nobody has
 * taken it yet, another run may have come and gone meanwhile).
 */
function holdLease(name: string, holder: string, ttlMs: number, expiresAt: number) {
  const every = renewEveryMs(ttlMs);
  const margin = Math.floor(ttlMs / 6); // as runUnderLease: no write in the last moments of a lease
  let renewedAt = Date.now();
  let lost: string | null = null;
  const renew = () => {
    if (lost) return;
    try {
      const r = acquireLease(name, { ttlMs, holder });
      if (!r.held) lost = `another run (${r.holder}) holds it`;
      else if (r.kind !== "renewed") lost = "it expired before this run renewed it";
      else {
        expiresAt = r.expiresAt;
        renewedAt = Date.now();
      }
    } catch (error) {
      // The database was busy: the lease is kept, locally, until it would expire (check() below).
      console.error(`[publish] could not renew the lease ${name}:`, error);
    }
  };
  const timer = setInterval(renew, every);
  timer.unref();
  return {
    check(): void {
      if (!lost && Date.now() - renewedAt >= every) renew();
      if (!lost && !mayAct(expiresAt, Date.now(), margin)) lost = "it expired before this run renewed it";
      if (lost)
        throw new PublicationLeaseLost(
          `This publication run lost its lease on the target (${lost}): it stopped writing, so as not to write over a newer run's files.`,
        );
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

/**
 * Takes the target's lease (leases, decision record 031) for this run and returns the target's
 * state; null when another run holds it. The holder names this run, not only this process: two
 * runs in one process never publish to one target at once either.
 */
function claim(target: string, ttlMs: number) {
  const holder = holderName(os.hostname(), process.pid, crypto.randomBytes(6).toString("hex"));
  const lease = acquireLease(leaseName(target), { ttlMs, holder });
  if (!lease.held) return null;
  const state = transaction((tx) => {
    tx.insert(publicationTargets).values({ target }).onConflictDoNothing().run();
    return tx
      .update(publicationTargets)
      .set({ lastAttemptAt: new Date(nowMs()) })
      .where(eq(publicationTargets.target, target))
      .returning()
      .get()!;
  });
  return { state, holder, lease: holdLease(leaseName(target), holder, ttlMs, lease.expiresAt) };
}

/** What a file is made of: its bytes, or its bytes and the headers they are served with. */
type Content = Buffer | string | { bytes: Buffer; headers: ArtefactHeaders };

const sha256 = (b: Buffer | string) => crypto.createHash("sha256").update(b).digest("hex");

type PublishOptions = { target?: PublishTarget; sink?: PublicationSink; leaseMs?: number };

/** The run to each target (by key) in progress in this process, if any: the next one waits for it. */
const runsHere = new Map<string, Promise<unknown>>();

/**
 * Publishes to PUBLISH_TO (or `opts.target`) what changed since its last run, or everything on its
 * first. Null when publication is off or another process's run is publishing to the target (a run
 * of this process is waited for). Throws when a write fails (recorded on the target, with the time
 * of its next attempt); the next run redoes it. A run that loses its lease (PublicationLeaseLost)
 * writes nothing more and records no failure. `leaseMs`: the lease's duration (LEASE_MS; shorter
 * in tests).
 */
export async function publishArtefacts(opts: PublishOptions = {}): Promise<PublicationReport | null> {
  const target = opts.target ?? getEnv().publishTo;
  if (target.kind === "none") return null;
  const key = publicationTargetKey(target);
  const before = runsHere.get(key) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => publishOnce(target, key, opts));
  runsHere.set(key, run);
  try {
    return await run;
  } finally {
    if (runsHere.get(key) === run) runsHere.delete(key);
  }
}

async function publishOnce(
  target: Exclude<PublishTarget, { kind: "none" }>,
  key: string,
  opts: PublishOptions,
): Promise<PublicationReport | null> {
  const claimed = claim(key, opts.leaseMs ?? LEASE_MS);
  if (!claimed) return null;
  const { state, holder, lease } = claimed;
  const sink = opts.sink ?? sinkFor(target);
  // A target emptied since (a new disk, a restored data directory, a bucket wiped) gets everything again.
  const emptied = state.lastSuccessAt !== null && !(await sink.has("_headers").catch(() => true));
  const known = new Map(
    db()
      .select({ path: publishedFiles.path, version: publishedFiles.version })
      .from(publishedFiles)
      .where(eq(publishedFiles.target, key))
      .all()
      .filter(() => !emptied)
      .map((r) => [r.path, r.version]),
  );
  const written = new Map<string, string>();
  const report: PublicationReport = {
    target: sink.name,
    full: state.lastSuccessAt === null || emptied,
    written: 0,
    unchanged: 0,
    seals: 0,
    linksets: 0,
    tiles: 0,
    logSize: state.logSize,
    eventCursor: state.eventCursor,
  };

  /** Writes a file unless the target holds this version of it already (`content` may bring its own headers). */
  const put = async (
    storedPath: string,
    headers: ArtefactHeaders,
    content: () => Content | Promise<Content>,
    p: { version?: string; modifiedAt?: Date; track?: boolean } = {},
  ) => {
    if (p.version !== undefined && known.get(storedPath) === p.version) {
      report.unchanged++;
      return;
    }
    const raw = await content();
    const file = typeof raw === "string" || Buffer.isBuffer(raw) ? { bytes: raw, headers } : raw;
    const bytes = typeof file.bytes === "string" ? Buffer.from(file.bytes, "utf8") : file.bytes;
    const version = p.version ?? sha256(bytes);
    if (known.get(storedPath) === version) {
      report.unchanged++;
      return;
    }
    lease.check();
    await sink.put(storedPath, bytes, file.headers, { modifiedAt: p.modifiedAt });
    report.written++;
    if (p.track !== false) {
      known.set(storedPath, version);
      written.set(storedPath, version);
    }
  };
  /** Deletes a published file, if the target has it, and forgets its version. */
  const removed = new Set<string>();
  const unpublish = async (urlPath: string) => {
    const stored = storedPathOf(urlPath);
    if (!known.has(stored) && !(await sink.has(stored))) return;
    lease.check();
    await sink.remove(stored);
    known.delete(stored);
    written.delete(stored);
    removed.add(stored);
    report.written++;
  };
  const putPath = (
    urlPath: string,
    headers: ArtefactHeaders,
    content: () => Content | Promise<Content>,
    p: { version?: string; modifiedAt?: Date; track?: boolean } = {},
  ) => put(storedPathOf(urlPath), headers, content, p);

  try {
    // Nothing over a published log this one is behind or forked from (a restore from a trailing
    // replica): not its checkpoint, nor status lists and seal answers older than those published.
    // Nor a JWKS without a key it published (restored without keys/): the seals it signed would stop verifying.
    const logProblem = (await logProblemAt(sink)) ?? (await keysProblemAt(sink));
    if (logProblem) throw new Error(logProblem);
    const env = getEnv();
    // The checkpoint this run publishes, read before the events: every leaf it covers was committed
    // with its domain event, so the credential of each seal it logs is written below (step 2), and
    // a verifier, or log:recover, never finds an issuance leaf published without its credential.
    const checkpoint = latestCosignedCheckpoint();
    // What this run publishes is as of now: the next run looks for expiries after this time.
    const asOf = new Date(nowMs());
    const toEvent =
      db()
        .select({ id: max(domainEvents.id) })
        .from(domainEvents)
        .get()?.id ?? 0;
    const work = touched(
      report.full,
      state.eventCursor,
      toEvent,
      state.lastSuccessAt ? { after: state.lastSuccessAt, upTo: asOf } : null,
    );
    const fromLogSize = report.full ? 0 : state.logSize;

    // 1. The manifest of headers, then the keys and the documents every verifier reads.
    await put("_headers", { "Content-Type": "text/plain; charset=utf-8" }, () =>
      headersManifest(publicationHeaderRules()),
    );
    await putPath(JWKS_PATH, JWKS_HEADERS, () => JSON.stringify(signingKeys(env.dataDir).jwks()));
    await putPath("/.well-known/jwt-vc-issuer", ISSUER_METADATA_HEADERS, () =>
      JSON.stringify(issuerMetadata(env.baseUrl)),
    );
    await putPath("/log/keys", LOG_KEYS_HEADERS, logVerifierKeysText);
    await putPath(SEAL_CONTEXT_PATH, SEAL_CONTEXT_HEADERS, () => SEAL_CONTEXT_DOCUMENT);
    await putPath("/.well-known/gs1resolver", GS1_RESOLVER_HEADERS, () =>
      JSON.stringify(resolverDescription(env.baseUrl, CERTIFICATION_BODY_NAME)),
    );

    // 2. Each credential and certificate (they never change: written once).
    for (const serial of work.serials) {
      const seal = sealBySerial(serial);
      if (!seal) continue;
      await putPath(`/s/${serial}/credential`, CREDENTIAL_HEADERS, () => seal.credential, {
        version: sha256(seal.credential),
      });
      if (seal.pdfSha256)
        await putPath(`/s/${serial}/seal.pdf`, SEAL_PDF_HEADERS, () => sealPdf(serial)!.pdf, {
          version: seal.pdfSha256,
        });
      report.seals++;
    }

    // 3. The log: the tiles the checkpoint read above needs, then the checkpoint (it never covers more than was tiled).
    const tiles = newTiles(fromLogSize, checkpoint.treeSize);
    const fullTilesCompleted = tiles.filter((t) => t.width === undefined);
    for (const t of tiles) {
      const path = `/log/${tilePath(t)}`;
      await putPath(
        path,
        TILE_HEADERS,
        () => {
          const tile = logTile(tilePath(t));
          if (!tile.ok) throw new Error(`The log's tile ${path} cannot be read: ${tile.message}`);
          return tile.bytes;
        },
        { track: false },
      );
      report.tiles++;
    }
    await putPath("/log/checkpoint", CHECKPOINT_HEADERS, () => checkpoint.note, {
      modifiedAt: checkpoint.modifiedAt ?? undefined,
    });
    // A full tile makes its partial ones superfluous: a client that asks for one falls back to the
    // full tile (C2SP tlog-tiles allows deleting them), so they are deleted, after the checkpoint.
    for (const t of fullTilesCompleted) {
      lease.check();
      await sink.removeTree(`log/${tilePath(t)}.p`);
    }
    report.logSize = Math.max(fromLogSize, checkpoint.treeSize);

    // 4. The status lists, after the credentials whose entries they hold.
    const listHeaders = publishedStatusListHeaders(PUBLISH_EVERY_MS);
    for (const listId of Object.values(STATUS_LIST_IDS)) {
      const list = await statusListCredential(listId);
      if (list) await putPath(`/status/${listId}`, listHeaders, () => list.jws);
    }

    // 5. The seals' answers (/api/v1/seals/<serial>: what verify-seal asks about supersession) and the linksets.
    // A lost seal recorded since the last run (log:recover) has no event: its answer, now revoked, is written too.
    const lost = lostSealsRecordedSince(report.full ? null : state.lastSuccessAt);
    for (const serial of [...work.serials, ...lost.map((l) => l.serial)]) {
      const view = await sealApiView(serial);
      if (view) await putPath(`/api/v1/seals/${encodeURIComponent(serial)}`, SEAL_API_HEADERS, () => sealApiBody(view));
    }
    // A lost seal's product (found by the GTIN its credential states) may have no seal left: its
    // published linkset, which named the lost seal, is taken down below. A GTIN a product gave up
    // (changed or removed) is settled too: another product may answer for it now, or nothing.
    const linksetPaths = new Map<string, Set<string>>(); // GTIN-14 -> the paths /01/<GTIN> it is published at
    for (const gtin of [
      ...[
        ...work.products,
        ...productsWithGtins(
          lost.map((l) => l.gtin),
          work.products,
        ),
      ].map((p) => p.gtin),
      ...work.formerGtins,
    ]) {
      const gtin14 = gtin14Of(gtin);
      if (!gtin14) continue;
      // The canonical 14 digits (the anchor, and what the QR codes encode), and the GTIN as written, if shorter.
      const paths = linksetPaths.get(gtin14) ?? new Set([gtin14]);
      paths.add(gtin!.replace(/\s/g, ""));
      linksetPaths.set(gtin14, paths);
    }
    for (const [gtin14, paths] of linksetPaths) {
      const r = await resolveDigitalLink(`/01/${gtin14}`, new URLSearchParams("linkType=linkset"), null);
      if (r.kind === "error" && r.status === 404) {
        // No seal behind the GTIN (any more): nothing may answer for it from the publication either.
        for (const g of paths) await unpublish(`/01/${g}`);
        continue;
      }
      if (r.kind !== "linkset") continue;
      const body = JSON.stringify(r.body);
      for (const g of paths) await putPath(`/01/${g}`, linksetHeaders(), () => body);
      report.linksets++;
    }

    // 6. The CSAF provider: the documents, then their indexes and listings, the provider metadata last.
    for (const { path, version } of await csafPaths())
      await putPath(
        path,
        {},
        async () => {
          const f = await csafFile(path);
          if (!f) throw new Error(`The CSAF file ${path} vanished while it was published.`);
          return f;
        },
        { version },
      );

    lease.check(); // the cursor moves only for a run that still holds the target
    transaction((tx) =>
      tx
        .update(publicationTargets)
        .set({
          eventCursor: toEvent,
          logSize: report.logSize,
          lastSuccessAt: asOf, // the run's start: what changed while it ran is the next run's
          lastError: null,
          failures: 0,
          nextAttemptAt: null,
        })
        .where(eq(publicationTargets.target, key))
        .run(),
    );
    report.eventCursor = toEvent;
    return report;
  } catch (error) {
    // A run that lost its lease leaves the target's state to the run that holds it now.
    if (error instanceof PublicationLeaseLost) throw error;
    const failures = state.failures + 1;
    transaction((tx) =>
      tx
        .update(publicationTargets)
        .set({
          lastError: error instanceof Error ? error.message : String(error),
          failures,
          nextAttemptAt: new Date(nowMs() + publicationBackoffMs(failures, BACKOFF_CAP_MS)),
        })
        .where(eq(publicationTargets.target, key))
        .run(),
    );
    throw error;
  } finally {
    transaction((tx) => {
      const at = new Date(nowMs());
      for (const path of removed)
        tx.delete(publishedFiles)
          .where(and(eq(publishedFiles.target, key), eq(publishedFiles.path, path)))
          .run();
      for (const [path, version] of written)
        tx.insert(publishedFiles)
          .values({ target: key, path, version, at })
          .onConflictDoUpdate({ target: [publishedFiles.target, publishedFiles.path], set: { version, at } })
          .run();
    });
    lease.stop();
    releaseLease(leaseName(key), holder);
  }
}

/** A target's state, for the operator (npm run publish). */
export function publicationState(target: PublishTarget = getEnv().publishTo) {
  if (target.kind === "none") return null;
  return (
    db()
      .select()
      .from(publicationTargets)
      .where(eq(publicationTargets.target, publicationTargetKey(target)))
      .get() ?? null
  );
}

// --- The worker in the server process ----------------------------------------------------------

let worker: NodeJS.Timeout | undefined;
let soon: NodeJS.Timeout | undefined;
let running = false;
let again = false;
let mayRun: () => boolean = () => true;

/**
 * The log line for a failed background run: the target (PUBLISH_TO) and why, with no stack for an
 * error of the file system, the network or S3 (it has a code: the message says it all); an unexpected
 * error keeps its stack, for whoever fixes it.
 */
function publicationFailure(error: unknown): string {
  const target = publicationTargetName(getEnv().publishTo);
  const e = error as Error & { code?: unknown };
  const why =
    e instanceof Error && (typeof e.code === "string" || "$metadata" in e) // node:fs, node:net; the AWS SDK
      ? e.message
      : String((error as Error)?.stack ?? error);
  return `[publish] publication to ${target} (PUBLISH_TO) failed; it is retried: ${why}`;
}

function tick(): void {
  if (!mayRun()) return; // another process holds the publication worker's lease (decision record 031)
  if (running) {
    again = true; // a change during a run: published by one more run right after
    return;
  }
  const state = publicationState();
  if (state?.nextAttemptAt && state.nextAttemptAt.getTime() > nowMs()) return; // backing off after a failure
  running = true;
  inBackground(publishArtefacts())
    .catch((error) => {
      // A run cut short by the worker's stop (the server shutting down, a test's data directory
      // removed under it) is not a failure to report: the next start catches up from the outbox.
      if (worker) console.error(publicationFailure(error));
    })
    .finally(() => {
      running = false;
      if (again) {
        again = false;
        requestPublication();
      }
    });
}

/**
 * After a committed change (an after-commit subscriber, app/system/wiring.server.ts): publish soon.
 * Only wakes this process's worker (nothing runs where none was started: a script, a test); the
 * change is published by the next run of any process's worker in any case, from the outbox.
 */
export function requestPublication(): void {
  if (!worker || soon) return;
  soon = setTimeout(() => {
    soon = undefined;
    tick();
  }, 200).unref();
}

/**
 * Starts this process's publisher (unless PUBLISH_TO=none): a run at once (catching up), then every
 * minute. `holds`: whether this process may run it now (its lease, decision record 031).
 */
export function startPublicationWorker(opts: { holds?: () => boolean } = {}): void {
  if (getEnv().publishTo.kind === "none" || worker) return;
  mayRun = opts.holds ?? (() => true);
  worker = setInterval(tick, PUBLISH_EVERY_MS).unref();
  tick();
}

export function stopPublicationWorker(): void {
  if (worker) clearInterval(worker);
  if (soon) clearTimeout(soon);
  worker = soon = undefined;
}

/**
 * The log and the keys as the publication target shows them, against this data directory's. The
 * published checkpoint (when it is this log's: its origin) must verify under one of the keys in
 * keys/, must not be ahead of the log here, nor name another tree at its size; and the published
 * JWKS must not name a key that keys/ lacks. A database restored from a replica that trailed what
 * had been published fails the first: the next append would sign a different tree of a size
 * already published, a forked log, and the publisher would then replace the published checkpoint
 * with a smaller one. A data directory restored without its keys fails the others: the portal
 * would make a new key and the publisher would replace the published JWKS without the old ones,
 * so the seals in circulation would stop verifying against it. Start-up, the publisher (before it
 * writes anything) and the sweep's command ask it. Returns what is wrong, or null (nothing
 * published, another log's, or in agreement). A target that cannot be read (10 s at most) is
 * reported as a warning and not held against the caller.
 */
export async function publishedLogProblem(target: PublishTarget = getEnv().publishTo): Promise<string | null> {
  if (target.kind === "none") return null;
  const sink = sinkFor(target);
  return (await logProblemAt(sink)) ?? (await keysProblemAt(sink));
}

/** Whether `target` holds a published checkpoint (false for none or PUBLISH_TO=none; null when it cannot be read). */
export async function hasPublishedLog(target: PublishTarget = getEnv().publishTo): Promise<boolean | null> {
  if (target.kind === "none") return false;
  try {
    return await sinkFor(target).has(storedPathOf("/log/checkpoint"));
  } catch {
    return null;
  }
}

/** The kids of a JWKS document's keys; null when it is not one (unparseable: nothing can be said of it). */
function kidsOfJwks(bytes: Buffer): string[] | null {
  try {
    const doc = JSON.parse(bytes.toString("utf8")) as { keys?: unknown };
    if (!Array.isArray(doc.keys)) return null;
    return doc.keys.flatMap((k: unknown) =>
      k && typeof k === "object" && typeof (k as { kid?: unknown }).kid === "string"
        ? [(k as { kid: string }).kid]
        : [],
    );
  } catch {
    return null;
  }
}

/** What a missing key means, and what to do: the end of both refusals below. */
const MISSING_KEYS_ADVICE =
  "Copy keys/ from a backup or the old data directory into this one (npm run restore, or npm run db:restore -- <dir> --from <backup or old data dir>) and start again. " +
  "If this data directory was reset on purpose (a fresh demo), remove the published log and keys first";

/** The published JWKS against keys/: no key it names may be missing here (publishing would drop it). */
async function keysProblemAt(sink: PublicationSink): Promise<string | null> {
  let bytes: Buffer | null;
  try {
    bytes = await sink.get(storedPathOf(JWKS_PATH));
  } catch (error) {
    console.warn(`[publish] could not read the published JWKS at ${sink.name}: ${(error as Error).message}`);
    return null;
  }
  const published = bytes && kidsOfJwks(bytes);
  if (!published?.length) return null;
  const here = new Set(
    signingKeys(getEnv().dataDir)
      .list()
      .map((k) => k.kid),
  );
  const missing = published.filter((kid) => !here.has(kid));
  if (!missing.length) return null;
  return (
    `The JWKS published at ${sink.name} names ${missing.length === 1 ? "a signing key" : `${missing.length} signing keys`} that ${path.join(getEnv().dataDir, "keys")} does not hold (${missing.join(", ")}): ` +
    `publishing now would drop ${missing.length === 1 ? "it" : "them"}, and the seals and checkpoints ${missing.length === 1 ? "it" : "they"} signed would stop verifying against the published copy. ` +
    `${MISSING_KEYS_ADVICE} (${sink.name}/log and ${sink.name}/${storedPathOf(JWKS_PATH)}).`
  );
}

/** A published checkpoint note, verified as this log's (its origin, one of this portal's keys, retired ones too); null otherwise. */
export function thisLogsCheckpoint(note: Buffer): VerifiedCheckpoint | null {
  return verifyCheckpoint(note.toString("utf8"), currentLogOrigin(), signingKeys(getEnv().dataDir).jwks().keys);
}

/**
 * A published checkpoint of this log's origin that no key in keys/ verifies (the keys that signed
 * it are missing here: restored without keys/?), said so; null when it is another log's (another
 * origin) or not a checkpoint. For a note thisLogsCheckpoint refused.
 */
export function unverifiedCheckpointProblem(sink: Pick<PublicationSink, "name">, note: Buffer): string | null {
  const origin = currentLogOrigin();
  const body = parseCheckpointBody(parseSignatureLines(note.toString("utf8"))?.body ?? "");
  if (body?.origin !== origin) return null;
  return (
    `The transparency log published at ${sink.name} is this portal's (origin ${origin}, ${body.treeSize} entries), ` +
    `but none of the signing keys in ${path.join(getEnv().dataDir, "keys")} verifies its checkpoint: the keys that signed it are missing here (restored without keys/?).`
  );
}

/**
 * A published checkpoint of another origin that a key in keys/ signed: this portal's own
 * publication under another address (PUBLIC_URL or PORT changed, by mistake or because the portal
 * moved), said so; null otherwise. Publishing there would replace its issuer metadata, JWKS and
 * status lists with ones of the new address, and the seals in circulation, which name the old
 * issuer and its status lists, would stop verifying against it.
 */
function otherAddressProblem(sink: Pick<PublicationSink, "name">, note: Buffer): string | null {
  const text = note.toString("utf8");
  const body = parseCheckpointBody(parseSignatureLines(text)?.body ?? "");
  if (!body) return null;
  const signed = verifyCheckpoint(text, body.origin, signingKeys(getEnv().dataDir).jwks().keys);
  if (!signed) return null;
  return (
    `The publication at ${sink.name} is this portal's under another address: its transparency log (${body.treeSize} entries) is signed as ${body.origin} by key ${signed.kid} of ${path.join(getEnv().dataDir, "keys")}, ` +
    `but this server, with ${serverAddressSettings()}, signs as ${currentLogOrigin()}. ` +
    `Publishing there now would replace its issuer metadata, key set and status lists with ones for ${getEnv().baseUrl}, and the seals issued under the old address would stop verifying against it. ` +
    `If the portal has not moved, set PUBLIC_URL (or PORT) as it was. If it has, set PUBLISH_TO to a new target for the new address and keep the old publication served where it was. ` +
    `If this data directory is a demo moved on purpose, remove the publication (${sink.name}) first.`
  );
}

async function logProblemAt(sink: PublicationSink): Promise<string | null> {
  let note: Buffer | null;
  try {
    note = await sink.get(storedPathOf("/log/checkpoint"));
  } catch (error) {
    console.warn(`[publish] could not read the published checkpoint at ${sink.name}: ${(error as Error).message}`);
    return null;
  }
  if (!note) return null;
  const published = thisLogsCheckpoint(note);
  if (!published) {
    const missingKeys = unverifiedCheckpointProblem(sink, note);
    if (!missingKeys) return otherAddressProblem(sink, note);
    return (
      `${missingKeys} Starting now would make a new key, and the publisher would replace the published JWKS without the old ones, so the seals in circulation would stop verifying against it. ` +
      `${MISSING_KEYS_ADVICE} (${sink.name}/log and ${sink.name}/${storedPathOf(JWKS_PATH)}).`
    );
  }
  const local = logSize();
  if (published.treeSize > local)
    return (
      `The transparency log published at ${sink.name} has ${published.treeSize} entries, this database's log only ${local}: ` +
      `the database is behind what verifiers were shown (restored from a replica that trailed the publication?). ` +
      `Appending now would fork the log. Restore from a replica or backup that holds at least ${published.treeSize} log entries ` +
      `(npm run db:restore -- --timestamp ... with a later time), or put the missing entries back from the published tiles with npm run log:recover. ` +
      `If this data directory was reset on purpose (a fresh demo), remove the published log (${sink.name}/log) first.`
    );
  if (!treeRoot(published.treeSize).equals(published.rootHash))
    return (
      `The transparency log published at ${sink.name} (${published.treeSize} entries) is not this database's log at that size: ` +
      `its root differs. The published log and this one have forked; do not publish over it.`
    );
  return null;
}
