/**
 * Where the static publication writes (decision record 028): a folder, each file replaced
 * atomically (written to a temporary file beside it, flushed, then renamed over it, so a reader
 * sees the old file or the new one, never half of one); or an S3 bucket, each object put whole
 * (S3 never shows a partial object) with its Content-Type and Cache-Control.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { ArtefactHeaders } from "../domain/artefact-headers";

export interface PublicationSink {
  /** What it writes to, for messages: the folder, or s3://bucket/prefix. */
  readonly name: string;
  /** Writes `bytes` at `storedPath` (relative, "/"-separated), replacing what was there in one step. */
  put(storedPath: string, bytes: Buffer, headers: ArtefactHeaders, opts?: { modifiedAt?: Date }): Promise<void>;
  /** Whether the target holds a file at `storedPath`. */
  has(storedPath: string): Promise<boolean>;
  /** The bytes of the file at `storedPath`; null when there is none. */
  get(storedPath: string): Promise<Buffer | null>;
  /** Deletes everything below `storedDir` (relative, "/"-separated, no final slash); nothing there is fine. */
  removeTree(storedDir: string): Promise<void>;
  /** Deletes the file at `storedPath`; none there is fine. */
  remove(storedPath: string): Promise<void>;
}

/**
 * Whether a publication folder can be used: made when missing (its missing parents one level at a
 * time: Node's recursive mkdir never returns on some file systems, /proc among them) and writable
 * by this process. What is wrong, or null. Start-up asks it, so that a mistyped or unwritable
 * PUBLISH_TO stops the server with a message instead of a publication failing in the background.
 */
export function folderProblem(dir: string): string | null {
  const root = path.resolve(dir);
  const missing: string[] = [];
  let at = root;
  while (!fs.existsSync(at)) {
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  try {
    if (!fs.statSync(at).isDirectory()) return `${root} cannot be a folder: ${at} is a file`;
    for (const d of missing) fs.mkdirSync(d);
    fs.accessSync(root, fs.constants.W_OK | fs.constants.X_OK);
    return null;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return `${root} cannot be written (${e.code ?? e.message}${e.path && e.path !== root ? ` at ${e.path}` : ""})`;
  }
}

/** A folder on this machine (served by a static web server or synced to a CDN). */
export function folderSink(dir: string): PublicationSink {
  const root = path.resolve(dir);
  return {
    name: root,
    async put(storedPath, bytes, _headers, opts = {}) {
      const file = path.resolve(root, ...storedPath.split("/"));
      if (!file.startsWith(root + path.sep)) throw new Error(`${storedPath} is outside ${root}`);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}`;
      const handle = await fs.promises.open(temp, "w", 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        // The time a static server gives as Last-Modified (the checkpoint's: signed or last cosigned).
        if (opts.modifiedAt) await fs.promises.utimes(temp, opts.modifiedAt, opts.modifiedAt);
        await fs.promises.rename(temp, file);
      } catch (error) {
        await fs.promises.rm(temp, { force: true });
        throw error;
      }
    },
    async get(storedPath) {
      const file = path.resolve(root, ...storedPath.split("/"));
      if (!file.startsWith(root + path.sep)) throw new Error(`${storedPath} is outside ${root}`);
      return fs.promises.readFile(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return null;
        throw error;
      });
    },
    async has(storedPath) {
      return fs.promises.stat(path.resolve(root, ...storedPath.split("/"))).then(
        (st) => st.isFile(),
        () => false,
      );
    },
    async removeTree(storedDir) {
      const target = path.resolve(root, ...storedDir.split("/"));
      if (!target.startsWith(root + path.sep)) throw new Error(`${storedDir} is outside ${root}`);
      await fs.promises.rm(target, { recursive: true, force: true });
    },
    async remove(storedPath) {
      const file = path.resolve(root, ...storedPath.split("/"));
      if (!file.startsWith(root + path.sep)) throw new Error(`${storedPath} is outside ${root}`);
      await fs.promises.rm(file, { force: true });
    },
  };
}

/**
 * A bucket and key prefix on S3 or an S3-compatible store, through the client the evidence store
 * uses (createS3Client: S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE, the SDK's credential chain).
 * S3 keeps Content-Type, Cache-Control and Content-Disposition with each object and answers with
 * them; the CORS and Link headers are the bucket's CORS rules or the CDN's (README).
 */
export function s3Sink(client: S3Client, bucket: string, prefix: string): PublicationSink {
  const {
    DeleteObjectCommand,
    DeleteObjectsCommand,
    GetObjectCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    PutObjectCommand,
  } = createRequire(import.meta.url)("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
  const base = prefix.replace(/^\/+|\/+$/g, "");
  return {
    name: `s3://${bucket}/${base}`,
    async put(storedPath, bytes, headers) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: base ? `${base}/${storedPath}` : storedPath,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: headers["Content-Type"] ?? "application/octet-stream",
          ...(headers["Cache-Control"] ? { CacheControl: headers["Cache-Control"] } : {}),
          ...(headers["Content-Disposition"] ? { ContentDisposition: headers["Content-Disposition"] } : {}),
          ContentMD5: crypto.createHash("md5").update(bytes).digest("base64"),
        }),
      );
    },
    async get(storedPath) {
      try {
        const res = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: base ? `${base}/${storedPath}` : storedPath }),
          { abortSignal: AbortSignal.timeout(10_000) }, // start-up asks: an unreachable bucket must not hold it
        );
        return Buffer.from(await res.Body!.transformToByteArray());
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404) return null;
        throw error;
      }
    },
    async has(storedPath) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: base ? `${base}/${storedPath}` : storedPath }));
        return true;
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404) return false;
        throw error;
      }
    },
    async removeTree(storedDir) {
      const Prefix = `${base ? `${base}/` : ""}${storedDir}/`;
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix, ContinuationToken }));
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (keys.length)
          await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    async remove(storedPath) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${base ? `${base}/` : ""}${storedPath}` }));
    },
  };
}
