/**
 * Evidence on S3-compatible object storage (EVIDENCE_STORE=s3://bucket/prefix; decision 027).
 *
 * An upload is received exactly as by the local store: streamed through the SHA-256, size-limit
 * and quota transform into a temporary file under DATA_DIR/tmp/uploads (so a refusal mid-stream,
 * too large, over the quota or a client that goes away, never reaches the bucket), its type sniffed
 * and an SBOM validated from that file. Only `commit`, after the database has named the bytes,
 * uploads the file to its content address `<prefix>/<aa>/<bb>/<sha256>`: with the SDK's multipart
 * `Upload` (8 MiB parts, 4 in flight, read from the file as they go: never the whole file in
 * memory), which aborts the multipart upload when a part fails, so nothing is left behind.
 *
 * The SDK is loaded on first use, so a portal on the local store starts as before.
 *
 * A bucket that cannot be reached (refused or timed-out connections, 5xx answers, refused
 * credentials, after the SDK's retries) is reported as a 503 ServiceError that says so, never as
 * the SDK's own error (a 500) nor as a request that hangs: every S3 request has a connection and
 * an answer timeout (S3_TIMEOUTS). The underlying error goes to the log.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Upload } from "@aws-sdk/lib-storage";
import { ServiceError } from "../../../platform/errors.server";
import type { ByteBudget, ByteRange, EvidenceStore, LocalEvidenceStore, ReceivedFile } from "./evidence-store.server";

export interface S3Settings {
  bucket: string;
  /** Key prefix without leading or trailing "/" (may be empty). */
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

type ClientS3 = typeof import("@aws-sdk/client-s3");
type LibStorage = typeof import("@aws-sdk/lib-storage");

let sdk: { s3: ClientS3; storage: LibStorage } | undefined;

function loadSdk(): { s3: ClientS3; storage: LibStorage } {
  if (!sdk) {
    const require = createRequire(import.meta.url);
    sdk = {
      s3: require("@aws-sdk/client-s3") as ClientS3,
      storage: require("@aws-sdk/lib-storage") as LibStorage,
    };
  }
  return sdk;
}

/** How long one S3 request may take, each attempt (the SDK makes up to 5). */
export interface S3Timeouts {
  /** To open the connection. */
  connectionMs: number;
  /** From sending the request to the answer's headers (an 8 MiB part is sent within it; a download's body is not bounded by it). */
  requestMs: number;
}

/** A store that does not answer fails within about 5 × (5 s + 60 s) plus the retries' pauses, not never. */
export const S3_TIMEOUTS: S3Timeouts = { connectionMs: 5_000, requestMs: 60_000 };

/** Credentials come from the SDK's default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, an instance role. */
export function createS3Client(
  s: Omit<S3Settings, "bucket" | "prefix">,
  timeouts: S3Timeouts = S3_TIMEOUTS,
  maxAttempts = 5,
): S3Client {
  const { S3Client } = loadSdk().s3;
  return new S3Client({
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    maxAttempts,
    // Without these a store that accepts the connection and never answers holds the request for
    // ever. throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes.
    requestHandler: {
      connectionTimeout: timeouts.connectionMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
    // Since 3.729 the SDK adds CRC32 checksums to every request (and aws-chunked trailers to
    // streamed bodies) and validates them on responses. Many S3-compatible stores (older MinIO and
    // Ceph releases, some gateways) refuse those headers, and the bytes already have a stronger
    // check: they are named by their SHA-256. So checksums only where the API requires them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Multipart part size: S3's minimum is 5 MiB; 8 MiB keeps the parts of a 10 GiB file under the 10,000-part limit. */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once (memory: at most this many parts, 32 MiB, per upload). */
const PARTS_IN_FLIGHT = 4;

const SHA256 = /^[0-9a-f]{64}$/;

/** The object is not there (not: the bucket is not there, also a 404, which is a setting gone wrong). */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === "NoSuchBucket") return false;
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
}

/** An error of this machine's own files (reading the staged upload), not of the bucket. */
function isLocalFileError(error: unknown): boolean {
  const e = error as { syscall?: unknown; path?: unknown };
  return typeof e?.syscall === "string" && typeof e?.path === "string";
}

export const STORE_UNAVAILABLE_WRITE =
  "The evidence store cannot be reached; nothing was kept. Try again in a few minutes.";
export const STORE_UNAVAILABLE_READ = "The evidence store cannot be reached. Try again in a few minutes.";
/** A bucket that refuses the portal's settings: waiting does not help, an administrator must change them. */
const STORE_MISCONFIGURED =
  "The evidence store refuses the portal's requests: its bucket or credentials are set up wrongly. An administrator must correct them (the server's log says what is wrong); waiting will not help.";
export const STORE_MISCONFIGURED_WRITE = `${STORE_MISCONFIGURED} Nothing was kept.`;
export const STORE_MISCONFIGURED_READ = STORE_MISCONFIGURED;

/**
 * What a bucket's error says is wrong with the portal's settings, not with the store's
 * availability: no retry helps (the bucket does not exist, the credentials are missing or refused,
 * the bucket is in another region). Null for anything else: a store that is down, a timeout, a 5xx.
 */
export function s3Misconfiguration(error: unknown): string | null {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  switch (e?.Code ?? e?.name) {
    case "NoSuchBucket":
      return "the bucket does not exist (NoSuchBucket)";
    case "InvalidAccessKeyId":
      return "the store does not know the access key (InvalidAccessKeyId: AWS_ACCESS_KEY_ID)";
    case "SignatureDoesNotMatch":
      return "the secret key does not match the access key (SignatureDoesNotMatch: AWS_SECRET_ACCESS_KEY)";
    case "CredentialsProviderError":
      return "no credentials were found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or give the machine a role)";
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
      return "the bucket is in another region than S3_REGION";
    case "AccessDenied":
      return "the credentials are refused (AccessDenied): the portal lists, reads, writes and deletes objects under the prefix";
  }
  const status = e?.$metadata?.httpStatusCode;
  if (status === 403)
    return "the credentials are refused (403): the portal lists, reads, writes and deletes objects under the prefix";
  if (status === 301) return "the bucket is in another region than S3_REGION (301)";
  return null;
}

/** What a probe of a bucket found: settings that are wrong (refuse to start) or a store that does not answer now. */
export type S3TargetProblem = { kind: "misconfigured" | "unreachable"; reason: string };

/**
 * Lists one key under the prefix (as the collector, the publisher and Litestream do), within a few
 * seconds: null when the bucket answers. For start-up (decision 027), so that a wrong bucket or
 * credentials are said at once, naming the setting, and not at the first upload as "try again".
 */
export async function s3TargetProblem(
  settings: Omit<S3Settings, "bucket" | "prefix">,
  bucket: string,
  prefix: string,
): Promise<S3TargetProblem | null> {
  const client = createS3Client(settings, { connectionMs: 3_000, requestMs: 10_000 }, 2);
  const base = prefix.replace(/^\/+|\/+$/g, "");
  try {
    await client.send(
      new (loadSdk().s3.ListObjectsV2Command)({ Bucket: bucket, Prefix: base ? `${base}/` : undefined, MaxKeys: 0 }),
    );
    return null;
  } catch (error) {
    const wrong = s3Misconfiguration(error);
    if (wrong) return { kind: "misconfigured", reason: wrong };
    const e = error as { name?: string; code?: string; message?: string };
    return { kind: "unreachable", reason: `${e?.code ?? e?.name ?? "Error"}: ${e?.message ?? String(error)}` };
  } finally {
    client.destroy();
  }
}

/**
 * What the bucket's failure is reported as (503, the message; another message when the bucket
 * refuses the portal's settings); the SDK's error goes to the log and stays as the cause.
 */
function unavailable(what: string, message: string, error: unknown): ServiceError {
  const wrong = s3Misconfiguration(error);
  if (wrong) console.error(`[evidence] EVIDENCE_STORE is set up wrongly (${what}): ${wrong}.`, error);
  else console.error(`[evidence] the S3 evidence store failed (${what}):`, error);
  const told = wrong
    ? message === STORE_UNAVAILABLE_WRITE
      ? STORE_MISCONFIGURED_WRITE
      : STORE_MISCONFIGURED_READ
    : message;
  const wrapped = new ServiceError("unavailable", told, {
    file: wrong ? "The evidence store refuses the portal's settings." : "The evidence store cannot be reached.",
  });
  return Object.assign(wrapped, { cause: error });
}

export class S3EvidenceStore implements EvidenceStore {
  readonly bucket: string;
  readonly prefix: string;

  constructor(
    readonly client: S3Client,
    settings: Pick<S3Settings, "bucket" | "prefix">,
    /** Receives uploads into temporary files (the local store's, so that its sweep knows which are live). */
    readonly staging: LocalEvidenceStore,
  ) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix.replace(/^\/+|\/+$/g, "");
  }

  /** Where the bytes with this SHA-256 are kept: `<prefix>/<aa>/<bb>/<sha256>`, the local store's layout. */
  keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error("not a SHA-256");
    const rel = `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  private get listPrefix(): string {
    return this.prefix ? `${this.prefix}/` : "";
  }

  receive(source: Readable, limitBytes: number, budget?: ByteBudget): Promise<ReceivedFile> {
    return this.staging.receive(source, limitBytes, budget);
  }

  /**
   * Uploads a received file to its content address. A bucket that cannot be reached is a 503
   * ServiceError (STORE_UNAVAILABLE_WRITE): the callers undo the rows that named the bytes, so
   * nothing is kept, as it says.
   */
  async commit(file: ReceivedFile): Promise<{ created: boolean }> {
    try {
      if (await this.head(file.sha256)) return { created: false };
      const { Upload } = loadSdk().storage;
      const upload: Upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: this.keyOf(file.sha256),
          Body: fs.createReadStream(file.tempPath, { highWaterMark: 1024 * 1024 }),
          ContentType: "application/octet-stream",
        },
        partSize: PART_BYTES,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false, // a failed part aborts the multipart upload: no parts are left billed and invisible
      });
      await upload.done();
      return { created: true };
    } catch (error) {
      throw isLocalFileError(error) ? error : unavailable("commit", STORE_UNAVAILABLE_WRITE, error);
    } finally {
      await this.staging.discard(file);
    }
  }

  discard(file: ReceivedFile): Promise<void> {
    return this.staging.discard(file);
  }

  /** Whether the object exists (HeadObject); the SDK's error as it is for anything but a 404. */
  private async head(sha256: string): Promise<boolean> {
    const { HeadObjectCommand } = loadSdk().s3;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      return await this.head(sha256);
    } catch (error) {
      throw unavailable("exists", STORE_UNAVAILABLE_READ, error);
    }
  }

  /** The object's bytes; a missing object is the SDK's NoSuchKey (the caller says so), an unreachable bucket a 503. */
  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const { GetObjectCommand } = loadSdk().s3;
    let out;
    try {
      out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(sha256),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
    } catch (error) {
      if (isNotFound(error)) throw error;
      throw unavailable("open", STORE_UNAVAILABLE_READ, error);
    }
    // In Node the body is the HTTP response itself, a Readable: streamed, never buffered.
    return out.Body as Readable;
  }

  async remove(sha256: string): Promise<void> {
    const { DeleteObjectCommand } = loadSdk().s3;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
  }

  /** Every stored object's SHA-256, size and last-modified time (a paged listing of the prefix). */
  async *storedFiles(): AsyncGenerator<{ sha256: string; size: number; mtimeMs: number }> {
    const { ListObjectsV2Command } = loadSdk().s3;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.listPrefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const rel = (o.Key ?? "").slice(this.listPrefix.length);
        const m = /^([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(rel);
        if (!m || !m[3].startsWith(m[1] + m[2])) continue;
        yield { sha256: m[3], size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Multipart uploads under the prefix started before `olderThanMs` (a process killed mid-commit
   * leaves one: invisible, but its parts are billed), aborted. Returns their keys. A store without
   * ListMultipartUploads (s3rver) has nothing to abort that this can see: [] then.
   */
  async abortStaleUploads(olderThanMs: number): Promise<string[]> {
    const { ListMultipartUploadsCommand, AbortMultipartUploadCommand } = loadSdk().s3;
    const aborted: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: this.listPrefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === "NotImplemented") return aborted;
        throw error;
      }
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? 0) >= olderThanMs) continue;
        await this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
        );
        aborted.push(u.Key);
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return aborted;
  }
}
